/** The results contract (docs/architecture.md, "Results file"); schema/results.schema.json mirrors it. */

export type Scenario = 'directory' | 'feature-collection' | 'ndjson' | 'catalog' | 'parquet' | 'api-search';
export const SCENARIOS: readonly Scenario[] = [
  'directory',
  'feature-collection',
  'ndjson',
  'catalog',
  'parquet',
  'api-search',
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
  failures: number;
  http: HttpFigures | null;
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

export interface Finding {
  scenario: Scenario;
  conditions: Record<string, unknown>;
  bottleneck: Bottleneck;
  best_strategy: string;
  recommended_concurrency: number;
  summary: string;
}

export interface ResultsFile {
  schema_version: 1;
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
  http: null,
} as const satisfies Partial<BenchmarkResult>;
