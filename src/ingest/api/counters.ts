/**
 * HTTP counters of one ingest (requests, retries, requests in flight and their peak), kept in a
 * SharedArrayBuffer so that worker threads count into the same figures as the main thread and the
 * peak in flight is the true peak across threads.
 */
import type { HttpStats } from '../types.js';

const REQUESTS = 0;
const RETRIES = 1;
const IN_FLIGHT = 2;
const PEAK = 3;

export class HttpCounters {
  private readonly a: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT)) {
    this.a = new Int32Array(buffer);
  }

  /** A request starts (first attempt or retry). */
  enter(): void {
    Atomics.add(this.a, REQUESTS, 1);
    const now = Atomics.add(this.a, IN_FLIGHT, 1) + 1;
    let peak = Atomics.load(this.a, PEAK);
    while (now > peak) {
      const seen = Atomics.compareExchange(this.a, PEAK, peak, now);
      if (seen === peak) break;
      peak = seen;
    }
  }

  /** A request has its answer (or failed). */
  leave(): void {
    Atomics.sub(this.a, IN_FLIGHT, 1);
  }

  retry(): void {
    Atomics.add(this.a, RETRIES, 1);
  }

  get inFlight(): number {
    return Atomics.load(this.a, IN_FLIGHT);
  }

  snapshot(): HttpStats {
    return {
      requests: Atomics.load(this.a, REQUESTS),
      retries: Atomics.load(this.a, RETRIES),
      peak_in_flight: Atomics.load(this.a, PEAK),
    };
  }

  /** Copies the figures into a caller's HttpStats object. */
  fill(target: HttpStats | undefined): void {
    if (target) Object.assign(target, this.snapshot());
  }
}
