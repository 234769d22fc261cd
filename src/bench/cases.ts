/**
 * The rows each bench file measures, as data: the settings and the prepared data expanded into
 * cases, per scenario its strategies at their levels, the variants worth comparing, then its floors.
 * Pure (no file system, no network, no vitest): the bench files loop over these cases and
 * src/bench/runs.ts turns each into the workload it measures. test/bench-cases.test.ts is the spec.
 */
import { DEFAULT_PARQUET_READER } from '../ingest/decode/parquet-readers.js';
import type { FileFormat, StrategyName } from '../ingest/types.js';
import type { SinkKind } from '../output/types.js';
import { ingestVariant } from '../profiling/pipeline-stages.js';
import {
  type DatasetInfo,
  type PipelineFigures,
  type ResultKind,
  resultKey,
  type Scenario,
} from '../profiling/result.js';
import type { TransformOptions } from '../transform/types.js';
import type { BenchApiInfo } from './api.js';
import type { DataPath, DataPaths } from './data.js';
import { PARQUET_WRITERS, type ParquetWriterName } from './parquet-writers.js';
import { type BenchSettings, pipelineLevels } from './settings.js';

/** What a row records: the options of measuredBench (src/vitest/measured-bench.ts). */
export interface CaseMeta {
  scenario: Scenario;
  kind: ResultKind;
  strategy: string;
  concurrency: number;
  variant: string | null;
  dataset: DatasetInfo;
  samples: number;
  warmups: number;
  /** Scenario `pipeline`: what the row runs (source format, transforms, sink kind). */
  pipeline?: Omit<PipelineFigures, 'stage_seconds'>;
}

/** The ingest options a file row passes (its variant may differ from the row's: uv-threadpool-N). */
export interface FileIngestOptions {
  strategy: StrategyName;
  concurrency: number;
  variant?: string;
}

/** What a file row runs: the ingest, or one of the floors (src/bench/floors.ts). */
export type FileWork =
  | { run: 'ingest'; format: FileFormat; source: string; options: FileIngestOptions }
  | { run: 'read-only'; format: FileFormat; source: string }
  | { run: 'parse-only'; format: FileFormat; source: string }
  | { run: 'decode-only'; format: 'parquet'; source: string }
  | { run: 'write'; format: 'parquet'; source: string; writer: ParquetWriterName; items: number };

export interface ApiIngestOptions {
  collectionId: string;
  strategy: StrategyName;
  concurrency: number;
  maxItems: number | undefined;
  maxRemoteConcurrency: number;
  /** A real API: the request-rate cap (--max-rps), kept over all the runs of the bench process. */
  maxRps?: number;
  /** A real API: headers to its origin (--header, --token-env). */
  headers?: Record<string, string>;
  /** A real API: the search parameters passed through (--bbox, --datetime, --query, --filter). */
  search?: Record<string, unknown>;
}

/**
 * What an api-search row runs: the search, or a pages floor (src/bench/api-floor.ts): the
 * collection's pages fetched with `inFlight` requests at a time, their bodies discarded.
 */
export type ApiWork =
  | { run: 'ingest'; url: string; options: ApiIngestOptions }
  | { run: 'pages'; collectionId: string; inFlight: number };

export interface BenchCase<W> {
  /** The bench's name: the vitest task and the progress line. */
  name: string;
  /** The `describe` block it is registered in. */
  group: string;
  meta: CaseMeta;
  work: W;
}

/**
 * What a pipeline row runs: the pipeline (its ingest setting feeding the caller placement, or the
 * sharded placement's workers), or a floor: the same Items, transformed and serialized beforehand,
 * written into the same sink (`write-only`), or transformed in memory (`transform-only`).
 */
export type PipelineWork =
  | {
      run: 'pipeline';
      source: string;
      format: FileFormat;
      ingest: { strategy: StrategyName; concurrency: number };
      transforms: string[];
      to: SinkKind;
    }
  | {
      run: 'sharded';
      source: string;
      format: FileFormat;
      workers: number;
      transforms: string[];
      to: SinkKind;
    }
  | { run: 'write-only'; source: string; format: FileFormat; transforms: string[]; to: SinkKind }
  | { run: 'transform-only'; source: string; format: FileFormat; transforms: string[] };

export type FileCase = BenchCase<FileWork>;
export type ApiCase = BenchCase<ApiWork>;
export type PipelineCase = BenchCase<PipelineWork>;

