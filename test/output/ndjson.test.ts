import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishSink, openSinkWriter, prepareSink, type SinkTarget } from '../../src/output/index.js';
import type { StacItem } from '../../src/stac/item.js';
import { makeItems, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

let n = 0;
async function newTarget(): Promise<SinkTarget> {
  const target: SinkTarget = { kind: 'ndjson', path: join(root, `out-${++n}.ndjson`) };
  await prepareSink(target, { inputs: [] });
  return target;
}

async function lines(path: string): Promise<StacItem[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('the NDJSON sink', () => {
  it('writes every Item once as a line, drops a second copy of an id, and leaves no part file', async () => {
    const target = await newTarget();
    const items = makeItems(500);
    const writer = await openSinkWriter(target, {});
    // Large enough lines that the stream asks to wait for 'drain'.
    const big = items.map((i) => ({ ...i, properties: { ...i.properties, pad: 'x'.repeat(4000) } }));
    const results = await Promise.all([...big, big[7]!].map((i) => writer.write(i, writer.serialize(i))));
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(1);
    const summary = await finishSink(target, [await writer.close()], {});
    expect(summary).toEqual({ path: target.path, kind: 'ndjson', written: 500, duplicates: 1 });
    expect(await lines(target.path)).toEqual(big);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('joins the parts of several writers into one file, keeping the first part copy of an id', async () => {
    const target = await newTarget();
    const items = makeItems(100);
    const a = await openSinkWriter(target, {}, 0);
    const b = await openSinkWriter(target, {}, 1);
    for (const i of items.slice(0, 60)) await a.write(i, a.serialize(i));
    // Writer b overlaps a on items 40..59 (its own copies differ, to see which one is kept).
    const later = items.slice(40).map((i) => ({ ...i, properties: { ...i.properties, from: 'b' } }));
    for (const i of later) await b.write(i, b.serialize(i));
    const summary = await finishSink(target, [await a.close(), await b.close()], {});
    expect(summary).toMatchObject({ written: 100, duplicates: 20 });
    const out = await lines(target.path);
    expect(out.map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect(out.slice(0, 60)).toEqual(items.slice(0, 60));
    expect(out.slice(60).every((i) => i.properties.from === 'b')).toBe(true);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('leaves an earlier file whole and removes its part file when the writer is aborted', async () => {
    const target = await newTarget();
    const first = await openSinkWriter(target, {});
    const [one] = makeItems(1);
    await first.write(one!, first.serialize(one!));
    await finishSink(target, [await first.close()], {});
    const before = await readFile(target.path, 'utf8');
    const writer = await openSinkWriter(target, {});
    for (const i of makeItems(50)) await writer.write(i, writer.serialize(i));
    await writer.abort();
    expect(await readFile(target.path, 'utf8')).toBe(before);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
