import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBytesReader, readFileBytes } from '../../../src/ingest/decode/file-bytes.js';
import { closeWorkerPool, FailureCollector } from '../../../src/ingest/index.js';
import type { StacItem } from '../../../src/stac/item.js';
import { collect, makeItem, makeItems, multiset, tempDir } from '../../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let small: string;
let big: string;
let mixed: string;
let nul: string;

/** An Item whose JSON is about `bytes` long. */
function padded(i: number, bytes: number): StacItem {
  const item = makeItem(i);
  return { ...item, properties: { ...item.properties, pad: 'x'.repeat(bytes) } };
}

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  small = join(root, 'small.json');
  await writeFile(small, JSON.stringify(makeItem(1)));
  big = join(root, 'big.json');
  await writeFile(big, JSON.stringify(padded(2, 40_000)));
  // Small files first, then files far larger than the first batches' buffers, then small again:
  // recycled buffers must grow, and a file larger than a whole buffer must still be read whole.
  mixed = join(root, 'mixed');
  await mkdir(mixed);
  const sizes = [...Array(60).fill(200), 30_000, 120_000, 9_000, ...Array(60).fill(300), 70_000];
  await Promise.all(
    sizes.map((s, i) =>
      writeFile(join(mixed, `f${String(i).padStart(3, '0')}.json`), JSON.stringify(padded(i, s))),
    ),
  );
  // A FeatureCollection over 1 MiB among them (scanned feature by feature) and a broken file.
  const features = makeItems(600, 1000).map((it) => ({
    ...it,
    properties: { ...it.properties, pad: 'y'.repeat(1800) },
  }));
  await writeFile(join(mixed, 'g-collection.json'), JSON.stringify({ type: 'FeatureCollection', features }));
  await writeFile(join(mixed, 'h-broken.json'), '{"type":"Feature","id":');
  // NUL bytes: in the first KB the file is binary; further in, it is text that is not valid JSON.
  nul = join(root, 'nul');
  await mkdir(nul);
  await writeFile(
    join(nul, 'early.json'),
    Buffer.concat([Buffer.from('{"a":'), Buffer.from([0]), Buffer.from('1}')]),
  );
  const late = `{"type":"Feature","id":"late","properties":{"pad":"${'z'.repeat(2000)}\u0000"}}`;
  await writeFile(join(nul, 'late.json'), late);
  await writeFile(join(nul, 'good.json'), JSON.stringify(makeItem(3)));
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('readFileBytes (a worker reads a batch of files into one buffer)', () => {
  it('reads every file whole into the buffer it is given when they fit', () => {
    const reuse = new ArrayBuffer(1 << 20);
    const r = readFileBytes([small, big], reuse);
    const fb = r.fileBytes!;
    expect(fb.buffer).toBe(reuse);
    expect(fb.refs).toEqual([small, big]);
    const bytes = Buffer.from(fb.buffer);
    expect(JSON.parse(bytes.subarray(0, fb.ends[0]).toString()).id).toBe(makeItem(1).id);
    expect(JSON.parse(bytes.subarray(fb.ends[0], fb.ends[1]).toString()).id).toBe(makeItem(2).id);
  });

  it('grows a buffer that is too small without losing the bytes already read', () => {
    const r = readFileBytes([small, big, small], new ArrayBuffer(100));
    const fb = r.fileBytes!;
    expect(fb.buffer.byteLength).toBeGreaterThanOrEqual(fb.ends[2]!);
    const bytes = Buffer.from(fb.buffer);
    const texts = [0, 1, 2].map((i) => bytes.subarray(i === 0 ? 0 : fb.ends[i - 1], fb.ends[i]).toString());
    expect(texts.map((t) => (JSON.parse(t) as StacItem).id)).toEqual([
      makeItem(1).id,
      makeItem(2).id,
      makeItem(1).id,
    ]);
  });

  it('counts a file that cannot be read as a failure with its path and keeps the others', () => {
    const missing = join(root, 'gone.json');
    const r = readFileBytes([small, missing, big]);
    expect(r.failures).toEqual([{ source: missing, reason: 'no such file (ENOENT)' }]);
    expect(r.fileBytes!.refs).toEqual([small, big]);
  });
});