/**
 * The cases, checked to have distinct result keys: `compare` and the results schema tell rows
 * apart by key, so two rows under one key are refused here, before anything is measured, rather
 * than when the results are written.
 */
export function uniqueKeys<C extends BenchCase<unknown>>(cases: C[]): C[] {
  const seen = new Map<string, string>();
  for (const c of cases) {
    const key = resultKey(c.meta);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new Error(`the benches '${first}' and '${c.name}' would record the same result key '${key}'`);
    }
    seen.set(key, c.name);
  }
  return cases;
}

/** The JSON scenarios of bench/file-io.bench.ts, in the order they run. */
export const FILE_SCENARIOS = ['directory', 'feature-collection', 'ndjson', 'catalog'] as const;

/** `<scenario> <strategy>[ <variant>] x<level>`: the name of an ingest row. */
function rowName(format: string, strategy: string, concurrency: number, variant?: string | null): string {
  return `${format} ${strategy}${variant ? ` ${variant}` : ''} x${concurrency}`;
}

/** The middle worker level (the lower one of two), where the other hand-overs are measured. */
export function middleWorkers(settings: BenchSettings): number {
  return settings.workers[Math.floor((settings.workers.length - 1) / 2)] ?? 2;
}

function fileDataset(format: FileFormat, data: DataPath, profile: string): DatasetInfo {
  return {
    format,
    items: data.items,
    item_bytes_avg: data.itemBytesAvg,
    profile,
    page_size: null,
    latency_ms: null,
  };
}

/** Builds the cases of one file scenario; `ingest` adds a row, `floor` a floor row. */
function fileScenario(format: FileFormat, data: DataPath, dataset: DatasetInfo, settings: BenchSettings) {
  const cases: FileCase[] = [];
  const runs = { samples: settings.samples, warmups: settings.warmups };
  const scenario = format as Scenario;
  return {
    cases,
    ingest(
      strategy: StrategyName,
      concurrency: number,
      variant?: string,
      extra: { rowVariant?: string; samples?: number; warmups?: number } = {},
    ): void {
      const rowVariant = extra.rowVariant ?? variant ?? null;
      cases.push({
        name: rowName(format, strategy, concurrency, rowVariant),
        group: scenario,
        meta: {
          scenario,
          kind: 'ingest',
          strategy,
          concurrency,
          variant: rowVariant,
          dataset,
          samples: extra.samples ?? runs.samples,
          warmups: extra.warmups ?? runs.warmups,
        },
        work: {
          run: 'ingest',
          format,
          source: data.path,
          options: { strategy, concurrency, ...(variant ? { variant } : {}) },
        },
      });
    },
    floor(name: string, strategy: string, variant: string, work: FileWork): void {
      cases.push({
        name: `${format} floor ${name}`,
        group: scenario,
        meta: { scenario, kind: 'floor', strategy, concurrency: 1, variant, dataset, ...runs },
        work,
      });
    },
  };
}

/**
 * bench/file-io.bench.ts: per JSON scenario with data, `sequential` at 1, `concurrent` and
 * `worker-threads` at their levels, the variants, then the read-only and parse-only floors
 * (measured between the rows).
 * With `settings.uvSweep` set (a run for another libuv pool size), only the directory's
 * `concurrent` rows, as variant `uv-threadpool-N`.
 */
