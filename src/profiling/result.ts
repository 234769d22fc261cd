/** The results contract (docs/architecture.md, "Results file"); schema/results.schema.json mirrors it. */

/** The schema version this code writes. */
export const SCHEMA_VERSION = 2;
/**
 * The versions it reads. Version 2 added `duration_samples`, `server_cpu_seconds` and the HTTP
 * `requests_per_1000_items` and `duplicates_dropped`; a version 1 file simply lacks them.
 */
export const ACCEPTED_SCHEMA_VERSIONS: readonly number[] = [1, 2];

export type Scenario =
  | 'directory'
  | 'feature-collection'
  | 'ndjson'
  | 'catalog'
  | 'parquet'
  | 'api-search'
  | 'pipeline';
export const SCENARIOS: readonly Scenario[] = [
  'directory',
  'feature-collection',
  'ndjson',
  'catalog',
  'parquet',
  'api-search',
  'pipeline',
];

export type ResultKind = 'ingest' | 'floor';
export type Bottleneck = 'cpu' | 'io' | 'network';

export interface DatasetInfo {
  format: string;
  items: number;
  item_bytes_avg: number | null;
  profile: string;
  page_size: number | null;
  latency_ms: number | null;
}

export interface DurationStats {
  min: number;
  p50: number;
  mean: number;
  p99: number;
  max: number;
  /** relative margin of error, percent */
  rme: number;
}

export interface HttpFigures {
  requests: number;
  retries: number;
  peak_in_flight: number;
  /** Requests per 1,000 Items received: what a setting costs the server (schema 2). */
  requests_per_1000_items?: number | null;
  /** Items a partitioned search received twice and dropped, per run (null: not reported; schema 2). */
  duplicates_dropped?: number | null;
}

/** Seconds per run of each stage of a pipeline (see PipelineFigures). */
export interface StageFigures {
  read_parse: number;
  transform: number;
  serialize: number;
  write: number;
}

/** The stages of a pipeline, in the order an Item passes them. */
export const STAGES: readonly (keyof StageFigures)[] = ['read_parse', 'transform', 'serialize', 'write'];

/**
 * What a row of scenario `pipeline` ran: the source format, the transforms by name, the sink kind,
 * and per stage the mean seconds per run (synchronous time on the thread that ran it; `write` is
 * the awaited write I/O). Null stage figures: a failed row, or a floor (one stage, its duration).
 */
export interface PipelineFigures {
  source: string;
  transforms: string[];
  sink: string | null;
  stage_seconds: StageFigures | null;
}

export interface BenchmarkResult {
  key: string;
  scenario: Scenario;
  kind: ResultKind;
  strategy: string;
  variant: string | null;
  concurrency: number;
  dataset: DatasetInfo;
  duration_seconds: number | null;
  throughput_items_per_sec: number | null;
  peak_memory_mb: number | null;
  items_processed: number | null;
  cpu_seconds: number | null;
  event_loop_utilization: number | null;
  worker_elu: number | null;
  samples: number;
  duration_stats: DurationStats | null;
  /** Every measured run's duration, seconds, ascending (schema 2; null for a failed row). */
  duration_samples?: number[] | null;
  /** Every measured run's peak memory, MB, ascending (optional in schema 2; null for a failed row). */
  memory_samples_mb?: number[] | null;
  failures: number;
  http: HttpFigures | null;
  /** CPU time of the local STAC API's process per run, seconds (null: not measured; schema 2). */
  server_cpu_seconds?: number | null;
  /** Scenario `pipeline` only (required there): what the pipeline ran and its stage times. */
  pipeline?: PipelineFigures;
  error: string | null;
}

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpu_model: string;
  cpus: number;
  total_memory_mb: number;
  uv_threadpool_size: number;
  git_commit: string | null;
  package_versions: Record<string, string>;
}

export interface Comparison {
  scenario: Scenario;
  baseline_strategy: string;
  strategy: string;
  concurrency: number;
  speedup: number;
  memory_overhead_mb: number;
}

/** What a pipeline finding adds: where the stages ran, the bottleneck stage and the ceiling. */
export interface PipelineFinding {
  placement: string;
  /** The stage with the largest share of the recommended row's time. */
  bottleneck_stage: keyof StageFigures;
  /** One thread's summed synchronous time per Item across its stages, as items/s (null: no stage times). */
  ceiling_items_per_sec: number | null;
}

export interface Finding {
  scenario: Scenario;
  conditions: Record<string, unknown>;
  bottleneck: Bottleneck;
  /** For scenario `pipeline`, the ingest strategy recommended for the placement. */
  best_strategy: string;
  recommended_concurrency: number;
  summary: string;
  /** Scenario `pipeline` only. */
  pipeline?: PipelineFinding;
}

export interface ResultsFile {
  schema_version: 1 | 2;
  generated_at: string;
  environment: Environment;
  config: Record<string, unknown>;
  results: BenchmarkResult[];
  comparisons: Comparison[];
  findings: Finding[];
}

export function resultKey(
  r: Pick<BenchmarkResult, 'scenario' | 'dataset' | 'strategy' | 'variant' | 'concurrency'>,
): string {
  const parts = [r.scenario, String(r.dataset.items), r.strategy];
  if (r.variant) parts.push(r.variant);
  parts.push(String(r.concurrency));
  return parts.join('/');
}

/** The figures of a failed bench: all null (missing, never zero), no samples. Spread over a row with `error` set. */
export const FAILED_FIGURES = {
  duration_seconds: null,
  throughput_items_per_sec: null,
  peak_memory_mb: null,
  items_processed: null,
  cpu_seconds: null,
  event_loop_utilization: null,
  worker_elu: null,
  samples: 0,
  duration_stats: null,
  duration_samples: null,
  memory_samples_mb: null,
  http: null,
  server_cpu_seconds: null,
} as const satisfies Partial<BenchmarkResult>;
