import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDataset } from '../../src/fixtures/writers.js';
import { closeWorkerPool, FailureCollector } from '../../src/ingest/index.js';
import { MARKER, SinkError, type SinkKind } from '../../src/output/index.js';
import {
  closePipelinePool,
  PIPELINE_WORKER_HEAP_MB,
  PipelineError,
  type PipelineOptions,
  type PipelineReport,
  pipelineWorkers,
  runPipeline,
} from '../../src/pipeline/index.js';
import type { StacItem } from '../../src/stac/item.js';
import { makeItem, makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';
import { canonicalHash, contentList, killSecondWorkerAfter, readOutput } from '../support/pipeline-output.js';

let root: string;
let remove: () => Promise<void>;
const COUNT = 1500;
const sources: Record<string, string> = {};

/** An Item that `validate` refuses. */
function invalidItem(i: number): StacItem {
  const item = makeItem(i);
  item.properties.datetime = 'not a date';
  return item;
}

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  const data = (format: Parameters<typeof writeDataset>[0]['format'], path: string) =>
    writeDataset({ format, path: join(root, path), profile: 'small', count: COUNT, seed: 7 });
  // Each source has Items, and where the format allows, broken inputs, invalid Items and a duplicate.
  const dir = await data('directory', 'directory');
  const names = (await readdir(dir.path)).sort();
  await writeFile(join(dir.path, 'zz-broken.json'), '{"type": "Feature", ');
  await writeFile(join(dir.path, 'zz-invalid.json'), JSON.stringify(invalidItem(1)));
  await writeFile(join(dir.path, 'zz-copy.json'), await readFile(join(dir.path, names[3]!)));
  sources.directory = dir.path;

  const nd = await data('ndjson', 'items.ndjson');
  const lines = (await readFile(nd.path, 'utf8')).split('\n').filter((l) => l !== '');
  const extra = ['{"broken": ', JSON.stringify(invalidItem(2)), lines[10]!];
  await writeFile(nd.path, `${[...lines.slice(0, 700), ...extra, ...lines.slice(700)].join('\n')}\n`);
  sources.ndjson = nd.path;

  // A FeatureCollection of several 1 MiB chunks, with a feature that is not an Item and an invalid one.
  const features = [
    ...lines.slice(0, 900),
    '{"type": "Feature"}',
    JSON.stringify(invalidItem(3)),
    ...lines.slice(900),
  ];
  sources['feature-collection'] = join(root, 'collection.json.fc.json');
  await writeFile(
    sources['feature-collection'],
    `{"type": "FeatureCollection", "features": [\n${features.join(',\n')}\n]}\n`,
  );

  const catalog = await data('catalog', 'catalog');
  const doc = JSON.parse(await readFile(catalog.path, 'utf8'));
  doc.links.push({ rel: 'item', href: './missing/missing.json', type: 'application/geo+json' });
  await writeFile(catalog.path, JSON.stringify(doc));
  sources.catalog = catalog.path;

  sources.parquet = (await data('parquet', 'items.parquet')).path;
}, 120_000);

afterAll(async () => {
  await closePipelinePool();
  await closeWorkerPool();
  await remove();
});

let n = 0;
const outPath = (kind: SinkKind) => join(root, kind === 'directory' ? `out-${++n}` : `out-${++n}.${kind}`);

interface Run {
  report: PipelineReport;
  failures: string[];
  content: string[];
}

async function runBoth(source: string, kind: SinkKind, extra: Partial<PipelineOptions> = {}): Promise<Run[]> {
  const runs: Run[] = [];
  for (const placement of ['caller', 'sharded'] as const) {
    const failures = new FailureCollector();
    const path = outPath(kind);
    const common = {
      source,
      transforms: ['update', 'validate'],
      transformOptions: { baseUrl: 'https://stac.example.org/out', properties: { 'proc:level': 'L2' } },
      to: { kind, path },
      failures,
      ...extra,
    };
    const report = await runPipeline(
      placement === 'caller'
        ? { ...common, placement, ingest: { strategy: 'worker-threads', concurrency: 2 } }
        : { ...common, placement, workers: 2 },
    );
    runs.push({
      report,
      failures: failures.failures.map((f) => `${f.source}: ${f.reason}`).sort(),
      content: contentList(await readOutput(kind, path)),
    });
  }
  return runs;
}