export function fileCases(settings: BenchSettings, dataPaths: DataPaths): FileCase[] {
  const out: FileCase[] = [];
  const sweep = settings.uvSweep;
  for (const format of FILE_SCENARIOS) {
    const data = dataPaths[format];
    if (!data) continue;
    if (sweep !== null && format !== 'directory') continue;
    const dataset = fileDataset(format, data, settings.directory ? 'user' : settings.profile);
    const s = fileScenario(format, data, dataset, settings);

    if (sweep !== null) {
      // The pool size is the process's own (UV_THREADPOOL_SIZE), not an ingest variant.
      for (const c of settings.concurrency)
        s.ingest('concurrent', c, undefined, { rowVariant: `uv-threadpool-${sweep}` });
      out.push(...s.cases);
      continue;
    }

    s.ingest('sequential', 1);
    // A FeatureCollection is one job (one file, read once, its features parsed as the caller pulls):
    // more reads in flight or more workers have nothing to do, so only the smallest levels are measured.
    const oneJob = format === 'feature-collection';
    for (const c of oneJob ? settings.concurrency.slice(0, 1) : settings.concurrency)
      s.ingest('concurrent', c);
    for (const w of oneJob ? settings.workers.slice(0, 1) : settings.workers) s.ingest('worker-threads', w);
    if (format === 'directory') {
      // The other hand-overs, at the middle worker level, measured where the most Items cross threads
      // per byte read: workers that parse too, each Item crossing as its JSON text (parse-in-worker)
      // or as a structured clone (clone); the default has workers only read.
      s.ingest('worker-threads', middleWorkers(settings), 'parse-in-worker');
      s.ingest('worker-threads', middleWorkers(settings), 'clone');
    }
    if (format === 'ndjson') {
      // Whole-file parse against the default 1 MiB byte ranges.
      s.ingest('sequential', 1, 'whole-file');
      s.ingest('concurrent', Math.max(...settings.concurrency), 'whole-file');
      // Workers that parse the lines too (each Item crossing as its JSON text).
      s.ingest('worker-threads', middleWorkers(settings), 'parse-in-worker');
    }
    // One JSON.parse of the whole collection against the default feature-by-feature parse.
    if (format === 'feature-collection') s.ingest('sequential', 1, 'whole-file');

    s.floor('read-only', 'read-only', 'sync-reused-buffer', { run: 'read-only', format, source: data.path });
    s.floor('parse-only', 'parse-only', 'json-parse-in-memory', {
      run: 'parse-only',
      format,
      source: data.path,
    });
    out.push(...s.cases);
  }
  return uniqueKeys(out);
}

/** Items each Parquet write row writes (the first of the dataset). */
export const WRITE_ITEMS = 2000;

/**
 * bench/parquet.bench.ts: the default reader under each strategy and level, then the other readers
 * and whole-file reads as variants of `sequential` (heap-hungry, so after every row they could
 * disturb), then the write rows (`sequential` x1, variant `write-<items>:<writer>`: the candidate
 * writers of the Parquet sink), then the read-only and decode-only floors (measured between the
 * rows). The slow readers and the writers run fewer samples (recorded per row).
 */
export function parquetCases(settings: BenchSettings, dataPaths: DataPaths): FileCase[] {
  const data = dataPaths.parquet;
  if (!data) return [];
  const s = fileScenario('parquet', data, fileDataset('parquet', data, settings.profile), settings);
  const slow = { samples: Math.min(settings.samples, 2), warmups: Math.min(settings.warmups, 1) };

  s.ingest('sequential', 1); // the default reader, by row group
  for (const c of settings.concurrency) s.ingest('concurrent', c);
  for (const w of settings.workers) s.ingest('worker-threads', w);
  // The other readers and whole-file reads last: they grow the heap by hundreds of MB, and a row run
  // after them inherited that heap (its throughput moved by a third between two runs of one commit).
  s.ingest('sequential', 1, `${DEFAULT_PARQUET_READER}+whole-file`);
  s.ingest('sequential', 1, 'hyparquet', slow);
  s.ingest('sequential', 1, 'hyparquet+whole-file', slow);
  s.ingest('sequential', 1, 'parquetjs', slow);
  // The writers the Parquet sink could use, each writing the dataset's first WRITE_ITEMS Items from
  // memory into a new file (which one the sink uses; test/bench/parquet-writers.test.ts checks the
  // types each writes). Few Items and runs: the write rows must stay cheap in `npm run bench`.
  const items = Math.min(WRITE_ITEMS, data.items);
  for (const writer of PARQUET_WRITERS) {
    const last = s.cases.at(-1)!;
    const runs = writer === 'parquetjs' ? { samples: 1, warmups: 0 } : slow;
    s.cases.push({
      ...last,
      name: `parquet write ${writer} (${items} items)`,
      meta: { ...last.meta, variant: `write-${items}:${writer}`, ...runs },
      work: { run: 'write', format: 'parquet', source: data.path, writer, items },
    });
  }

  s.floor('read-only', 'read-only', 'sync-reused-buffer', {
    run: 'read-only',
    format: 'parquet',
    source: data.path,
  });
  // The floor decodes with parquet-wasm whatever the default reader is.
  s.floor('decode-only', 'parse-only', 'parquet-wasm-decode-in-memory', {
    run: 'decode-only',
    format: 'parquet',
    source: data.path,
  });
  return uniqueKeys(s.cases);
}

/**
 * The api-search levels. `concurrent` at 1 is not measured: with one slot it plans no partitions
 * and runs the `sequential` code path exactly (same requests, one after another), so its row would
 * repeat the sequential row at the cost of a whole crawl.
 */
