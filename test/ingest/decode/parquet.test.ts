import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateItems } from '../../../src/fixtures/profiles.js';
import { writeDataset } from '../../../src/fixtures/writers.js';
import { PARQUET_READERS } from '../../../src/ingest/decode/parquet-readers.js';
import { closeWorkerPool } from '../../../src/ingest/index.js';
import { SourceError, STRATEGIES } from '../../../src/ingest/types.js';
import type { StacItem } from '../../../src/stac/item.js';
import { validateItem } from '../../../src/stac/validate.js';
import { geometryToWkb } from '../../../src/stac/wkb.js';
import { collect, multiset, tempDir } from '../../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let threeGroups: string;
let small: string;
const gen = (count: number) => [...generateItems({ profile: 'small', count, seed: 7 })];

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  threeGroups = join(root, 'three-groups.parquet');
  await writeDataset({ format: 'parquet', path: threeGroups, profile: 'small', count: 2100, seed: 7 });
  small = join(root, 'small.parquet');
  await writeDataset({ format: 'parquet', path: small, profile: 'small', count: 60, seed: 7 });
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('a stac-geoparquet 1.1 file', () => {
  it('gives back Items deep-equal to the generated ones, under every strategy (3 row groups)', async () => {
    const expected = multiset(gen(2100));
    for (const strategy of STRATEGIES) {
      const run = await collect(threeGroups, { strategy, concurrency: 2 });
      expect(run.failures.failures, strategy).toEqual([]);
      expect(run.stats.jobs, strategy).toBe(3);
      expect(multiset(run.items), strategy).toEqual(expected);
    }
  });

  it('reads the whole file as one job with variant whole-file', async () => {
    const run = await collect(threeGroups, { variant: 'whole-file', maxItems: 5 });
    expect(run.stats.jobs).toBe(1);
    expect(run.items).toHaveLength(5);
  });

  for (const reader of PARQUET_READERS) {
    it(`rebuilds the same Items with the ${reader} reader`, async () => {
      const run = await collect(small, { variant: reader });
      expect(run.failures.count).toBe(0);
      expect(multiset(run.items)).toEqual(multiset(gen(60)));
    });
  }
});

/** Items shaped like those in older real-world files (what the old layout below can hold). */
function oldItems(): StacItem[] {
  return Array.from({ length: 25 }, (_, i) => ({
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: ['https://stac-extensions.github.io/eo/v1.0.0/schema.json'],
    id: `S2A_OLD_${i}`,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [i, 10],
          [i + 1, 10],
          [i + 1, 11],
          [i, 11],
          [i, 10],
        ],
      ],
    },
    bbox: [i, 10, i + 1, 11],
    properties: {
      datetime: new Date(Date.UTC(2021, 5, 1, 10, 0, i)).toISOString(),
      platform: 'sentinel-2a',
      'eo:cloud_cover': i * 1.5,
    },
    links: [{ rel: 'self', href: `https://example.com/${i}.json`, type: 'application/json' }],
    assets: { visual: { href: `https://example.com/${i}.tif`, type: 'image/tiff', roles: ['visual'] } },
    collection: 'sentinel-2-l2a',
  }));
}

const opt = 'OPTIONAL' as const;
const str = (name: string) => ({
  name,
  type: 'BYTE_ARRAY' as const,
  converted_type: 'UTF8' as const,
  repetition_type: opt,
});
/** An old-style LIST: `<name>.list.item` (not `element`). */
const list = (name: string) => [
  { name, repetition_type: opt, num_children: 1, converted_type: 'LIST' as const },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
];

