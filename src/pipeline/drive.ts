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

export class Driver {
  /** Milliseconds per stage (seconds() converts). */
  readonly ms: StageSeconds = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  readonly counts = { items_in: 0, written: 0, invalid: 0, duplicates: 0 };
  /** The first write error, if any. */
  failed: unknown = null;
  private inFlight = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly o: DriveOptions) {}

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
      this.write(item, bytes);
      if (this.inFlight >= WRITES_IN_FLIGHT) await this.below(WRITES_IN_FLIGHT);
      t = performance.now();
      ms.write += t - now;
    }
    const drained = performance.now();
    await this.settle();
    ms.write += performance.now() - drained;
    if (this.failed === null && stop.signal.aborted) this.failed = stop.signal.reason ?? new Error('aborted');
    if (this.failed !== null) throw this.failed;
  }

  /** Waits until no write is in flight. */
  settle(): Promise<void> {
    return this.below(1);
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

  private write(item: StacItem, bytes: Uint8Array): void {
    this.inFlight++;
    this.o.writer.write(item, bytes).then(
      (result) => {
        if (result === 'written') {
          this.counts.written++;
          this.o.onWritten?.(this.counts.written);
        } else this.counts.duplicates++;
        this.settled();
      },
      (e) => {
        this.failed ??= e;
        this.o.stop.abort(e);
        this.settled();
      },
    );
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
