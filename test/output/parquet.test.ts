import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateItems, makeCollection } from '../../src/fixtures/profiles.js';
import { writeDataset } from '../../src/fixtures/writers.js';
import { openParquet } from '../../src/ingest/decode/parquet-readers.js';
import { FailureCollector } from '../../src/ingest/types.js';
import {
  finishSink,
  openSinkWriter,
  prepareSink,
  type SinkTarget,
  type SinkWriter,
} from '../../src/output/index.js';
import { ROW_GROUP_BYTES, ROW_GROUP_ROWS } from '../../src/output/parquet.js';
import { runPipeline } from '../../src/pipeline/index.js';
import { TIMESTAMP_PROPERTIES } from '../../src/stac/geoparquet.js';
import type { StacItem } from '../../src/stac/item.js';
import { wkbToGeometry } from '../../src/stac/wkb.js';
import { collect, multiset, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

let n = 0;
async function newTarget(): Promise<SinkTarget> {
  const target: SinkTarget = { kind: 'parquet', path: join(root, `out-${++n}.parquet`) };
  await prepareSink(target, { inputs: [] });
  return target;
}

/** Writes Items the way the pipeline does: refuse, serialize, write. */
async function writeAll(writer: SinkWriter, items: readonly StacItem[]): Promise<string[]> {
  const refused: string[] = [];
  for (const item of items) {
    const problem = writer.refuse(item);
    if (problem !== null) refused.push(problem);
    else await writer.write(item, writer.serialize(item));
  }
  return refused;
}

/** An Item as a Parquet round trip gives it back: timestamps to the millisecond, in UTC. */
function toMillis(item: StacItem): StacItem {
  const properties = { ...item.properties };
  for (const key of TIMESTAMP_PROPERTIES) {
    const v = properties[key];
    if (typeof v === 'string') properties[key] = new Date(v).toISOString();
  }
  return { ...item, properties };
}

function hidden(names: string[]): string[] {
  return names.filter((f) => f.startsWith('.'));
}

/** Every Item of a single file or of a dataset folder's parts, read by the project's own ingest. */
async function readBack(path: string): Promise<StacItem[]> {
  if (!(await stat(path)).isDirectory()) return (await collect(path)).items;
  const parts = (await readdir(path)).filter((f) => f.endsWith('.parquet')).sort();
  const out: StacItem[] = [];
  for (const p of parts) out.push(...(await collect(join(path, p))).items);
  return out;
}

async function duck<T>(use: (query: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>) {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return await use(
      async (sql) => (await con.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[],
    );
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const PROFILES = [
  { profile: 'small' as const, count: 2300 },
  { profile: 'sentinel-2' as const, count: 1500 },
];

describe('the stac-geoparquet sink', () => {
  for (const { profile, count } of PROFILES) {
    const items = [...generateItems({ profile, count, seed: 7 })];
    const collection = makeCollection({ profile, count, seed: 7 });

    it(`gives back every ${profile} Item through the project's ingest, from one writer`, async () => {
      const target = await newTarget();
      const writer = await openSinkWriter(target, { collection });
      expect(await writeAll(writer, items)).toEqual([]);
      const summary = await finishSink(target, [await writer.close()], { collection });
      expect(summary).toEqual({ path: target.path, kind: 'parquet', written: count, duplicates: 0 });
      expect((await stat(target.path)).isFile()).toBe(true);
      const back = await readBack(target.path);
      expect(multiset(back)).toEqual(multiset(items.map(toMillis)));
      expect(hidden(await readdir(root))).toEqual([]);
      // Row groups of ROW_GROUP_ROWS rows: memory is bounded by a row group, not by the file.
      const file = await openParquet(target.path);
      expect(file.rowGroupRows[0]).toBe(ROW_GROUP_ROWS);
    });

    it(`gives back every ${profile} Item from two shards as a dataset folder with one schema`, async () => {
      const target = await newTarget();
      const a = await openSinkWriter(target, { collection }, 0);
      const b = await openSinkWriter(target, { collection }, 1);
      await Promise.all([
        writeAll(
          a,
          items.filter((_, i) => i % 3 !== 0),
        ),
        writeAll(
          b,
          items.filter((_, i) => i % 3 === 0),
        ),
      ]);
      const summary = await finishSink(target, [await a.close(), await b.close()], { collection });
      expect(summary).toMatchObject({ written: count, duplicates: 0 });
      expect((await readdir(target.path)).sort()).toEqual([
        '.stac-ingest-bench',
        'part-00000.parquet',
        'part-00001.parquet',
      ]);
      expect(multiset(await readBack(target.path))).toEqual(multiset(items.map(toMillis)));
    });
  }

  it('writes files DuckDB reads with the same rows, ids, UTC datetimes and WKB geometries', async () => {
    const items = [...generateItems({ profile: 'sentinel-2', count: 1200, seed: 3 })];
    const single = await newTarget();
    const w = await openSinkWriter(single, {});
    await writeAll(w, items);
    await finishSink(single, [await w.close()], {});
    const dataset = await newTarget();
    const shards = [await openSinkWriter(dataset, {}, 0), await openSinkWriter(dataset, {}, 1)];
    await writeAll(shards[0]!, items.slice(0, 500));
    await writeAll(shards[1]!, items.slice(500));
    await finishSink(dataset, [await shards[0]!.close(), await shards[1]!.close()], {});

    const byId = new Map(items.map((i) => [i.id, i]));
    for (const source of [`'${single.path}'`, `'${dataset.path}/*.parquet'`]) {
      await duck(async (query) => {
        const types = Object.fromEntries(
          (await query(`DESCRIBE SELECT * FROM read_parquet(${source})`)).map((r) => [
            r.column_name,
            r.column_type,
          ]),
        );
        expect(types.datetime).toBe('TIMESTAMP WITH TIME ZONE');
        // DuckDB takes the column for a geometry from the `geo` metadata.
        expect(types.geometry).toMatch(/^GEOMETRY/);
        expect(types.bbox).toBe('STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)');
        expect(types.links).toMatch(/^STRUCT\(rel VARCHAR, href VARCHAR.*\)\[\]$/);
        expect(types.stac_extensions).toBe('VARCHAR[]');
        expect(types.assets).toMatch(/^STRUCT\(/);
        // Its spatial extension cannot be loaded offline: read the WKB bytes and decode them here.
        await query('SET enable_geoparquet_conversion = false');
        const rows = await query(
          `SELECT id, epoch_ms(datetime) AS ms, geometry FROM read_parquet(${source}) ORDER BY id`,
        );
        expect(rows).toHaveLength(items.length);
        expect(rows.map((r) => r.id)).toEqual([...byId.keys()].sort());
        for (const row of rows) {
          const item = byId.get(String(row.id))!;
          const dt = item.properties.datetime;
          expect(row.ms === null ? null : Number(row.ms)).toBe(dt === null ? null : Date.parse(dt!));
          const wkb = (row.geometry as { bytes: Uint8Array }).bytes;
          expect(wkbToGeometry(wkb)).toEqual(item.geometry);
        }
        const kv = await query(
          `SELECT DISTINCT decode(key) AS key FROM parquet_kv_metadata(${source}) ORDER BY 1`,
        );
        expect(kv.map((r) => r.key)).toEqual(['geo', 'stac-geoparquet']);
      });
    }
  });

  it('refuses a later Item that brings a new property, naming it, and writes the rest', async () => {
    const items = [...generateItems({ profile: 'small', count: ROW_GROUP_ROWS + 10, seed: 1 })];
    // One Item of the first batch has a property the others lack: it is in the schema.
    items[5] = { ...items[5]!, properties: { ...items[5]!.properties, 'x:early': 'yes' } };
    const late = items[ROW_GROUP_ROWS + 3]!;
    items[ROW_GROUP_ROWS + 3] = { ...late, properties: { ...late.properties, 'x:late': 1 } };
    const wrongType = items[ROW_GROUP_ROWS + 4]!;
    items[ROW_GROUP_ROWS + 4] = { ...wrongType, properties: { ...wrongType.properties, 'x:early': 2 } };
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    const refused = await writeAll(writer, items);
    expect(refused).toEqual([
      expect.stringMatching(
        /^property 'x:late' is not in the schema \(the Parquet schema was chosen from the first 1000 Items\)$/,
      ),
      expect.stringMatching(/^property 'x:early' is a double, the schema has string/),
    ]);
    await finishSink(target, [await writer.close()], {});
    const back = await readBack(target.path);
    expect(back).toHaveLength(items.length - 2);
    expect(back.find((i) => i.id === items[5]!.id)?.properties['x:early']).toBe('yes');
  });

  it('writes each Item as its own row whatever order refuse, serialize and write come in', async () => {
    const items = [...generateItems({ profile: 'small', count: ROW_GROUP_ROWS + 20, seed: 3 })];
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    // The first batch refused all at once, then written (as a caller holding Items does).
    const first = items.slice(0, ROW_GROUP_ROWS);
    for (const item of first) expect(writer.refuse(item)).toBeNull();
    for (const item of first) await writer.write(item, new Uint8Array(0));
    // The schema is chosen: an Item refused between another's refuse and write, and written anyway.
    const later = items.slice(ROW_GROUP_ROWS);
    const bad = { ...later[5]!, id: 'bad', properties: { ...later[5]!.properties, 'x:late': 1 } };
    expect(writer.refuse(later[0]!)).toBeNull();
    expect(writer.refuse(bad)).toMatch(/^property 'x:late' is not in the schema/);
    await writer.write(later[0]!, writer.serialize(later[0]!));
    await expect(writer.write(bad, new Uint8Array(0))).rejects.toThrow(
      /cannot write an Item: property 'x:late' is not in the schema/,
    );
    for (const item of later.slice(1)) await writer.write(item, new Uint8Array(0));
    await finishSink(target, [await writer.close()], {});
    const back = await readBack(target.path);
    expect(multiset(back)).toEqual(multiset(items.map(toMillis)));
  });

  it('counts an Item the schema refuses as a failure of the pipeline', async () => {
    const source = join(root, 'src-late.ndjson');
    const items = [...generateItems({ profile: 'small', count: ROW_GROUP_ROWS + 2, seed: 2 })];
    const last = items.at(-1)!;
    items[items.length - 1] = { ...last, properties: { ...last.properties, 'x:late': true } };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(source, `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);
    const failures = new FailureCollector();
    const report = await runPipeline({
      source,
      placement: 'caller',
      ingest: { strategy: 'sequential', concurrency: 1 },
      transforms: [],
      to: { kind: 'parquet', path: join(root, 'late.parquet') },
      failures,
    });
    expect(report).toMatchObject({ items_in: items.length, written: items.length - 1 });
    expect(failures.failures).toEqual([
      {
        source: expect.stringContaining(last.id),
        reason: expect.stringMatching(/^not written: property 'x:late' is not in the schema/),
      },
    ]);
  });

  it('unifies shards whose first batches differ: the dataset has one schema and keeps every value', async () => {
    const items = [...generateItems({ profile: 'small', count: 40, seed: 4 })];
    const withExtra = items
      .slice(0, 20)
      .map((i) => ({ ...i, properties: { ...i.properties, 'x:only-a': 7 } }));
    const target = await newTarget();
    const a = await openSinkWriter(target, {}, 0);
    const b = await openSinkWriter(target, {}, 1);
    await writeAll(a, withExtra);
    await writeAll(b, items.slice(20));
    await finishSink(target, [await a.close(), await b.close()], {});
    expect(multiset(await readBack(target.path))).toEqual(
      multiset([...withExtra, ...items.slice(20)].map(toMillis)),
    );
    await duck(async (query) => {
      const rows = await query(
        `SELECT count(*)::INTEGER AS n, count("x:only-a")::INTEGER AS extra FROM read_parquet('${target.path}/*.parquet')`,
      );
      expect(rows).toEqual([{ n: 40, extra: 20 }]);
    });
  });

  it('keeps the first copy of an id across shards and counts the later one a duplicate', async () => {
    const items = [...generateItems({ profile: 'small', count: 30, seed: 5 })];
    const target = await newTarget();
    const a = await openSinkWriter(target, {}, 0);
    const b = await openSinkWriter(target, {}, 1);
    await writeAll(a, items.slice(0, 20));
    const copies = items.slice(15).map((i) => ({ ...i, properties: { ...i.properties, platform: 'copy' } }));
    await writeAll(b, copies);
    const summary = await finishSink(target, [await a.close(), await b.close()], {});
    expect(summary).toMatchObject({ written: 30, duplicates: 5 });
    const back = await readBack(target.path);
    expect(multiset(back)).toEqual(multiset([...items.slice(0, 20), ...copies.slice(5)].map(toMillis)));
  });

  it('makes smaller row groups of large Items, so a group stays near ROW_GROUP_BYTES of JSON', async () => {
    const padding = 'x'.repeat(100_000);
    const items = [...generateItems({ profile: 'small', count: 400, seed: 8 })].map((item) => ({
      ...item,
      properties: { ...item.properties, 'x:padding': padding },
    }));
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    expect(await writeAll(writer, items)).toEqual([]);
    await finishSink(target, [await writer.close()], {});
    const perItem = JSON.stringify(items[0]).length;
    const groups = (await openParquet(target.path)).rowGroupRows;
    expect(groups.reduce((a, b) => a + b, 0)).toBe(400);
    expect(groups.length).toBeGreaterThan(2);
    for (const rows of groups) expect(rows * perItem).toBeLessThanOrEqual(ROW_GROUP_BYTES + perItem);
    expect(multiset(await readBack(target.path))).toEqual(multiset(items.map(toMillis)));
  });

  it('leaves no file at the final path, nor temp files, when a write is interrupted', async () => {
    const items = [...generateItems({ profile: 'small', count: 2500, seed: 6 })];
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    await writeAll(writer, items.slice(0, 2200)); // two row groups already in the temp file
    await writer.abort();
    await expect(stat(target.path)).rejects.toThrow(/ENOENT/);
    expect(hidden(await readdir(root))).toEqual([]);

    // The same through the pipeline, stopped by its signal part-way.
    const source = join(root, 'src-abort.ndjson');
    await writeDataset({ format: 'ndjson', profile: 'small', count: 3000, seed: 6, path: source });
    const stop = new AbortController();
    const to = { kind: 'parquet' as const, path: join(root, 'aborted.parquet') };
    await expect(
      runPipeline({
        source: `${source}`,
        placement: 'caller',
        ingest: { strategy: 'sequential', concurrency: 1 },
        transforms: [],
        to,
        signal: stop.signal,
        onProgress: (written) => {
          if (written === 1500) stop.abort();
        },
      }),
    ).rejects.toThrow(/aborted/);
    await expect(stat(to.path)).rejects.toThrow(/ENOENT/);
    expect(hidden(await readdir(root))).toEqual([]);
  });

  it('replaces a dataset folder it made, and refuses a folder it did not make', async () => {
    const target = await newTarget();
    const a = await openSinkWriter(target, {}, 0);
    await writeAll(a, [...generateItems({ profile: 'small', count: 5, seed: 8 })]);
    await finishSink(target, [await a.close()], {});
    await prepareSink(target, { inputs: [] });
    const w = await openSinkWriter(target, {});
    await writeAll(w, [...generateItems({ profile: 'small', count: 3, seed: 9 })]);
    await finishSink(target, [await w.close()], {});
    expect((await stat(target.path)).isFile()).toBe(true);
    expect(await readBack(target.path)).toHaveLength(3);

    const foreign = join(root, 'foreign.parquet');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(foreign);
    await expect(prepareSink({ kind: 'parquet', path: foreign }, { inputs: [] })).rejects.toThrow(
      /did not make/,
    );
  });
});
