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

  it('parse-only parses at the grain the ingest does: per file, per NDJSON line, per feature', () => {
    const dir = loadDocuments('directory', sourceFiles('directory', join(root, 'items')));
    const ndjson = loadDocuments('ndjson', [join(root, 'items.ndjson')]);
    const fc = loadDocuments('feature-collection', [join(root, 'fc.json')]);
    for (const docs of [dir, ndjson, fc]) {
      expect(docs).toHaveLength(12);
      expect(parseOnly(docs)).toBe(12);
    }
    expect(JSON.parse(fc[3]!)).toEqual(items[3]);
  });

  it('decode-only decodes a Parquet file held in memory into one row per Item', async () => {
    const path = join(root, 'items.parquet');
    await writeDataset({ format: 'parquet', path, profile: 'small', count: 150, seed: 7 });
    expect(await decodeOnly(new Uint8Array(await readFile(path)))).toBe(150);
  });
});
