/**
 * From job results to the caller's `AsyncIterable<Item>`, one Item per `next()`.
 *
 * An async generator costs a few microseconds per yielded value per layer (its request queue, an
 * await per yield), a measurable share of a fast directory ingest. This iterator answers
 * from the current result's cursor without a generator: a `next()` with an Item at hand is one
 * resolved promise; only when the cursor is used up does it wait for more (a streamed file's next
 * part, or the next result). Cursors decode as the consumer pulls (decode/cursor.ts), so a result's
 * Items are not all alive at once.
 *
 * `maxItems` and the collection filter are applied here too, so they add no layer of their own.
 * With `maxItems` 0 no result is asked for (the results source never starts).
 */
import type { StacItem } from '../../stac/item.js';
import { type ItemCursor, NO_ITEMS } from '../decode/cursor.js';
import type { FailureCollector } from '../types.js';
import type { JobResult } from './jobs.js';

export interface StreamLimits {
  /** Where what a cursor finds is not an Item is counted. */
  failures: FailureCollector;
  /** Stop after this many Items (the results source is then closed). */
  maxItems: number;
  /** Only Items whose `collection` is this id. */
  collectionId?: string | undefined;
}

type Step = IteratorResult<StacItem, undefined>;

const DONE: Step = { value: undefined, done: true };

export class ItemStream implements AsyncIterableIterator<StacItem> {
  private cursor: ItemCursor = NO_ITEMS;
  private count = 0;
  private finished = false;
  /** A `next()` still waiting for a result: later calls queue behind it (as with a generator). */
  private waiting: Promise<Step> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly results: AsyncIterator<JobResult, void, undefined>,
    private readonly limits: StreamLimits,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Step> {
    if (this.waiting) {
      const after = (): Promise<Step> => this.next();
      return this.waiting.then(after, after);
    }
    const step = this.take();
    if (step) return Promise.resolve(step);
    if (this.finished) return this.close().then(() => DONE);
    const waiting = this.pull();
    this.waiting = waiting;
    const clear = (): void => {
      if (this.waiting === waiting) this.waiting = null;
    };
    waiting.then(clear, clear);
    return waiting;
  }

  /** The consumer stopped (a `break` in for-await): the results source is closed, its work stops. */
  async return(): Promise<Step> {
    await this.close();
    return DONE;
  }

  async throw(e?: unknown): Promise<Step> {
    await this.close();
    throw e;
  }

  /** The next Item of the current cursor, or null when it has none at hand (or the limit is reached). */
  private take(): Step | null {
    const { failures, collectionId } = this.limits;
    while (!this.finished) {
      if (this.count >= this.limits.maxItems) {
        this.finished = true;
        return null;
      }
      const item = this.cursor.next(failures);
      if (item === null) return null;
      if (collectionId !== undefined && item.collection !== collectionId) continue;
      // After the last Item wanted, the source is closed on the next pull.
      this.count++;
      return { value: item, done: false };
    }
    return null;
  }

  private async pull(): Promise<Step> {
    while (true) {
      // A cursor whose Items come in parts (a streamed FeatureCollection) goes before the next result.
      const cursor = this.cursor;
      if (cursor.more !== undefined && (await cursor.more(this.limits.failures))) {
        const step = this.take();
        if (step) return step;
        if (this.finished) return this.end();
        continue;
      }
      await cursor.release();
      this.cursor = NO_ITEMS;
      let r: IteratorResult<JobResult, void>;
      try {
        r = await this.results.next();
      } catch (e) {
        this.finished = true;
        this.closing = Promise.resolve(); // a generator that threw is already closed
        throw e;
      }
      if (r.done) {
        this.finished = true;
        this.closing = Promise.resolve();
        return DONE;
      }
      this.cursor = r.value.cursor;
      const step = this.take();
      if (step) return step;
      if (this.finished) return this.end();
    }
  }

  private async end(): Promise<Step> {
    await this.close();
    return DONE;
  }

  /**
   * Ends the stream: releases the current cursor (a streamed file is closed) and closes the results
   * source (once; later calls wait for the same close).
   */
  private close(): Promise<void> {
    this.finished = true;
    const cursor = this.cursor;
    this.cursor = NO_ITEMS;
    this.closing ??= Promise.all([cursor.release(), this.results.return?.()]).then(() => undefined);
    return this.closing;
  }
}
