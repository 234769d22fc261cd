/** Item cursors: each form hands out its Items one at a time, counts what is not an Item, and gives back its buffers. */
import { describe, expect, it } from 'vitest';
import {
  ChunksCursor,
  type ItemCursor,
  ItemsCursor,
  JoinedCursor,
  NO_ITEMS,
  SlicesCursor,
  StreamCursor,
  TextsCursor,
} from '../../../src/ingest/decode/cursor.js';
import type { StreamPart } from '../../../src/ingest/decode/feature-stream.js';
import { lineSlices } from '../../../src/ingest/decode/ndjson.js';
import { FailureCollector } from '../../../src/ingest/types.js';
import { makeItem } from '../../support/ingest-data.js';

function drain(cursor: ItemCursor, failures = new FailureCollector()): string[] {
  const ids: string[] = [];
  for (let item = cursor.next(failures); item !== null; item = cursor.next(failures)) ids.push(item.id);
  return ids;
}

function lines(name: string, ...texts: string[]) {
  const released: string[] = [];
  const slices = lineSlices(name, Buffer.from(`${texts.join('\n')}\n`), 0, 0);
  slices.release = () => released.push(name);
  return { slices, released };
}

describe('item cursors', () => {
  it('hand out parsed Items and JSON texts in order, then null, and a cursor of nothing has none', () => {
    expect(drain(new ItemsCursor([makeItem(1), makeItem(2)]))).toEqual(['item-00001', 'item-00002']);
    expect(drain(new TextsCursor([JSON.stringify(makeItem(3))]))).toEqual(['item-00003']);
    expect(drain(NO_ITEMS)).toEqual([]);
  });

  it('parse slices one at a time, count a broken one by its line, and give each document back once it is parsed', () => {
    const a = lines('a.ndjson', JSON.stringify(makeItem(1)), '{"broken"', JSON.stringify(makeItem(2)));
    const b = lines('b.ndjson', JSON.stringify(makeItem(3)));
    const failures = new FailureCollector();
    const cursor = new SlicesCursor([a.slices, b.slices]);
    expect(cursor.next(failures)?.id).toBe('item-00001');
    expect(a.released).toEqual([]);
    expect(drain(cursor, failures)).toEqual(['item-00002', 'item-00003']);
    expect(a.released).toEqual(['a.ndjson']);
    expect(b.released).toEqual(['b.ndjson']);
    const brokenAt = JSON.stringify(makeItem(1)).length + 1;
    expect(failures.failures.map((f) => f.source)).toEqual([`a.ndjson (line at byte ${brokenAt})`]);
  });

  it('give back the documents not yet parsed when released early, once', () => {
    const a = lines('a.ndjson', JSON.stringify(makeItem(1)), JSON.stringify(makeItem(2)));
    const b = lines('b.ndjson', JSON.stringify(makeItem(3)));
    const cursor = new SlicesCursor([a.slices, b.slices]);
    cursor.next(new FailureCollector());
    cursor.release();
    cursor.release();
    expect([...a.released, ...b.released]).toEqual(['a.ndjson', 'b.ndjson']);
  });

  it('follow a streamed collection part by part, counting a part’s failures, and close it when released', async () => {
    const parts: StreamPart[] = [
      { slices: lines('p2', JSON.stringify(makeItem(2))).slices, failures: [] },
      { slices: null, failures: [{ source: 'fc.json', reason: 'invalid JSON: unexpected end of input' }] },
    ];
    let closed = 0;
    const source = { next: async () => parts.shift() ?? null, close: async () => void closed++ };
    const cursor = new StreamCursor(lines('p1', JSON.stringify(makeItem(1))).slices, source);
    const failures = new FailureCollector();
    const ids = drain(cursor, failures);
    while (await cursor.more(failures)) ids.push(...drain(cursor, failures));
    expect(ids).toEqual(['item-00001', 'item-00002']);
    expect(failures.count).toBe(1);
    await cursor.release();
    expect(closed).toBe(1);
  });

  it('rebuild Parquet chunks as pulled, counting their failures, and join several cursors in order', () => {
    let built = 0;
    const chunks = {
      next: () =>
        built >= 2
          ? null
          : {
              items: [makeItem(10 + built)],
              failures: built++ === 0 ? [{ source: 'x.parquet#row 1', reason: 'no id' }] : [],
            },
    };
    const failures = new FailureCollector();
    const joined = new JoinedCursor([new ItemsCursor([makeItem(1)]), new ChunksCursor(chunks)]);
    expect(drain(joined, failures)).toEqual(['item-00001', 'item-00010', 'item-00011']);
    expect(failures.count).toBe(1);
  });
});
