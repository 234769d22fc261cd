import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishSink, MARKER, openSinkWriter, prepareSink, type SinkTarget } from '../../src/output/index.js';
import type { StacCollection, StacItem } from '../../src/stac/item.js';
import { makeItem, makeItems, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

let n = 0;
async function newTarget(): Promise<SinkTarget> {
  const target: SinkTarget = { kind: 'directory', path: join(root, `out-${++n}`) };
  await prepareSink(target, { inputs: [] });
  return target;
}

/** Every file under `dir`, relative, hidden ones included. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function writeAll(target: SinkTarget, items: StacItem[], shard?: number) {
  const writer = await openSinkWriter(target, {}, shard);
  const results = await Promise.all(items.map((i) => writer.write(i, writer.serialize(i))));
  return { results, part: await writer.close() };
}

describe('the items-directory sink', () => {
  it('writes each Item to {collection}/items/{id}.json with a collection.json, and nothing else', async () => {
    const target = await newTarget();
    const items = makeItems(30);
    const { results, part } = await writeAll(target, items);
    expect(results.every((r) => r === 'written')).toBe(true);
    const summary = await finishSink(target, [part], {});
    expect(summary).toEqual({ path: target.path, kind: 'directory', written: 30, duplicates: 0 });
    const expected = [MARKER, 'test/collection.json', ...items.map((i) => `test/items/${i.id}.json`)].sort();
    expect(await files(target.path)).toEqual(expected);
    for (const item of items) {
      const text = await readFile(join(target.path, 'test', 'items', `${item.id}.json`), 'utf8');
      expect(JSON.parse(text)).toEqual(item);
    }
  });

  it('writes a second copy of an id nowhere and counts it, when one writer gets it twice at once', async () => {
    const target = await newTarget();
    const item = makeItem(1);
    const other = { ...item, properties: { ...item.properties, copy: 2 } };
    const { results, part } = await writeAll(target, [item, other, item]);
    expect(results.filter((r) => r === 'written')).toHaveLength(1);
    expect(part).toMatchObject({ written: 1, duplicates: 2 });
    expect(await files(join(target.path, 'test'))).toEqual([`items/${item.id}.json`]);
  });

  it('keeps exactly one copy of each id when two writers share the folder and write the same ids concurrently', async () => {
    const target = await newTarget();
    const items = makeItems(200);
    const [a, b] = await Promise.all([writeAll(target, items, 0), writeAll(target, [...items].reverse(), 1)]);
    expect(a.part.written + b.part.written).toBe(200);
    expect(a.part.duplicates + b.part.duplicates).toBe(200);
    // For every id exactly one writer says 'written'.
    const byId = new Map<string, number>();
    items.forEach((item, i) => {
      const wins = (a.results[i] === 'written' ? 1 : 0) + (b.results[199 - i] === 'written' ? 1 : 0);
      byId.set(item.id, wins);
    });
    expect([...byId.values()].every((w) => w === 1)).toBe(true);
    const summary = await finishSink(target, [a.part, b.part], {});
    expect(summary).toMatchObject({ written: 200, duplicates: 200 });
    const names = await files(join(target.path, 'test', 'items'));
    expect(names).toEqual(items.map((i) => `${i.id}.json`).sort());
  });

  it.each([
    ['a path separator', 'a/../../escape'],
    ['a parent folder name', '..'],
    ['a NUL byte', 'bad\u0000id'],
    ['a leading dot', '.hidden'],
    ['a very long id', 'x'.repeat(300)],
  ])('refuses an id with %s and never writes outside the folder', async (_what, id) => {
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    const item = { ...makeItem(1), id };
    expect(writer.refuse(item)).toMatch(/^id /);
    await expect(writer.write(item, writer.serialize(item))).rejects.toThrow(target.path);
    await writer.close();
    expect(await files(target.path)).toEqual([MARKER]);
    expect((await readdir(root)).filter((f) => !f.startsWith('out-'))).toEqual([]);
  });

  it('files Items with no collection under the collection id given, and writes the source collection when ids match', async () => {
    const target = await newTarget();
    const source: StacCollection = {
      type: 'Collection',
      stac_version: '1.1.0',
      id: 'mine',
      description: 'the source collection',
      license: 'CC-BY-4.0',
      extent: { spatial: { bbox: [[0, 0, 1, 1]] }, temporal: { interval: [[null, null]] } },
      links: [],
    };
    const writer = await openSinkWriter(target, { collection: source });
    const item = makeItem(3);
    delete item.collection;
    await writer.write(item, writer.serialize(item));
    await finishSink(target, [await writer.close()], { collection: source });
    expect(await files(target.path)).toEqual([MARKER, 'mine/collection.json', `mine/items/${item.id}.json`]);
    expect(JSON.parse(await readFile(join(target.path, 'mine', 'collection.json'), 'utf8'))).toEqual(source);
  });

  it('generates a collection.json with the extent of the Items written', async () => {
    const target = await newTarget();
    const items = [makeItem(10), makeItem(20)];
    const { part } = await writeAll(target, items);
    await finishSink(target, [part], {});
    const doc = JSON.parse(await readFile(join(target.path, 'test', 'collection.json'), 'utf8'));
    expect(doc).toMatchObject({ type: 'Collection', id: 'test' });
    expect(doc.extent.spatial.bbox).toEqual([[-169.5, -74.5, -159.5, -64.5]]);
    expect(doc.extent.temporal.interval).toEqual([
      [items[0]!.properties.datetime, items[1]!.properties.datetime],
    ]);
  });

  it('rejects a write into an items folder that became a file, naming the path, and leaves no temp file', async () => {
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    const first = makeItem(1);
    await writer.write(first, writer.serialize(first));
    const folder = join(target.path, 'other', 'items');
    await mkdir(join(target.path, 'other'));
    await writeFile(folder, 'not a folder');
    const item = { ...makeItem(2), collection: 'other' };
    await expect(writer.write(item, writer.serialize(item))).rejects.toThrow(folder);
    await writer.abort();
    expect(await files(target.path)).toEqual([MARKER, 'other/items', `test/items/${first.id}.json`]);
  });
});