const counts = (r: PipelineReport) => {
  const { items_in, written, invalid, duplicates, failures } = r;
  return { items_in, written, invalid, duplicates, failures };
};

describe('runPipeline with the sharded placement', () => {
  const expected: Record<string, { written: number; invalid: number; failures: number; duplicates: number }> =
    {
      directory: { written: COUNT, invalid: 1, failures: 2, duplicates: 1 },
      ndjson: { written: COUNT, invalid: 1, failures: 2, duplicates: 1 },
      'feature-collection': { written: COUNT, invalid: 1, failures: 2, duplicates: 0 },
      catalog: { written: COUNT, invalid: 0, failures: 1, duplicates: 0 },
      parquet: { written: COUNT, invalid: 0, failures: 0, duplicates: 0 },
    };
  it.each(Object.keys(expected))(
    'writes the same Items with the same content and the same failures as caller (%s source)',
    async (format) => {
      const [caller, sharded] = await runBoth(sources[format]!, 'directory');
      expect(counts(sharded!.report)).toEqual(counts(caller!.report));
      expect(counts(sharded!.report)).toMatchObject(expected[format]!);
      expect(sharded!.content).toHaveLength(COUNT);
      expect(sharded!.content).toEqual(caller!.content);
      expect(sharded!.failures).toEqual(caller!.failures);
      for (const s of Object.values(sharded!.report.stage_seconds)) expect(s).toBeGreaterThan(0);
    },
    60_000,
  );

  it.each(['ndjson', 'parquet'] as const)(
    'writes the same Items with the same content as caller into a %s sink (the sink generic: one part per worker)',
    async (kind) => {
      const [caller, sharded] = await runBoth(sources.directory!, kind);
      expect(counts(sharded!.report)).toEqual(counts(caller!.report));
      expect(sharded!.content).toHaveLength(COUNT);
      expect(sharded!.content).toEqual(caller!.content);
    },
    60_000,
  );

  it('runs its workers with a bounded heap, and writes large Items to Parquet within it', async () => {
    const [worker] = pipelineWorkers(1);
    expect(worker!.resourceLimits?.maxOldGenerationSizeMb).toBe(PIPELINE_WORKER_HEAP_MB);
    const source = join(root, 'sentinel-2.ndjson');
    await writeDataset({ format: 'ndjson', path: source, profile: 'sentinel-2', count: 2500, seed: 4 });
    const path = outPath('parquet');
    const report = await runPipeline({
      source,
      placement: 'sharded',
      workers: 2,
      transforms: [],
      to: { kind: 'parquet', path },
    });
    expect(report.written).toBe(2500);
    expect(await readOutput('parquet', path)).toHaveLength(2500);
  }, 60_000);

  it('stops after maxItems Items counted over all workers', async () => {
    const path = outPath('directory');
    const report = await runPipeline({
      source: sources.ndjson!,
      placement: 'sharded',
      workers: 2,
      transforms: [],
      ingestOptions: { maxItems: 333 },
      to: { kind: 'directory', path },
    });
    expect(report.items_in).toBe(333);
    expect(report.written).toBe(333);
    expect(await readOutput('directory', path)).toHaveLength(333);
  });
});

