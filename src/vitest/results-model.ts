/**
 * Pure: turns what the reporter collected for each bench (vitest's statistics + the measuredBench
 * meta) into BenchmarkResults and a ResultsFile, and formats progress lines. No vitest imports,
 * so it is tested with fixed fake statistics.
 */
import type {
  BenchmarkResult,
  DurationStats,
  Environment,
  HttpFigures,
  PipelineFigures,
  ResultsFile,
  StageFigures,
} from '../profiling/result.js';
import { FAILED_FIGURES, resultKey, SCHEMA_VERSION, STAGES } from '../profiling/result.js';
import { t95 } from '../profiling/spread.js';
import type { Estimate } from './eta.js';
import type { RunRecord, StacBenchMeta } from './measured-bench.js';

/** The part of vitest's benchmark statistics used here (times in ms; `samples` sorted ascending). */
export interface BenchStatistics {
  sampleCount: number;
  samples: number[];
}

/** One bench as the reporter saw it. */
export interface CollectedBench {
  name: string;
  /** vitest's statistics; null when vitest produced none (the bench never completed). */
  stats: BenchStatistics | null;
  /** measuredBench's meta; undefined for a plain `bench` (not part of the results). */
  meta: StacBenchMeta | undefined;
  /** vitest's error messages for this bench, if any. */
  errors: string[];
}

/** min, median, mean, p99, max and the relative margin of error (95%, percent) of durations. */
export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) throw new RangeError('durationStats: no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const mid = Math.floor(n / 2);
  const p50 = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p99 = sorted[Math.ceil(n * 0.99) - 1]!;
  let rme = 0;
  if (n > 1 && mean > 0) {
    const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const sem = Math.sqrt(variance) / Math.sqrt(n);
    rme = ((sem * t95(n - 1)) / mean) * 100;
  }
  return { min: sorted[0]!, p50, mean, p99, max: sorted[n - 1]!, rme };
}

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** The mean of the values the runs reported; null when none did. */
function meanReported(values: readonly (number | null | undefined)[]): number | null {
  const reported = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return reported.length > 0 ? mean(reported) : null;
}

function httpFigures(runs: readonly RunRecord[], items: number): HttpFigures | null {
  const http = runs.map((r) => r.http).filter((h) => h !== null);
  if (http.length === 0) return null;
  const requests = mean(http.map((h) => h.requests));
  const duplicates = meanReported(runs.map((r) => r.duplicates_dropped));
  return {
    requests: Math.round(requests),
    retries: Math.round(mean(http.map((h) => h.retries))),
    peak_in_flight: Math.max(...http.map((h) => h.peak_in_flight)),
    requests_per_1000_items: items > 0 ? Math.round((requests / items) * 10_000) / 10 : null,
    duplicates_dropped: duplicates === null ? null : Math.round(duplicates),
  };
}

/** The per-run mean of each stage's seconds over the runs that reported them; null when none did. */
export function meanStages(runs: readonly RunRecord[]): StageFigures | null {
  const reported = runs.map((r) => r.stage_seconds).filter((s): s is StageFigures => !!s);
  if (reported.length === 0) return null;
  const out = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  for (const stage of STAGES) out[stage] = mean(reported.map((s) => s[stage]));
  return out;
}

/** A pipeline row's `pipeline` field: what it ran, and its mean stage times (null when failed). */
function pipelineFigures(meta: StacBenchMeta, failed: boolean): { pipeline?: PipelineFigures } {
  if (!meta.pipeline) return {};
  const stage_seconds = failed ? null : meanStages(meta.runs);
  return { pipeline: { ...meta.pipeline, transforms: [...meta.pipeline.transforms], stage_seconds } };
}

