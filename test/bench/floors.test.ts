import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOnly, loadDocuments, parseOnly, readOnly, sourceFiles } from '../../src/bench/floors.js';
import { writeDataset } from '../../src/fixtures/writers.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
const items = makeItems(12);

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  await writeItemsDir(join(root, 'items'), items);
  await writeFile(join(root, 'fc.json'), JSON.stringify({ type: 'FeatureCollection', features: items }));
  await writeFile(join(root, 'items.ndjson'), `${items.map((it) => JSON.stringify(it)).join('\n')}\n\n`);
});
afterAll(() => remove());

describe('floor workloads', () => {
  it('read-only reads every byte of the source files into a reused buffer', () => {
    const files = sourceFiles('directory', join(root, 'items'));
    expect(files).toHaveLength(12);
    const bytes = items.reduce((n, it) => n + Buffer.byteLength(JSON.stringify(it)), 0);
    expect(readOnly(files)).toBe(bytes);
  });

  it('parse-only decodes and parses from the bytes at the grain the ingest does: per file, per NDJSON line, per feature', () => {
    const dir = loadDocuments('directory', sourceFiles('directory', join(root, 'items')));
    const ndjson = loadDocuments('ndjson', [join(root, 'items.ndjson')]);
    const fc = loadDocuments('feature-collection', [join(root, 'fc.json')]);
    for (const docs of [dir, ndjson, fc]) {
      expect(docs.reduce((n, d) => n + d.ranges.length / 2, 0)).toBe(12);
      expect(docs.every((d) => Buffer.isBuffer(d.bytes))).toBe(true);
      expect(parseOnly(docs)).toBe(12);
    }
    const [doc] = fc;
    expect(JSON.parse(doc!.bytes.toString('utf8', doc!.ranges[6], doc!.ranges[7]))).toEqual(items[3]);
  });

  it('parse-only decodes UTF-8 documents correctly, and ASCII lines as latin1 like the ingest', async () => {
    const path = join(root, 'accents.ndjson');
    const named = items
      .slice(0, 2)
      .map((it, i) => ({ ...it, properties: { ...it.properties, title: i ? 'Zürich' : 'plain' } }));
    await writeFile(path, `${named.map((it) => JSON.stringify(it)).join('\n')}\n`);
    const [held] = loadDocuments('ndjson', [path]);
    expect(held!.ascii).toBe(false);
    expect(parseOnly([held!])).toBe(2);
    expect(loadDocuments('ndjson', [join(root, 'items.ndjson')])[0]!.ascii).toBe(true);
  });

  it('decode-only decodes a Parquet file held in memory into one row per Item', async () => {
    const path = join(root, 'items.parquet');
    await writeDataset({ format: 'parquet', path, profile: 'small', count: 150, seed: 7 });
    expect(await decodeOnly(new Uint8Array(await readFile(path)))).toBe(150);
  });
});