describe('a sharded run that stops', () => {
  let folder: string;
  const items = makeItems(400);
  beforeAll(async () => {
    folder = join(root, 'stops');
    await writeItemsDir(folder, items);
  });

  /** Every Item file in the output is complete and as written; no temp file remains unless `temps`. */
  async function onlyCompleteFiles(path: string, written: number, temps: boolean): Promise<void> {
    const names = await readdir(join(path, 'test', 'items'));
    const finals = names.filter((name) => !name.startsWith('.'));
    if (!temps) expect(finals).toEqual(names);
    expect(finals).toHaveLength(written);
    const byId = new Map(items.map((i) => [i.id, canonicalHash(i)]));
    for (const name of finals) {
      const item = JSON.parse(await readFile(join(path, 'test', 'items', name), 'utf8'));
      expect(canonicalHash(item)).toBe(byId.get(name.replace(/\.json$/, '')));
    }
  }

  it('names the share a dead worker was writing, and says how many Items were written', async () => {
    const path = outPath('directory');
    const error = await runPipeline({
      source: folder,
      placement: 'sharded',
      workers: 2,
      ingestOptions: { batchSize: 8 },
      transforms: [],
      to: { kind: 'directory', path },
      onProgress: killSecondWorkerAfter(40),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const e = error as PipelineError;
    expect(e.message).toMatch(
      /^pipeline worker exited \(code 1\) while running shard 1, writing .*stops\/item-\d+\.json \(and 7 more files\)/,
    );
    expect(e.message).toMatch(/; \d+ Items were written before it stopped$/);
    expect(e.written).toBeGreaterThanOrEqual(40);
    expect(e.written).toBeLessThan(400);
    // The dead worker's temp files may remain (hidden; the next run into the folder removes them).
    const names = await readdir(join(path, 'test', 'items'));
    await onlyCompleteFiles(path, names.filter((name) => !name.startsWith('.')).length, true);

    // The pool replaces the dead worker, and a rerun into the folder writes everything.
    const again = await runPipeline({
      source: folder,
      placement: 'sharded',
      workers: 2,
      transforms: [],
      to: { kind: 'directory', path },
    });
    expect(again.written).toBe(400);
    await onlyCompleteFiles(path, 400, false);
  });

  it('leaves only complete Item files and no temp file when aborted mid-run', async () => {
    const path = outPath('directory');
    const abort = new AbortController();
    const error = await runPipeline({
      source: folder,
      placement: 'sharded',
      workers: 2,
      ingestOptions: { batchSize: 8 },
      transforms: ['validate'],
      to: { kind: 'directory', path },
      signal: abort.signal,
      onProgress: (written) => {
        if (written >= 40) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const e = error as PipelineError;
    expect(e.message).toMatch(/the run was aborted; \d+ Items were written before it stopped$/);
    expect(e.written).toBeGreaterThanOrEqual(40);
    expect(e.written).toBeLessThan(400);
    await onlyCompleteFiles(path, e.written, false);
    expect(await readdir(path)).toEqual([MARKER, 'test']);
  });

  it('stops on a sink error in a worker with an error naming the path', async () => {
    const source = join(root, 'two-collections');
    await writeItemsDir(source, [
      ...makeItems(40),
      ...makeItems(40, 40).map((i) => ({ ...i, collection: 'b' })),
    ]);
    const path = outPath('directory');
    let sabotaged = false;
    const error = await runPipeline({
      source,
      placement: 'sharded',
      workers: 2,
      ingestOptions: { batchSize: 4 },
      transforms: [],
      to: { kind: 'directory', path },
      onProgress: () => {
        if (sabotaged) return;
        sabotaged = true;
        // The items folder of collection `b` cannot be created.
        void writeFile(join(path, 'b'), 'in the way');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const e = error as PipelineError;
    expect(e.cause).toBeInstanceOf(SinkError);
    expect(e.message).toContain(join(path, 'b', 'items'));
    expect(e.message).toMatch(/; \d+ Items were written before it stopped$/);
    const names = await readdir(join(path, 'test', 'items'));
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
    expect(names).toHaveLength(e.written);
  });
});