/** Why a bench counts as failed, or null when it produced a full set of measurements. */
export function failureOf(bench: CollectedBench): string | null {
  const meta = bench.meta!;
  if (meta.error) return meta.error;
  if (bench.errors.length > 0) return bench.errors[0]!;
  if (!bench.stats || bench.stats.sampleCount === 0) return 'the bench produced no samples';
  if (meta.runs.length === 0) return 'no measured run was recorded';
  return null;
}

/**
 * The result row of one measured bench (null for a plain bench without meta). Per run: durations
 * from vitest's samples (ms -> s), or the runs' own wall times recorded by measure() when vitest
 * kept no samples or the runs were taken between other benches (an interleaved floor); throughput = items per run / mean duration; peak memory = the highest over the runs;
 * CPU, ELU and worker ELU = means; failures = the most any run counted; HTTP requests and retries =
 * per-run means, peak in flight = the highest, requests per 1,000 Items from the mean requests and
 * Items; duplicates dropped = the per-run mean the runs reported, server CPU = the per-run mean
 * measuredBench read around the runs (each else null); a pipeline row's stage seconds = per-run means
 * (null for a failed row).
 * Every run's duration is kept (`duration_samples`): the analysis pools their spread over the rows.
 */
export function buildResult(bench: CollectedBench): BenchmarkResult | null {
  const meta = bench.meta;
  if (!meta) return null;
  const base = {
    key: resultKey(meta),
    scenario: meta.scenario,
    kind: meta.kind,
    strategy: meta.strategy,
    variant: meta.variant,
    concurrency: meta.concurrency,
    dataset: { ...meta.dataset },
    failures: meta.runs.length ? Math.max(...meta.runs.map((r) => r.failures)) : 0,
  };
  const error = failureOf(bench);
  if (error !== null) {
    return { ...base, ...FAILED_FIGURES, ...pipelineFigures(meta, true), error };
  }
  const runs = meta.runs;
  const stats = bench.stats!;
  // An interleaved floor's vitest samples time the task that published its runs, not the runs.
  const fromRuns = meta.interleaved === true || stats.samples.length === 0;
  const seconds = fromRuns ? runs.map((r) => r.wall_seconds) : stats.samples.map((ms) => ms / 1000);
  const duration = durationStats(seconds);
  const items = Math.round(mean(runs.map((r) => r.items)));
  const workerElu = runs.map((r) => r.worker_elu).filter((v) => v !== null);
  return {
    ...base,
    duration_seconds: duration.mean,
    throughput_items_per_sec: duration.mean > 0 ? items / duration.mean : 0,
    peak_memory_mb: Math.max(...runs.map((r) => r.peak_memory_mb)),
    items_processed: items,
    cpu_seconds: mean(runs.map((r) => r.cpu_seconds)),
    event_loop_utilization: Math.min(1, mean(runs.map((r) => r.elu))),
    worker_elu: workerElu.length ? Math.min(1, mean(workerElu)) : null,
    samples: meta.interleaved ? runs.length : stats.sampleCount,
    duration_stats: duration,
    duration_samples: [...seconds].sort((a, b) => a - b),
    memory_samples_mb: runs.map((r) => r.peak_memory_mb).sort((a, b) => a - b),
    http: httpFigures(runs, items),
    server_cpu_seconds: meanReported(runs.map((r) => r.server_cpu_seconds)),
    ...pipelineFigures(meta, false),
    error: null,
  };
}

/**
 * Why the rows cannot be one results file because two share a key (`compare` tells rows apart by
 * key), or null when every key is distinct.
 */
export function sharedKey(results: readonly BenchmarkResult[]): string | null {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const r of results) {
    if (seen.has(r.key)) shared.add(r.key);
    seen.add(r.key);
  }
  if (shared.size === 0) return null;
  const list = [...shared].map((k) => `'${k}'`).join(', ');
  return `more than one row has the result key ${list}`;
}