describe('FileBytesReader (the caller decodes a batch as it pulls)', () => {
  it('yields each file’s Items in order, counts bad files, then gives the buffer back once', () => {
    const broken = join(root, 'broken.json');
    const fb = { buffer: new ArrayBuffer(0), ends: [] as number[], refs: [] as string[] };
    const texts = [JSON.stringify(makeItem(7)), '{"id":', JSON.stringify([makeItem(8), makeItem(9)])];
    const bytes = Buffer.from(texts.join(''));
    fb.buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    let end = 0;
    for (const t of texts) {
      end += Buffer.byteLength(t);
      fb.ends.push(end);
    }
    fb.refs = [join(root, 'a.json'), broken, join(root, 'c.json')];
    const given: ArrayBuffer[] = [];
    const failures = new FailureCollector();
    const cursor = new FileBytesReader({ ...fb, recycle: (b) => given.push(b) });
    const first = cursor.next(failures);
    expect((first as StacItem).id).toBe(makeItem(7).id);
    const second = cursor.next(failures) as StacItem[];
    expect(second.map((i) => i.id)).toEqual([makeItem(8).id, makeItem(9).id]);
    expect(given).toEqual([]);
    expect(cursor.next(failures)).toBeNull();
    expect(cursor.next(failures)).toBeNull();
    expect(given).toEqual([fb.buffer]);
    expect(failures.failures.map((f) => f.source)).toEqual([broken]);
  });
});

describe('worker-threads with recycled buffers (files read by workers, parsed by the caller)', () => {
  it('yields the sequential strategy’s Items from files of very different sizes, run after run', async () => {
    const base = await collect(mixed, { strategy: 'sequential' });
    expect(base.items.length).toBe(124 + 600);
    expect(base.failures.failures.map((f) => f.source)).toEqual([join(mixed, 'h-broken.json')]);
    const expected = multiset(base.items);
    // Several runs: later ones read into buffers earlier batches gave back.
    for (const batchSize of [4, 16, 4]) {
      const run = await collect(mixed, {
        strategy: 'worker-threads',
        concurrency: 2,
        batchSize,
      });
      expect(multiset(run.items), `batch ${batchSize}`).toEqual(expected);
      expect(run.failures.failures.map((f) => f.source)).toEqual([join(mixed, 'h-broken.json')]);
    }
  });

  it('concurrent reads (one read into a reused 64 KB buffer, larger files read again whole) give the same Items', async () => {
    const base = await collect(mixed, { strategy: 'sequential' });
    for (const concurrency of [1, 8]) {
      const run = await collect(mixed, { strategy: 'concurrent', concurrency });
      expect(multiset(run.items), `concurrent ${concurrency}`).toEqual(multiset(base.items));
      expect(run.failures.failures.map((f) => f.source)).toEqual([join(mixed, 'h-broken.json')]);
    }
  });
});

describe('a NUL byte', () => {
  it('in the first KB makes a file binary; further in, invalid JSON (every strategy alike)', async () => {
    for (const strategy of ['sequential', 'concurrent', 'worker-threads'] as const) {
      const run = await collect(nul, { strategy, concurrency: 2 });
      expect(run.items.map((i) => i.id)).toEqual([makeItem(3).id]);
      const reasons = Object.fromEntries(run.failures.failures.map((f) => [f.source, f.reason]));
      expect(reasons[join(nul, 'early.json')], strategy).toMatch(/binary content/);
      expect(reasons[join(nul, 'late.json')], strategy).toMatch(/invalid JSON/);
    }
  });
});
