import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARQUET_WRITERS, type ParquetWriterName, writeWith } from '../../src/bench/parquet-writers.js';
import { generateItems } from '../../src/fixtures/profiles.js';
import { TIMESTAMP_PROPERTIES } from '../../src/stac/geoparquet.js';
import type { StacItem } from '../../src/stac/item.js';
import { collect, multiset, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

const items = [...generateItems({ profile: 'sentinel-2', count: 1100, seed: 11 })];

function toMillis(item: StacItem): StacItem {
  const properties = { ...item.properties };
  for (const key of TIMESTAMP_PROPERTIES) {
    const v = properties[key];
    if (typeof v === 'string') properties[key] = new Date(v).toISOString();
  }
  return { ...item, properties };
}

async function duckTypes(path: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const rows = (
      await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
    ).getRowObjectsJson();
    return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/**
 * What the benchmark's writer comparison rests on: which writers write stac-geoparquet with the
 * types its readers expect. A writer that gets one wrong is disqualified, whatever its speed.
 */
const EXPECTED: Record<ParquetWriterName, { datetime: string }> = {
  'hyparquet-writer': { datetime: 'TIMESTAMP WITH TIME ZONE' },
  'parquet-wasm': { datetime: 'TIMESTAMP WITH TIME ZONE' },
  // Legacy converted types only: no UTC adjustment, so readers take datetime for local time.
  parquetjs: { datetime: 'TIMESTAMP' },
};

describe('the candidate Parquet writers', () => {
  for (const writer of PARQUET_WRITERS) {
    it(`${writer}: writes what the project's ingest reads back as the same Items, with datetime as ${EXPECTED[writer].datetime}`, async () => {
      const path = join(root, `${writer}.parquet`);
      await writeWith(writer, items, path);
      const back = await collect(path);
      expect(back.failures.count).toBe(0);
      expect(multiset(back.items)).toEqual(multiset(items.map(toMillis)));
      const types = await duckTypes(path);
      expect(types.datetime).toBe(EXPECTED[writer].datetime);
      expect(types.bbox).toBe('STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)');
      expect(types.links).toMatch(/^STRUCT\(rel VARCHAR, href VARCHAR.*\)\[\]$/);
      expect(types.stac_extensions).toBe('VARCHAR[]');
      expect(types.geometry).toMatch(/^GEOMETRY/);
    });
  }
});
