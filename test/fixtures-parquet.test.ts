import { readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROW_GROUP_SIZE } from '../src/fixtures/geoparquet-writer.js';
import { generateItems } from '../src/fixtures/profiles.js';
import { writeDataset } from '../src/fixtures/writers.js';
import { rowToItem } from '../src/stac/geoparquet.js';
import { validateItem } from '../src/stac/validate.js';

let root: string;
let file: string;
const COUNT = 1100; // two row groups
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fixtures-parquet-'));
  file = (
    await writeDataset({
      format: 'parquet',
      profile: 'sentinel-2',
      count: COUNT,
      seed: 13,
      path: join(root, 'a.parquet'),
    })
  ).path;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readRows(path: string): Promise<Record<string, unknown>[]> {
  const buffer = await asyncBufferFromFile(path);
  return (await parquetReadObjects({ file: buffer, utf8: false, geoparquet: false })) as Record<
    string,
    unknown
  >[];
}

describe('the stac-geoparquet writer', () => {
  it('writes one row per Item that reads back (hyparquet + rowToItem) deep-equal to the generated Items', async () => {
    const rows = await readRows(file);
    expect(rows).toHaveLength(COUNT);
    const expected = [...generateItems({ profile: 'sentinel-2', count: COUNT, seed: 13 })];
    const items = rows.map(rowToItem);
    expect(items.filter((item) => !validateItem(item).valid).map((i) => i.id)).toEqual([]);
    // node's deep equality is much faster than the matcher on 20 KB objects; show the first miss in full
    const firstMiss = items.findIndex((item, i) => !isDeepStrictEqual(item, expected[i]));
    if (firstMiss !== -1) expect(items[firstMiss]).toStrictEqual(expected[firstMiss]);
    expect(firstMiss).toBe(-1);
  });

  it('writes the small profile too, null datetimes included', async () => {
    const written = await writeDataset({
      format: 'parquet',
      profile: 'small',
      count: 300,
      seed: 2,
      path: join(root, 's.parquet'),
    });
    const items = (await readRows(written.path)).map(rowToItem);
    expect(items).toStrictEqual([...generateItems({ profile: 'small', count: 300, seed: 2 })]);
    expect(items.some((i) => i.properties.datetime === null)).toBe(true);
  });

  it("reads back equal also with hyparquet's default options (geometry decoded to GeoJSON)", async () => {
    const written = await writeDataset({
      format: 'parquet',
      profile: 'small',
      count: 120,
      seed: 4,
      path: join(root, 'h.parquet'),
    });
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(written.path) })) as Record<
      string,
      unknown
    >[];
    expect(rows.map(rowToItem)).toStrictEqual([...generateItems({ profile: 'small', count: 120, seed: 4 })]);
  });

  it('writes group by group, reporting progress after each row group', async () => {
    const done: number[] = [];
    const opts = { format: 'parquet' as const, profile: 'small' as const, count: 2100, seed: 8 };
    await writeDataset({ ...opts, path: join(root, 'p.parquet'), onProgress: (n) => done.push(n) });
    expect(done).toEqual([1000, 2000, 2100]);
  });

  it('writes row groups of about a thousand rows', async () => {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([ROW_GROUP_SIZE, COUNT - ROW_GROUP_SIZE]);
  });

  it('carries geo 1.1.0 and stac-geoparquet 1.1.0 metadata with the collection and its extent', async () => {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    const geo = JSON.parse(kv.geo!);
    expect(geo.version).toBe('1.1.0');
    expect(geo.primary_column).toBe('geometry');
    expect(geo.columns.geometry).toMatchObject({ encoding: 'WKB', geometry_types: ['Polygon'] });
    const stac = JSON.parse(kv['stac-geoparquet']!);
    expect(stac.version).toBe('1.1.0');
    const collection = stac.collections['sentinel-2-l2a'];
    expect(collection.type).toBe('Collection');
    expect(geo.columns.geometry.bbox).toEqual(collection.extent.spatial.bbox[0]);
  });

  it('is read by DuckDB with UTC timestamps, a LIST of STRUCT for links and a STRUCT for bbox', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const path = file.replaceAll("'", "''");
      const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
      const types = Object.fromEntries(
        described.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
      );
      expect(types.datetime).toBe('TIMESTAMP WITH TIME ZONE');
      expect(types.start_datetime).toBe('TIMESTAMP WITH TIME ZONE');
      expect(types.links).toMatch(/^STRUCT\(rel VARCHAR, href VARCHAR.*\)\[\]$/);
      expect(types.bbox).toBe('STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)');
      expect(types.assets).toMatch(/^STRUCT\(.*visual STRUCT\(href VARCHAR/);
      expect(types['eo:cloud_cover']).toBe('DOUBLE');
      const keys = await con.runAndReadAll(
        `SELECT decode(key) AS key FROM parquet_kv_metadata('${path}') ORDER BY 1`,
      );
      expect(keys.getRowObjectsJson().map((r) => r.key)).toEqual(['geo', 'stac-geoparquet']);
      const counts = await con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(datetime)::INTEGER AS dated, count(DISTINCT id)::INTEGER AS ids FROM read_parquet('${path}')`,
      );
      const [c] = counts.getRowObjectsJson();
      const expectedDated = [...generateItems({ profile: 'sentinel-2', count: COUNT, seed: 13 })].filter(
        (i) => i.properties.datetime !== null,
      ).length;
      expect(c).toEqual({ n: COUNT, dated: expectedDated, ids: COUNT });
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });

  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const opts = { format: 'parquet' as const, profile: 'small' as const, count: 50 };
    const a = await writeDataset({ ...opts, seed: 1, path: join(root, 'd1.parquet') });
    const b = await writeDataset({ ...opts, seed: 1, path: join(root, 'd2.parquet') });
    const c = await writeDataset({ ...opts, seed: 2, path: join(root, 'd3.parquet') });
    const [x, y, z] = await Promise.all([a, b, c].map((w) => readFile(w.path)));
    expect(x!.equals(y!)).toBe(true);
    expect(x!.equals(z!)).toBe(false);
    expect(a.bytes).toBe(x!.length);
  });

  it('writes a valid empty file for a count of zero', async () => {
    const written = await writeDataset({
      format: 'parquet',
      profile: 'small',
      count: 0,
      seed: 1,
      path: join(root, 'e.parquet'),
    });
    expect(written.items).toBe(0);
    expect(await readRows(written.path)).toEqual([]);
  });
});
