/** Fixed fake results for the analysis, report and compare tests (no measurement involved). */
import type {
  BenchmarkResult,
  DatasetInfo,
  Environment,
  ResultsFile,
  Scenario,
  StageFigures,
} from '../../src/profiling/result.js';
import { FAILED_FIGURES, resultKey } from '../../src/profiling/result.js';

export interface RowSpec {
  scenario?: Scenario;
  kind?: 'ingest' | 'floor';
  strategy: string;
  variant?: string | null;
  concurrency?: number;
  /** items/s */
  tp?: number;
  /** percent */
  rme?: number;
  samples?: number;
  /** cores' worth of CPU per second of wall time */
  cpuCores?: number;
  elu?: number;
  workerElu?: number | null;
  mem?: number;
  /** Each run's peak memory (memory_samples_mb); the row's peak is their maximum (over `mem`). */
  memRuns?: number[];
  items?: number;
  dataset?: Partial<DatasetInfo>;
  error?: string;
  failures?: number;
  http?: BenchmarkResult['http'];
  /** The local API's process: cores' worth of CPU per second of wall time (absent: not measured). */
  serverCpuCores?: number;
  /** Scenario `pipeline`: each stage's share of the run's wall time (absent: no stage times). */
  stageShares?: StageFigures;
}

/** The `pipeline` field of a fake pipeline row: directory -> update, validate -> directory. */
function pipelineField(spec: RowSpec, duration: number | null): BenchmarkResult['pipeline'] {
  const shares = spec.kind === 'floor' || duration === null ? null : spec.stageShares;
  const stage_seconds = shares
    ? {
        read_parse: shares.read_parse * duration!,
        transform: shares.transform * duration!,
        serialize: shares.serialize * duration!,
        write: shares.write * duration!,
      }
    : null;
  return { source: 'directory', transforms: ['update', 'validate'], sink: 'directory', stage_seconds };
}

export function dataset(scenario: Scenario, items: number, over: Partial<DatasetInfo> = {}): DatasetInfo {
  const api = scenario === 'api-search';
  return {
    format: api ? 'api' : scenario,
    items,
    item_bytes_avg: 1200,
    profile: 'small',
    page_size: api ? 100 : null,
    latency_ms: api ? 50 : null,
    ...over,
  };
}

export function row(spec: RowSpec): BenchmarkResult {
  const scenario = spec.scenario ?? 'directory';
  const items = spec.items ?? 10_000;
  const ds = dataset(scenario, items, {
    ...(scenario === 'pipeline' ? { format: 'directory' } : {}),
    ...spec.dataset,
  });
  const base = {
    scenario,
    kind: spec.kind ?? 'ingest',
    strategy: spec.strategy,
    variant: spec.variant ?? null,
    concurrency: spec.concurrency ?? 1,
    dataset: ds,
  } as const;
  const key = resultKey(base);
  if (spec.error) {
    return {
      ...base,
      key,
      ...FAILED_FIGURES,
      failures: spec.failures ?? 0,
      ...(scenario === 'pipeline' ? { pipeline: pipelineField(spec, null) } : {}),
      error: spec.error,
    };
  }
  const tp = spec.tp ?? 1000;
  const duration = items / tp;
  const rme = spec.rme ?? 5;
  const samples = spec.samples ?? 5;
  const spread = samples > 1 ? (duration * rme) / 100 : 0;
  return {
    ...base,
    key,
    duration_seconds: duration,
    throughput_items_per_sec: tp,
    peak_memory_mb: spec.memRuns ? Math.max(...spec.memRuns) : (spec.mem ?? 50),
    ...(spec.memRuns ? { memory_samples_mb: [...spec.memRuns].sort((a, b) => a - b) } : {}),
    items_processed: items,
    cpu_seconds: (spec.cpuCores ?? 0.5) * duration,
    event_loop_utilization: spec.elu ?? 0.5,
    worker_elu: spec.workerElu ?? null,
    samples,
    duration_stats: {
      min: duration - spread,
      p50: duration,
      mean: duration,
      p99: duration + spread,
      max: duration + spread,
      rme: samples > 1 ? rme : 0,
    },
    failures: spec.failures ?? 0,
    http: spec.http ?? null,
    ...(spec.serverCpuCores === undefined ? {} : { server_cpu_seconds: spec.serverCpuCores * duration }),
    ...(scenario === 'pipeline' ? { pipeline: pipelineField(spec, duration) } : {}),
    error: null,
  };
}

export const ENVIRONMENT: Environment = {
  node: 'v20.18.0',
  platform: 'linux',
  arch: 'x64',
  cpu_model: 'Test CPU @ 2.0GHz',
  cpus: 2,
  total_memory_mb: 4096,
  uv_threadpool_size: 4,
  git_commit: '0123456789abcdef0123456789abcdef01234567',
  package_versions: { vitest: '4.1.12', undici: '7.30.2' },
};

export const CONFIG = {
  testSize: 10_000,
  profile: 'small',
  concurrency: [1, 5, 10],
  workers: [1, 2],
  samples: 5,
  warmups: 1,
  api: { catalogUrl: null, latencyMs: 50, pageSize: 100 },
};

export function resultsFile(results: BenchmarkResult[], over: Partial<ResultsFile> = {}): ResultsFile {
  return {
    schema_version: 1,
    generated_at: '2026-11-29T03:00:00.000Z',
    environment: ENVIRONMENT,
    config: CONFIG,
    results,
    comparisons: [],
    findings: [],
    ...over,
  };
}