/** How the figures of a run were taken, for `config.measurement` (from the benches' meta). */
export interface MeasurementConditions {
  /** 'vmhwm' (kernel high-water mark), 'sampler' (worker-thread RSS sampling), 'mixed', or null (no run). */
  peak_memory_method: 'vmhwm' | 'sampler' | 'mixed' | null;
  /** A full GC ran before every run of every bench. */
  gc_between_runs: boolean;
}

export function measurementConditions(benches: readonly CollectedBench[]): MeasurementConditions {
  const metas = benches.map((b) => b.meta).filter((m) => m !== undefined);
  const methods = new Set(metas.flatMap((m) => m.runs.map((r) => r.peak_method)));
  const [only] = methods;
  return {
    peak_memory_method: methods.size === 0 ? null : methods.size === 1 ? only! : 'mixed',
    gc_between_runs: metas.every((m) => m.gc_between_runs),
  };
}

export interface ResultsFileInput {
  results: BenchmarkResult[];
  environment: Environment;
  config: Record<string, unknown>;
  analysis: Pick<ResultsFile, 'comparisons' | 'findings'>;
  generatedAt?: Date;
}

export function buildResultsFile(input: ResultsFileInput): ResultsFile {
  return {
    schema_version: SCHEMA_VERSION,
    generated_at: (input.generatedAt ?? new Date()).toISOString(),
    environment: input.environment,
    config: input.config,
    results: input.results,
    comparisons: input.analysis.comparisons,
    findings: input.analysis.findings,
  };
}

/**
 * The time left: from `estimate` when the plan is known (src/vitest/eta.ts): `~1m20s`, and
 * `~1m20s + ? for 12 benches` while some benches have nothing to be timed by yet (never a bound
 * it cannot keep); otherwise the elapsed time per finished bench times the benches left. `0s` when
 * nothing is left, `?` before anything is known.
 */
function etaOf(done: number, total: number, elapsedMs: number, estimate?: Estimate): string {
  if (done >= total) return '0s';
  if (estimate) {
    if (estimate.untimed === 0) return `~${formatDuration(estimate.ms)}`;
    const untimed = `? for ${estimate.untimed} bench${estimate.untimed === 1 ? '' : 'es'}`;
    return estimate.ms >= 500 ? `~${formatDuration(estimate.ms)} + ${untimed}` : untimed;
  }
  if (done <= 0) return '?';
  return `~${formatDuration((elapsedMs / done) * Math.max(0, total - done))}`;
}

/** `1m20s`, `45s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * `[12/40] directory concurrent c=10 … 23,400 items/s — ETA ~1m20s`. The ETA is `estimate` when
 * the plan is known, otherwise the elapsed time per finished bench. `moreToCome`: bench files whose benches are
 * not known yet, so neither the total nor the time left is (`[3/8+]`, `ETA ?`); never a bound it
 * cannot keep. `label.sized`: a run of several sizes, so the line names the dataset's size
 * (`directory (10,000 items) concurrent c=10`).
 */
export function progressLine(
  done: number,
  total: number,
  label: { name: string; result: BenchmarkResult | null; sized?: boolean },
  elapsedMs: number,
  moreToCome = false,
  estimate?: Estimate,
): string {
  const r = label.result;
  const what = r
    ? [
        r.scenario,
        label.sized ? `(${r.dataset.items.toLocaleString('en-US')} items)` : null,
        r.strategy,
        r.variant,
        r.kind === 'floor' ? 'floor' : null,
        `c=${r.concurrency}`,
      ]
        .filter(Boolean)
        .join(' ')
    : label.name;
  let figure: string;
  if (!r) figure = 'done';
  else if (r.error) figure = `FAILED: ${r.error}`;
  else figure = `${Math.round(r.throughput_items_per_sec ?? 0).toLocaleString('en-US')} items/s`;
  const eta = moreToCome ? '?' : etaOf(done, total, elapsedMs, estimate);
  const plus = moreToCome ? '+' : '';
  return `[${done}/${Math.max(total, done)}${plus}] ${what} … ${figure} — ETA ${eta}`;
}
