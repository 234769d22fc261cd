/**
 * The stages after ingest, as one loop both placements run: pull an Item, transform it, serialize
 * it and hand it to the sink writer, with at most WRITES_IN_FLIGHT writes pending (when that many
 * are, the loop waits before pulling again, so the Item source's own backpressure holds the reading
 * back). The `caller` placement runs it on the caller's thread over the ingest; the `sharded`
 * placement runs one per worker over that worker's shares.
 *
 * Stage times (performance.now() around each stage on the thread running the loop): `read_parse`
 * is the time spent in the source's `next()`; `transform` and `serialize` are synchronous time;
 * `write` is the time the loop waited for write I/O (a full window, the final drain).
 */
import type { FailureCollector } from '../ingest/types.js';
import { itemLabel, type SinkWriter } from '../output/index.js';
import type { StacItem } from '../stac/item.js';
import type { Transform } from '../transform/index.js';
import type { StageSeconds } from './types.js';

/** Writes pending at once: enough to overlap write I/O, few enough to bound memory. */
export const WRITES_IN_FLIGHT = 16;

export interface DriveOptions {
  transforms: readonly Transform[];
  writer: SinkWriter;
  /** Names failures: `${source} item <id>`. */
  source: string;
  failures: FailureCollector;
  /** Aborted by a failed write (the loop then stops); the caller may abort it too. */
  stop: AbortController;
  onWritten?: ((written: number) => void) | undefined;
  /** Asked before each Item is used; false stops the loop as if the source had ended (maxItems). */
  take?: (() => boolean) | undefined;
}

/** What a WriteWindow reports of each write. */
export interface WriteEvents {
  written?: () => void;
  duplicate?: () => void;
  /** A write failed (called once per failed write; the window keeps the first error in `failed`). */
  error?: (e: unknown) => void;
}

/**
 * At most WRITES_IN_FLIGHT writes pending on one sink writer: the pipeline's loop and the bench's
 * write-only floor write through the same window, so the floor writes the way the pipeline does.
 */
export class WriteWindow {
  /** The first write error, if any. */
  failed: unknown = null;
  private inFlight = 0;
  private wake: (() => void) | null = null;

  constructor(
    private readonly writer: SinkWriter,
    private readonly events: WriteEvents = {},
  ) {}

  /** Starts writing one Item; waits while the window is full. */
  async push(item: StacItem, bytes: Uint8Array): Promise<void> {
    this.inFlight++;
    this.writer.write(item, bytes).then(
      (result) => {
        if (result === 'written') this.events.written?.();
        else this.events.duplicate?.();
        this.settled();
      },
      (e) => {
        this.failed ??= e;
        this.events.error?.(e);
        this.settled();
      },
    );
    if (this.inFlight >= WRITES_IN_FLIGHT) await this.below(WRITES_IN_FLIGHT);
  }

  /** Waits until no write is in flight. */
  settle(): Promise<void> {
    return this.below(1);
  }

  private settled(): void {
    this.inFlight--;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async below(n: number): Promise<void> {
    while (this.inFlight >= n) await new Promise<void>((resolve) => (this.wake = resolve));
  }
}

export class Driver {
  /** Milliseconds per stage (seconds() converts). */
  readonly ms: StageSeconds = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  readonly counts = { items_in: 0, written: 0, invalid: 0, duplicates: 0 };
  private readonly window: WriteWindow;

  constructor(private readonly o: DriveOptions) {
    this.window = new WriteWindow(o.writer, {
      written: () => {
        this.counts.written++;
        this.o.onWritten?.(this.counts.written);
      },
      duplicate: () => {
        this.counts.duplicates++;
      },
      error: (e) => this.o.stop.abort(e),
    });
  }

  /** The first write error, if any. */
  get failed(): unknown {
    return this.window.failed;
  }
  /**
   * Runs the loop over `items` until they end, the stop signal fires or a write fails; waits for
   * the writes in flight. Throws the write error, or the stop signal's reason.
   */
  async run(items: AsyncIterator<StacItem>): Promise<void> {
    const { transforms, writer, source, failures, stop, take } = this.o;
    const { ms, counts } = this;
    let t = performance.now();
    while (this.failed === null && !stop.signal.aborted) {
      const step = await items.next();
      let now = performance.now();
      ms.read_parse += now - t;
      if (step.done || (take !== undefined && !take())) break;
      const index = counts.items_in++;
      let item: StacItem | null = step.value;
      for (const transform of transforms) {
        const result = transform.apply(item);
        if ('failure' in result) {
          counts.invalid++;
          failures.add(`${source} ${itemLabel(step.value, index)}`, result.failure);
          item = null;
          break;
        }
        item = result.item;
      }
      t = performance.now();
      ms.transform += t - now;
      if (item === null) continue;
      const refused = writer.refuse(item);
      if (refused !== null) {
        failures.add(`${source} ${itemLabel(item, index)}`, `not written: ${refused}`);
        continue;
      }
      const bytes = writer.serialize(item);
      now = performance.now();
      ms.serialize += now - t;
      await this.window.push(item, bytes);
      t = performance.now();
      ms.write += t - now;
    }
    const drained = performance.now();
    await this.settle();
    ms.write += performance.now() - drained;
    if (this.failed !== null) throw this.failed;
    if (stop.signal.aborted) throw stop.signal.reason ?? new Error('aborted');
  }

  /** Waits until no write is in flight. */
  settle(): Promise<void> {
    return this.window.settle();
  }

  seconds(): StageSeconds {
    const { ms } = this;
    return {
      read_parse: ms.read_parse / 1000,
      transform: ms.transform / 1000,
      serialize: ms.serialize / 1000,
      write: ms.write / 1000,
    };
  }
}
