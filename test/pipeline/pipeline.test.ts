import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWorkerPool, FailureCollector, type StrategyName } from '../../src/ingest/index.js';
import { MARKER, SinkError, type SinkKind } from '../../src/output/index.js';
import { PipelineError, runPipeline } from '../../src/pipeline/index.js';
import type { StacItem } from '../../src/stac/item.js';
import { makeItem, makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let source: string;
const valid = makeItems(120);
const invalid = [3, 4, 5].map((i) => {
  const item = makeItem(1000 + i);
  item.properties.datetime = 'not a date';
  return item;
});

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  source = join(root, 'source');
  await writeItemsDir(source, [...valid, ...invalid]);
  // A second file with an id already seen: one copy is written.
  await writeFile(join(source, 'zz-copy.json'), JSON.stringify(valid[7]));
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

/** The same JSON value with its object keys sorted, as a hash: equal content, equal hash. */
function canonicalHash(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(sort(value)))
    .digest('hex');
}

const BASE = 'https://stac.example.org/out';

/** What `update` should make of an Item, computed here by hand. */
function expectedUpdate(item: StacItem): StacItem {
  const collection = `${BASE}/test/collection.json`;
  return {
    ...item,
    properties: { ...item.properties, 'proc:level': 'L2' },
    links: [
      { rel: 'self', href: `${BASE}/test/items/${item.id}.json`, type: 'application/geo+json' },
      { rel: 'root', href: collection, type: 'application/json' },
      { rel: 'parent', href: collection, type: 'application/json' },
      { rel: 'collection', href: collection, type: 'application/json' },
    ],
  };
}

/** The Items of an output, read back. */
async function readOutput(kind: SinkKind, path: string): Promise<StacItem[]> {
  if (kind === 'ndjson') {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  }
  const folder = join(path, 'test', 'items');
  const names = await readdir(folder);
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(folder, n), 'utf8'))));
}

let n = 0;
const outPath = (kind: SinkKind) => join(root, kind === 'ndjson' ? `out-${++n}.ndjson` : `out-${++n}`);

describe('runPipeline with the caller placement', () => {
  const cases: [StrategyName, number, SinkKind][] = [
    ['sequential', 1, 'directory'],
    ['concurrent', 8, 'directory'],
    ['worker-threads', 2, 'directory'],
    ['worker-threads', 2, 'ndjson'],
  ];
  it.each(cases)(
    'writes every valid input Item exactly once, transformed as asked (%s x%i into %s)',
    async (strategy, concurrency, kind) => {
      const path = outPath(kind);
      const failures = new FailureCollector();
      const report = await runPipeline({
        source,
        placement: 'caller',
        ingest: { strategy, concurrency },
        transforms: ['update', 'validate'],
        transformOptions: { properties: { 'proc:level': 'L2' }, baseUrl: BASE },
        to: { kind, path },
        failures,
      });
      expect(report).toMatchObject({ items_in: 124, written: 120, invalid: 3, duplicates: 1, failures: 3 });
      expect(report.sink).toEqual({ path, kind, written: 120, duplicates: 1 });
      const out = await readOutput(kind, path);
      expect(out.map((i) => i.id).sort()).toEqual(valid.map((i) => i.id).sort());
      expect(out.map(canonicalHash).sort()).toEqual(
        valid.map((i) => canonicalHash(expectedUpdate(i))).sort(),
      );
      expect(failures.failures.map((f) => f.reason)).toEqual(
        Array(3).fill('validate: properties.datetime: not an RFC 3339 date-time'),
      );
      for (const s of Object.values(report.stage_seconds)) expect(s).toBeGreaterThanOrEqual(0);
    },
  );

  it('writes the source collection as collection.json when the source folder has one', async () => {
    const folder = join(root, 'with-collection');
    await writeItemsDir(join(folder, 'items'), makeItems(5));
    const collection = {
      type: 'Collection',
      stac_version: '1.1.0',
      id: 'test',
      description: 'from the source',
      license: 'CC0-1.0',
      extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
      links: [],
    };
    await writeFile(join(folder, 'collection.json'), JSON.stringify(collection));
    const path = outPath('directory');
    await runPipeline({
      source: folder,
      placement: 'caller',
      ingest: { strategy: 'sequential', concurrency: 1 },
      transforms: [],
      to: { kind: 'directory', path },
    });
    expect(JSON.parse(await readFile(join(path, 'test', 'collection.json'), 'utf8'))).toEqual(collection);
  });

  it('stops on a sink error with an error naming the path and how many Items were written', async () => {
    const folder = join(root, 'two-collections');
    await writeItemsDir(folder, [
      ...makeItems(10),
      ...makeItems(10, 10).map((i) => ({ ...i, collection: 'b' })),
    ]);
    const path = outPath('directory');
    // Once the first Item is written, the items folder of collection `b` cannot be created.
    let sabotaged = false;
    const error = await runPipeline({
      source: folder,
      placement: 'caller',
      ingest: { strategy: 'sequential', concurrency: 1 },
      transforms: [],
      to: { kind: 'directory', path },
      onProgress: () => {
        if (sabotaged) return;
        sabotaged = true;
        mkdirSync(join(path, 'b'));
        writeFileSync(join(path, 'b', 'items'), 'in the way');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const e = error as PipelineError;
    expect(e.cause).toBeInstanceOf(SinkError);
    expect(e.message).toContain(join(path, 'b', 'items'));
    expect(e.message).toMatch(/; 10 Items were written before it stopped$/);
    expect(e.written).toBe(10);
    expect((await readdir(join(path, 'test', 'items'))).sort()).toEqual(
      makeItems(10).map((i) => `${i.id}.json`),
    );
  });

  it('refuses an output folder that cannot be written before reading anything', async () => {
    await expect(
      runPipeline({
        source,
        placement: 'caller',
        ingest: { strategy: 'sequential', concurrency: 1 },
        transforms: [],
        to: { kind: 'directory', path: '/proc/stac-pipeline-out' },
      }),
    ).rejects.toThrow(/^\/proc\/stac-pipeline-out: /);
  });

  it('leaves only complete Item files when aborted mid-run', async () => {
    const path = outPath('directory');
    const abort = new AbortController();
    const error = await runPipeline({
      source,
      placement: 'caller',
      ingest: { strategy: 'worker-threads', concurrency: 2 },
      transforms: ['validate'],
      to: { kind: 'directory', path },
      signal: abort.signal,
      onProgress: (written) => {
        if (written === 20) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(/the run was aborted; \d+ Items were written before it stopped/);
    const written = (error as PipelineError).written;
    expect(written).toBeGreaterThanOrEqual(20);
    expect(written).toBeLessThan(120);
    const names = await readdir(join(path, 'test', 'items'));
    expect(names).toHaveLength(written);
    const byId = new Map(valid.map((i) => [i.id, i]));
    for (const name of names) {
      const item = JSON.parse(await readFile(join(path, 'test', 'items', name), 'utf8'));
      expect(item).toEqual(byId.get(name.replace(/\.json$/, '')));
    }
    expect(await readdir(path)).toEqual([MARKER, 'test']);
  });
});
