/** BenchSettings: travels from the CLI to the bench processes as JSON in STAC_BENCH_SETTINGS. */
import type { FileFormat, StrategyName } from '../ingest/types.js';
import { FILE_FORMATS } from '../ingest/types.js';
import type { SinkKind } from '../output/types.js';
import type { Placement } from '../pipeline/types.js';
import type { ItemProfile } from '../stac/item.js';
import type { ApiProbe } from './api-probe.js';

export const SETTINGS_ENV = 'STAC_BENCH_SETTINGS';

/** The source formats a pipeline bench reads (a generated dataset of the run's size). */
export const PIPELINE_SOURCES = ['directory', 'ndjson', 'feature-collection', 'parquet'] as const;
export type PipelineSource = (typeof PIPELINE_SOURCES)[number];

/** The pipeline bench (bench/pipeline.bench.ts): source -> transforms -> sink, at these ingest levels. */
export interface PipelineBenchSettings {
  enabled: boolean;
  from: PipelineSource;
  /** The sink kind; each measured run writes into a fresh folder, removed after it. */
  to: SinkKind;
  transforms: string[];
  /**
   * Where the stages after ingest run, each measured: `caller` (fed by each ingest strategy and
   * level) and `sharded` (at each `workers` level).
   */
  placements: Placement[];
  /** `concurrent` ingest levels (besides `sequential` at 1) of the caller placement. */
  concurrency: number[];
  /** `worker-threads` ingest levels of the caller placement, and the sharded placement's workers. */
  workers: number[];
  /** Measured runs and warm-ups of the pipeline rows and floors; null: the run's (`samples`, `warmups`). */
  samples: number | null;
  warmups: number | null;
}

/** The strategies and levels of the caller placement's rows: sequential at 1, then each list's levels. */
export function pipelineLevels(p: PipelineBenchSettings): [StrategyName, number][] {
  if (!p.placements.includes('caller')) return [];
  return [
    ['sequential', 1],
    ...p.concurrency.map((c): [StrategyName, number] => ['concurrent', c]),
    ...p.workers.map((w): [StrategyName, number] => ['worker-threads', w]),
  ];
}

export interface BenchSettings {
  /** Generated items per file dataset (in a run of several sizes: this bench run's size). */
  testSize: number;
  /**
   * `--test-size` with several sizes, ascending: the runner makes one bench run per size and joins
   * their rows into one results file (src/cli/size-runs.ts). Absent for a run of one size.
   */
  testSizes?: number[];
  profile: ItemProfile;
  seed: number;
  /** File formats to benchmark (scenario names). Empty: file mode off. */
  formats: FileFormat[];
  /** A user's own items directory instead of generated data. */
  directory: string | null;
  /** Async (main-thread) concurrency levels. */
  concurrency: number[];
  /** Worker-thread levels. */
  workers: number[];
  /** Measured runs per bench. */
  samples: number;
  /** Unmeasured warm-up runs per bench. */
  warmups: number;
  api: {
    enabled: boolean;
    /** A real STAC API; null: the built-in local STAC API. */
    catalogUrl: string | null;
    collectionId: string;
    maxItems: number | null;
    /** Local API: items in the small and the large collection. */
    smallItems: number;
    largeItems: number;
    pageSize: number;
    latencyMs: number;
    rateLimit: number | null;
    failRate: number;
    /** A real API: at most this many requests start per second, over all the runs (null: no cap). */
    maxRps: number | null;
    /** A real API: the most requests the run may send without --yes (estimated before it starts). */
    requestBudget: number;
    /** A real API: start even above the budget, or when the requests cannot be estimated (--yes). */
    overBudget: boolean;
    /** A real API: what the probe before the run found (set by the CLI's checks; null: no probe). */
    probe: ApiProbe | null;
    /**
     * A real API: headers sent to its origin with every request (--header, --token-env). Their
     * values never reach the results file (`publicSettings`).
     */
    headers: Record<string, string> | null;
    /** A real API: search parameters the runs pass through (--bbox, --datetime, --query, --filter). */
    search: Record<string, unknown> | null;
  };
  /** Results JSON path; the report goes beside it. */
  output: string;
  /**
   * Other libuv thread-pool sizes to measure the directory scenario's `concurrent` rows with (its
   * async reads run on that pool). The pool's size is fixed when a process first uses it, so each
   * size is a separate bench run with UV_THREADPOOL_SIZE set; its rows join the results as variant
   * `uv-threadpool-N`.
   */
  uvThreadpool: number[];
  /** Set by the runner inside such a run: the pool size it is for (only those rows run). */
  uvSweep: number | null;
  pipeline: PipelineBenchSettings;
}

export const DEFAULT_SETTINGS: BenchSettings = {
  testSize: 10_000,
  profile: 'small',
  seed: 42,
  formats: [...FILE_FORMATS],
  directory: null,
  concurrency: [1, 5, 10, 20],
  workers: [1, 2, 4],
  samples: 3,
  warmups: 1,
  api: {
    enabled: true,
    catalogUrl: null,
    collectionId: 'sentinel-2-l2a',
    maxItems: null,
    smallItems: 100,
    largeItems: 10_000,
    pageSize: 100,
    latencyMs: 50,
    rateLimit: null,
    failRate: 0,
    maxRps: null,
    requestBudget: 2000,
    overBudget: false,
    probe: null,
    headers: null,
    search: null,
  },
  output: 'results/benchmark.json',
  uvThreadpool: [],
  uvSweep: null,
  // One concurrent level, two worker levels (for worker-threads and for sharded), 2 measured runs
  // and no warm-up keep `npm run bench` within its time budget: a run writes every Item as a file
  // and lasts seconds, where a warm-up's effects (JIT, starting workers) are a small part of one
  // run; the noise of 2 runs is pooled over the scenario's rows.
  pipeline: {
    enabled: true,
    from: 'directory',
    to: 'directory',
    transforms: ['update', 'validate'],
    placements: ['caller', 'sharded'],
    concurrency: [10],
    workers: [2],
    samples: 2,
    warmups: 0,
  },
};

/** The settings as a results file records them: header values (tokens, keys) hidden. */
export function publicSettings(settings: BenchSettings): BenchSettings {
  const headers = settings.api.headers;
  if (!headers) return settings;
  const hidden = Object.fromEntries(Object.keys(headers).map((name) => [name, '(hidden)']));
  return { ...settings, api: { ...settings.api, headers: hidden } };
}

/** Reads settings from the environment (defaults for what is absent). Throws on malformed JSON. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const raw = env[SETTINGS_ENV];
  if (!raw) return structuredClone(DEFAULT_SETTINGS);
  let parsed: Partial<BenchSettings>;
  try {
    parsed = JSON.parse(raw) as Partial<BenchSettings>;
  } catch (e) {
    throw new Error(`${SETTINGS_ENV} is not valid JSON: ${(e as Error).message}`);
  }
  return mergeSettings(parsed);
}

export function mergeSettings(partial: Partial<BenchSettings>): BenchSettings {
  const d = structuredClone(DEFAULT_SETTINGS);
  return {
    ...d,
    ...partial,
    api: { ...d.api, ...(partial.api ?? {}) },
    pipeline: { ...d.pipeline, ...(partial.pipeline ?? {}) },
  };
}