export function apiLevels(settings: BenchSettings): [StrategyName, number][] {
  return [
    ['sequential', 1],
    ...settings.concurrency.filter((c) => c > 1).map((c): [StrategyName, number] => ['concurrent', c]),
    ...settings.workers.map((w): [StrategyName, number] => ['worker-threads', w]),
  ];
}

/** The levels the pages floors are measured at: every level an api-search row runs at, ascending. */
export function apiFloorLevels(settings: BenchSettings): number[] {
  return [...new Set(apiLevels(settings).map(([, level]) => level))].sort((a, b) => a - b);
}

/** The strategy and variant of a pages floor row: `api-search/<items>/pages/bodies-discarded/<N>`. */
export const PAGES_FLOOR = { strategy: 'pages', variant: 'bodies-discarded' } as const;

/**
 * bench/api.bench.ts: per collection of the API, the search at every level and, against the local
 * API only, its pages floor at each of those levels (the ceiling of the rows at that level), with
 * the same samples and warm-ups. `itemBytes`: mean bytes of one Item per collection id (local API).
 */
export function apiCases(
  settings: BenchSettings,
  api: BenchApiInfo | null,
  itemBytes: ReadonlyMap<string, number | null> = new Map(),
): ApiCase[] {
  if (!api) return [];
  const out: ApiCase[] = [];
  for (const [index, c] of api.collections.entries()) {
    const group = `api-search ${c.id}`;
    const dataset: DatasetInfo = {
      format: 'stac-api',
      items: c.items ?? 0,
      item_bytes_avg: itemBytes.get(c.id) ?? null,
      profile: api.local ? settings.profile : 'real',
      page_size: api.pageSize,
      latency_ms: api.latencyMs,
    };
    const runs = { samples: settings.samples, warmups: settings.warmups };
    // With one request in flight a run is the collection's pages one round trip after another: it
    // lasts seconds, what a warm-up warms (JIT, the connection) is a small share of it, and its
    // noise is pooled over the scenario's rows; its share of `npm run bench` is kept down.
    const oneInFlight = { samples: Math.min(settings.samples, 2), warmups: 0 };
    // After the first collection, runs at one or two requests in flight last seconds too, and the
    // crawl pool's workers a warm-up would start were started by the first collection's rows (same
    // bench file, same pool): they run the same way.
    const fewInFlight = (level: number) => level <= 2 && index > 0;
    for (const [strategy, concurrency] of apiLevels(settings)) {
      const rowRuns = strategy === 'sequential' || fewInFlight(concurrency) ? oneInFlight : runs;
      out.push({
        name: `${group} ${strategy} x${concurrency}`,
        group,
        meta: {
          scenario: 'api-search',
          kind: 'ingest',
          strategy,
          concurrency,
          variant: null,
          dataset,
          ...rowRuns,
        },
        work: {
          run: 'ingest',
          url: api.url,
          options: {
            collectionId: c.id,
            strategy,
            concurrency,
            maxItems: api.local ? undefined : (settings.api.maxItems ?? undefined),
            // A real API: the levels asked for are the user's explicit choice.
            maxRemoteConcurrency: Math.max(...settings.concurrency, ...settings.workers),
            ...(!api.local && settings.api.maxRps !== null ? { maxRps: settings.api.maxRps } : {}),
            ...(!api.local && settings.api.headers ? { headers: settings.api.headers } : {}),
            ...(!api.local && settings.api.search ? { search: settings.api.search } : {}),
          },
        },
      });
    }
    // A real API is left alone: its pages floors would crawl someone else's server once per level.
    if (!api.local) continue;
    for (const inFlight of apiFloorLevels(settings)) {
      out.push({
        name: `${group} floor pages x${inFlight}`,
        group,
        meta: {
          scenario: 'api-search',
          kind: 'floor',
          ...PAGES_FLOOR,
          concurrency: inFlight,
          dataset,
          ...(inFlight === 1 || fewInFlight(inFlight) ? oneInFlight : runs),
        },
        work: { run: 'pages', collectionId: c.id, inFlight },
      });
    }
  }
  return uniqueKeys(out);
}

/**
 * The options of the bench's transforms: what a pipeline publishing Items elsewhere sets (a property,
 * asset hrefs under a new base, the links of the output catalog). Fixed, so every run does the
 * same work.
 */
