import { describe, expect, it } from 'vitest';
import { ItemStream } from '../../../src/ingest/run/item-stream.js';
import { type JobOutput, type JobResult, resultOf } from '../../../src/ingest/run/jobs.js';
import { FailureCollector } from '../../../src/ingest/types.js';
import type { StacItem } from '../../../src/stac/item.js';

function item(id: string, collection = 'c'): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    collection,
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [],
    assets: {},
  };
}

/** A results source that records how far it was pulled and whether it was closed. */
function source(outputs: JobOutput[], fail?: Error) {
  const results = outputs.map(resultOf);
  const seen = { pulled: 0, closed: false };
  async function* gen(): AsyncGenerator<JobResult, void, undefined> {
    try {
      for (const r of results) {
        seen.pulled++;
        yield r;
      }
      if (fail) throw fail;
    } finally {
      seen.closed = true;
    }
  }
  return { gen: gen(), seen };
}

const objects = (...ids: string[]): JobOutput => ({ items: ids.map((id) => item(id)), failures: [] });
const texts = (...ids: string[]): JobOutput => ({
  items: [],
  failures: [],
  itemTexts: ids.map((id) => JSON.stringify(item(id))),
});

async function ids(stream: AsyncIterable<StacItem>): Promise<string[]> {
  const out: string[] = [];
  for await (const it of stream) out.push(it.id);
  return out;
}

describe('ItemStream', () => {
  it('yields the Items of every result in order, objects and JSON texts alike, skipping empty results', async () => {
    const { gen, seen } = source([objects('a', 'b'), { items: [], failures: [] }, texts('c'), objects('d')]);
    expect(
      await ids(
        new ItemStream(gen, { failures: new FailureCollector(), maxItems: Number.POSITIVE_INFINITY }),
      ),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect(seen.closed).toBe(true);
  });

  it('hands out exactly maxItems Items and then closes the source without pulling further', async () => {
    const { gen, seen } = source([objects('a', 'b'), objects('c', 'd'), objects('e')]);
    expect(await ids(new ItemStream(gen, { failures: new FailureCollector(), maxItems: 3 }))).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(seen.pulled).toBe(2);
    expect(seen.closed).toBe(true);
  });

  it('keeps only the Items of the collection asked for, and maxItems counts only those', async () => {
    const mixed: JobOutput = {
      items: [item('a', 'x'), item('b', 'y'), item('c', 'x'), item('d', 'x')],
      failures: [],
    };
    const { gen } = source([mixed]);
    expect(
      await ids(new ItemStream(gen, { failures: new FailureCollector(), maxItems: 2, collectionId: 'x' })),
    ).toEqual(['a', 'c']);
  });

  it('closes the source when the consumer breaks out of the loop', async () => {
    const { gen, seen } = source([objects('a', 'b'), objects('c')]);
    for await (const it of new ItemStream(gen, {
      failures: new FailureCollector(),
      maxItems: Number.POSITIVE_INFINITY,
    })) {
      if (it.id === 'a') break;
    }
    expect(seen.closed).toBe(true);
    expect(seen.pulled).toBe(1);
  });

  it('answers next() calls made without waiting in the order they were made', async () => {
    const { gen } = source([objects('a'), objects('b'), objects('c')]);
    const stream = new ItemStream(gen, {
      failures: new FailureCollector(),
      maxItems: Number.POSITIVE_INFINITY,
    });
    const steps = await Promise.all([stream.next(), stream.next(), stream.next(), stream.next()]);
    expect(steps.map((s) => (s.done ? 'done' : s.value.id))).toEqual(['a', 'b', 'c', 'done']);
  });

  it('passes on an error of the source after the Items before it', async () => {
    const { gen } = source([objects('a')], new Error('source broke'));
    const stream = new ItemStream(gen, {
      failures: new FailureCollector(),
      maxItems: Number.POSITIVE_INFINITY,
    });
    expect((await stream.next()).value?.id).toBe('a');
    await expect(stream.next()).rejects.toThrow('source broke');
    expect((await stream.next()).done).toBe(true);
  });

  it('answers a next() queued behind a failing one with the end, not the same error again', async () => {
    const { gen } = source([], new Error('source broke'));
    const stream = new ItemStream(gen, {
      failures: new FailureCollector(),
      maxItems: Number.POSITIVE_INFINITY,
    });
    const [first, second] = await Promise.allSettled([stream.next(), stream.next()]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: { value: undefined, done: true } });
  });

  it('builds a lazy result a chunk at a time, counting its failures, and stops pulling chunks at maxItems', async () => {
    const built: number[] = [];
    let k = 0;
    const chunks = {
      next() {
        if (k >= 4) return null;
        built.push(k);
        const at = k++;
        return {
          items: [item(`r${at}a`), item(`r${at}b`)],
          failures: at === 1 ? [{ source: 'file.parquet#row 3', reason: 'no id' }] : [],
        };
      },
    };
    const failures = new FailureCollector();
    const { gen } = source([{ items: [], failures: [], itemChunks: chunks }]);
    expect(await ids(new ItemStream(gen, { failures, maxItems: 3 }))).toEqual(['r0a', 'r0b', 'r1a']);
    expect(built).toEqual([0, 1]);
    expect(failures.failures).toEqual([{ source: 'file.parquet#row 3', reason: 'no id' }]);
  });

  it('with maxItems 0 yields nothing and never starts the source', async () => {
    const { gen, seen } = source([objects('a')]);
    expect(await ids(new ItemStream(gen, { failures: new FailureCollector(), maxItems: 0 }))).toEqual([]);
    expect(seen.pulled).toBe(0);
  });
});