/** Writes the layout older files have: geo 0.4.0, bbox as a list, ns timestamps, `item` lists, no stac-geoparquet key. */
function oldLayoutFile(items: StacItem[]): ArrayBuffer {
  const schema = [
    { name: 'root', num_children: 12 },
    str('type'),
    str('stac_version'),
    ...list('stac_extensions'),
    str('item'),
    str('id'),
    { name: 'geometry', type: 'BYTE_ARRAY' as const, repetition_type: opt },
    ...list('bbox'),
    { name: 'item', type: 'DOUBLE' as const, repetition_type: opt },
    ...list('links'),
    { name: 'item', repetition_type: opt, num_children: 3 },
    str('href'),
    str('rel'),
    str('type'),
    { name: 'assets', repetition_type: opt, num_children: 1 },
    { name: 'visual', repetition_type: opt, num_children: 3 },
    str('href'),
    str('type'),
    ...list('roles'),
    str('item'),
    str('collection'),
    {
      name: 'datetime',
      type: 'INT64' as const,
      repetition_type: opt,
      logical_type: { type: 'TIMESTAMP' as const, isAdjustedToUTC: true, unit: 'NANOS' as const },
    },
    str('platform'),
    { name: 'eo:cloud_cover', type: 'DOUBLE' as const, repetition_type: opt },
  ];
  const column = (name: string, pick: (it: StacItem) => unknown) => ({ name, data: items.map(pick) });
  const geo = {
    version: '0.4.0',
    primary_column: 'geometry',
    columns: { geometry: { encoding: 'WKB', geometry_type: 'Polygon', crs: null } },
  };
  return parquetWriteBuffer({
    schema,
    columnData: [
      column('type', (it) => it.type),
      column('stac_version', (it) => it.stac_version),
      column('stac_extensions', (it) => it.stac_extensions),
      column('id', (it) => it.id),
      column('geometry', (it) => geometryToWkb(it.geometry!)),
      column('bbox', (it) => it.bbox),
      column('links', (it) => it.links),
      column('assets', (it) => it.assets),
      column('collection', (it) => it.collection),
      column('datetime', (it) => new Date(it.properties.datetime!)),
      column('platform', (it) => it.properties.platform),
      column('eo:cloud_cover', (it) => it.properties['eo:cloud_cover']),
    ],
    kvMetadata: [{ key: 'geo', value: JSON.stringify(geo) }],
    rowGroupSize: 10,
  } as Parameters<typeof parquetWriteBuffer>[0]);
}

describe('an older stac-geoparquet file (geo 0.4.0, bbox list, ns timestamps, item lists)', () => {
  let path: string;
  beforeAll(async () => {
    path = join(root, 'old-layout.parquet');
    await writeFile(path, new Uint8Array(oldLayoutFile(oldItems())));
  });

  for (const reader of PARQUET_READERS) {
    it(`rebuilds into valid Items equal to the originals (${reader})`, async () => {
      const run = await collect(path, { variant: reader, strategy: 'concurrent' });
      expect(run.failures.failures).toEqual([]);
      expect(run.stats.jobs).toBe(3);
      for (const item of run.items) expect(validateItem(item).errors, item.id).toEqual([]);
      expect(multiset(run.items)).toEqual(multiset(oldItems()));
    });
  }
});

describe('a Parquet file that cannot be read', () => {
  const expectSourceError = async (path: string, reason: RegExp, variant?: string) => {
    const error = await collect(path, { variant }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `),
    );
    expect((error as SourceError).message).toMatch(reason);
  };

  it('is a SourceError naming the path when the bytes are not Parquet', async () => {
    const path = join(root, 'garbage.parquet');
    await writeFile(path, 'this is not parquet at all, just text that is long enough to have a footer');
    for (const reader of PARQUET_READERS)
      await expectSourceError(path, /not a readable Parquet file/, reader);
  });

  it('is a SourceError naming the path when the file is truncated', async () => {
    const path = join(root, 'truncated.parquet');
    const bytes = await readFile(small);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectSourceError(path, /not a readable Parquet file/);
  });

  it('is a SourceError when the file has no id column (not stac-geoparquet)', async () => {
    const path = join(root, 'no-id.parquet');
    await writeFile(
      path,
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2, 3] }] })),
    );
    await expectSourceError(path, /no id column/);
  });

  it('is a SourceError for an empty file', async () => {
    const path = join(root, 'empty.parquet');
    await writeFile(path, '');
    await expectSourceError(path, /empty file/);
  });
});
