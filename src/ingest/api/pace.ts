/**
 * A cap on the request rate of one ingest (`maxRps`): requests start at least 1/maxRps s apart,
 * on one schedule for every thread. The next free start time lives in a SharedArrayBuffer that
 * travels with the HTTP options, so the crawl workers of `worker-threads` draw their starts from
 * the same schedule as the main thread: the cap holds for the ingest as a whole, not per worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The shared schedule: structured-cloneable (the buffer is shared, not copied, with a worker). */
export interface PaceState {
  /** One BigInt64: the earliest start of the next request, microseconds since the epoch. */
  buffer: SharedArrayBuffer;
  /** Microseconds between two request starts. */
  intervalUs: number;
}

/** A schedule of at most `maxRps` request starts per second. */
export function newPace(maxRps: number): PaceState {
  if (!(Number.isFinite(maxRps) && maxRps > 0)) {
    throw new TypeError(`maxRps must be a number > 0, got ${maxRps}`);
  }
  return {
    buffer: new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT),
    intervalUs: Math.max(1, Math.round(1_000_000 / maxRps)),
  };
}

/** The wall clock in microseconds, comparable across threads (each has its own timeOrigin). */
export function wallClockUs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

export class Pacer {
  private readonly next: BigInt64Array;
  private readonly interval: bigint;

  constructor(
    state: PaceState,
    private readonly now: () => bigint = wallClockUs,
  ) {
    this.next = new BigInt64Array(state.buffer);
    this.interval = BigInt(state.intervalUs);
  }

  /**
   * Takes the next start on the schedule (microseconds since the epoch). The slot is taken at once
   * (compare-and-swap), so threads asking together get successive slots.
   */
  reserve(): bigint {
    const now = this.now();
    for (;;) {
      const free = Atomics.load(this.next, 0);
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers only)
      const start = free > now ? free : now;
      if (Atomics.compareExchange(this.next, 0, free, start + this.interval) === free) return start;
    }
  }

  /** Waits for the next start on the schedule (rejects when `signal` aborts meanwhile). */
  async take(signal?: AbortSignal): Promise<void> {
    const start = this.reserve();
    // A timer may fire a little early against this clock (libuv's loop time lags): wait again.
    for (let left = start - this.now(); left > 0n; left = start - this.now()) {
      await sleep(Math.ceil(Number(left) / 1000), undefined, signal ? { signal } : undefined);
    }
  }
}
