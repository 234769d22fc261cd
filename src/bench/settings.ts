/** BenchSettings: travels from the CLI to the bench processes as JSON in STAC_BENCH_SETTINGS. */
import type { FileFormat, StrategyName } from '../ingest/types.js';
import { FILE_FORMATS } from '../ingest/types.js';
import type { SinkKind } from '../output/types.js';
import type { Placement } from '../pipeline/types.js';
import type { ItemProfile } from '../stac/item.js';
import type { ApiProbe } from './api-probe.js';

export const SETTINGS_ENV = 'STAC_BENCH_SETTINGS';
/** Set (to `1`) by the CLI for `--quiet`: the bench run prints no setup lines. */
export const QUIET_ENV = 'STAC_BENCH_QUIET';

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
  /**
   * `--only`: scenario and strategy names that select the rows to run (src/bench/only.ts); empty:
   * every row.
   */
  only: string[];
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
  // One concurrent level, two worker levels (for worker-threads and for sharded) and 2 measured
  // runs keep `npm run bench` within its time budget; the noise of 2 runs is pooled over the
  // scenario's rows. One warm-up for the rows that start workers (cases.ts gives the others one
  // fewer): without it the first measured run starts the pool's workers and runs their code cold,
  // which cost more than a whole warm run of a sharded Parquet pipeline.
  pipeline: {
    enabled: true,
    from: 'directory',
    to: 'directory',
    transforms: ['update', 'validate'],
    placements: ['caller', 'sharded'],
    concurrency: [10],
    workers: [2],
    samples: 2,
    warmups: 1,
  },
  only: [],
};

/** The settings as a results file records them: header values (tokens, keys) hidden. */
export function publicSettings(settings: BenchSettings): BenchSettings {
  const headers = settings.api.headers;
  if (!headers) return settings;
  const hidden = Object.fromEntries(Object.keys(headers).map((name) => [name, '(hidden)']));
  return { ...settings, api: { ...settings.api, headers: hidden } };
}

/** Reads settings from the environment (defaults for what is absent). Throws a SettingsError when they are not valid. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const raw = env[SETTINGS_ENV];
  if (!raw) return structuredClone(DEFAULT_SETTINGS);
  return mergeSettings(parseSettings(raw));
}

/** Why STAC_BENCH_SETTINGS in `env` cannot be used (one line), or null when it can (or is unset). */
export function settingsProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const raw = env[SETTINGS_ENV];
  if (!raw) return null;
  try {
    parseSettings(raw);
    return null;
  } catch (e) {
    if (e instanceof SettingsError) return e.message;
    throw e;
  }
}

/** Settings that cannot be used: one line that names the key and the reason. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/**
 * The JSON of STAC_BENCH_SETTINGS, checked: an object whose keys are BenchSettings keys (a typo is
 * refused with the nearest key, not ignored) with values of the defaults' kinds.
 */
export function parseSettings(raw: string): Partial<BenchSettings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new SettingsError(`${SETTINGS_ENV} is not valid JSON (${(e as Error).message})`);
  }
  checkObject(parsed, DEFAULT_SETTINGS as unknown as Record<string, unknown>, '');
  const formats = (parsed as Partial<BenchSettings>).formats;
  const unknown = formats?.find((f) => !(FILE_FORMATS as readonly string[]).includes(f));
  if (unknown !== undefined) {
    throw new SettingsError(
      `${SETTINGS_ENV}: formats: unknown format '${unknown}' (one of ${FILE_FORMATS.join(', ')})`,
    );
  }
  return parsed as Partial<BenchSettings>;
}

/** Keys whose value may be null although the default is not. */
const NULLABLE = new Set(['testSizes', 'pipeline.samples', 'pipeline.warmups']);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function checkObject(value: unknown, defaults: Record<string, unknown>, prefix: string): void {
  const where = prefix ? `${SETTINGS_ENV}: ${prefix.slice(0, -1)}` : SETTINGS_ENV;
  if (kindOf(value) !== 'object')
    throw new SettingsError(`${where} must be a JSON object, got ${kindOf(value)}`);
  const known = [...Object.keys(defaults), ...(prefix === '' ? ['testSizes'] : [])];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const path = `${prefix}${key}`;
    if (!known.includes(key)) {
      const near = nearestKey(key, known);
      throw new SettingsError(
        `${SETTINGS_ENV}: unknown key '${path}'${near ? ` (did you mean '${prefix}${near}'?)` : ''}`,
      );
    }
    const d = defaults[key];
    // A key whose default is null (a path, a URL, a probe) takes its own kind; a nested object its keys.
    if (d === null || d === undefined || (v === null && NULLABLE.has(path))) continue;
    if (kindOf(v) !== kindOf(d)) {
      throw new SettingsError(`${SETTINGS_ENV}: '${path}' must be ${kindOf(d)}, got ${kindOf(v)}`);
    }
    if (kindOf(d) === 'object') checkObject(v, d as Record<string, unknown>, `${path}.`);
  }
}

/** The known key nearest to `key` (edit distance at most a third of its length, at least 2), or null. */
export function nearestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
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