export const PIPELINE_TRANSFORM_OPTIONS: TransformOptions = {
  properties: { 'processing:software': { 'stac-ingest-bench': '1' } },
  assetBaseUrl: 'https://data.example.org/assets',
  baseUrl: 'https://stac.example.org',
};

/**
 * bench/pipeline.bench.ts: the caller placement fed by `sequential` at 1 and the pipeline settings'
 * `concurrent` and `worker-threads` levels, the sharded placement at each `workers` level (strategy
 * `sharded`, concurrency the workers, no variant: no ingest strategy feeds it), then the floors
 * (measured between the rows):
 * `write-only` (the Items transformed and serialized beforehand, written into the same sink) and,
 * with transforms, `transform-only`. Nothing without the source's dataset or with the pipeline off.
 */
export function pipelineCases(settings: BenchSettings, dataPaths: DataPaths): PipelineCase[] {
  const p = settings.pipeline;
  const data = dataPaths[p.from];
  if (!p.enabled || !data) return [];
  const dataset = fileDataset(p.from, data, settings.profile);
  const runs = { samples: p.samples ?? settings.samples, warmups: p.warmups ?? settings.warmups };
  // The first warm-up is for starting a pool's workers (their modules, their code cold), which
  // otherwise lands in the first measured run; rows that start none (caller fed by sequential or
  // concurrent ingest, the floors, measured between rows whose code is warm) take one fewer.
  const noWorkers = { ...runs, warmups: Math.max(0, runs.warmups - 1) };
  const transforms = [...p.transforms];
  const figures = { source: p.from, transforms, sink: p.to };
  const common = { source: data.path, format: p.from };
  const out: PipelineCase[] = pipelineLevels(p).map(([strategy, concurrency]) => ({
    name: `pipeline caller ingest=${strategy} x${concurrency}`,
    group: 'pipeline',
    meta: {
      scenario: 'pipeline',
      kind: 'ingest',
      strategy: 'caller',
      concurrency,
      variant: ingestVariant(strategy, concurrency),
      dataset,
      ...(strategy === 'worker-threads' ? runs : noWorkers),
      pipeline: figures,
    },
    work: { run: 'pipeline', ...common, ingest: { strategy, concurrency }, transforms, to: p.to },
  }));
  if (p.placements.includes('sharded')) {
    for (const workers of p.workers) {
      out.push({
        name: `pipeline sharded x${workers}`,
        group: 'pipeline',
        meta: {
          scenario: 'pipeline',
          kind: 'ingest',
          strategy: 'sharded',
          concurrency: workers,
          variant: null,
          dataset,
          ...runs,
          pipeline: figures,
        },
        work: { run: 'sharded', ...common, workers, transforms, to: p.to },
      });
    }
  }
  const floor = (strategy: string, variant: string, sink: SinkKind | null, work: PipelineWork) =>
    out.push({
      name: `pipeline floor ${strategy}`,
      group: 'pipeline',
      meta: {
        scenario: 'pipeline',
        kind: 'floor',
        strategy,
        concurrency: 1,
        variant,
        dataset,
        ...noWorkers,
        pipeline: { source: p.from, transforms: sink ? [] : transforms, sink },
      },
      work,
    });
  floor('write-only', 'pre-serialized', p.to, { run: 'write-only', ...common, transforms, to: p.to });
  if (transforms.length > 0) {
    floor('transform-only', transforms.join('+'), null, { run: 'transform-only', ...common, transforms });
  }
  return uniqueKeys(out);
}

/**
 * Where an interleaved floor takes its `samples` runs among `rows` bounded rows: the count to take
 * after each row, spread evenly so the last falls after the last row (several after one row when
 * there are fewer rows than samples; none when there are no rows: the floor then takes them itself).
 */
export function floorSlots(rows: number, samples: number): number[] {
  const slots = new Array<number>(rows).fill(0);
  if (rows === 0) return slots;
  for (let j = 0; j < samples; j++) slots[Math.max(0, Math.round(((j + 1) * rows) / samples) - 1)]!++;
  return slots;
}

/** Cases by their `describe` block, blocks and cases in their order. */
export function byGroup<C extends { group: string }>(cases: readonly C[]): Map<string, C[]> {
  const groups = new Map<string, C[]>();
  for (const c of cases) {
    const group = groups.get(c.group);
    if (group) group.push(c);
    else groups.set(c.group, [c]);
  }
  return groups;
}
