/**
 * The noise of a run: what `analyze` and `compare` use to call two throughputs different or
 * equivalent. One rule at every sample count: the relative noise of one measured run is estimated
 * from all rows of a scenario together (the pooled spread of their log durations), so a row of 2
 * samples borrows strength from its neighbours instead of carrying a useless margin of its own
 * (Student's t has 1 degree of freedom there). With nothing to pool (single samples everywhere)
 * there is no estimate, and no difference is claimed or denied.
 */
import type { BenchmarkResult, DatasetInfo } from './result.js';

/** Rows of one scenario measured on the same data (the item count, profile, page size, latency). */
export function datasetKey(d: DatasetInfo): string {
  return [d.format, d.items, d.profile, d.page_size ?? '-', d.latency_ms ?? '-'].join('|');
}

/** A row that ran: no error, a throughput. */
export function usable(r: BenchmarkResult): boolean {
  return r.error === null && r.throughput_items_per_sec !== null && r.duration_seconds !== null;
}

/** Two-sided 95% Student t critical values by degrees of freedom (1..30). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95% critical value of Student's t with `df` degrees of freedom (1.96 beyond 30). */
export function t95(df: number): number {
  if (!(df >= 1)) return Number.POSITIVE_INFINITY;
  return T95[Math.floor(df) - 1] ?? 1.96;
}

/**
 * The relative half-width of a row's own duration interval, for display beside its figures: its
 * 95% margin of error (`rme`, percent) with two samples or more; null with one sample or none.
 * Not used to judge differences (see `contrast`).
 */
export function relativeSpread(r: BenchmarkResult): number | null {
  const s = r.duration_stats;
  if (!s || !(s.mean > 0)) return null;
  if (r.samples >= 2 && Number.isFinite(s.rme) && s.rme > 0) return s.rme / 100;
  return null;
}

/** How many measured runs a row's figures are the mean of. */
export function runsOf(r: BenchmarkResult): number {
  return r.duration_samples?.length || r.samples;
}

/**
 * A row's sum of squared deviations of its runs' log durations from their mean, with its degrees of
 * freedom (runs - 1). From `duration_samples` when the file has them (schema 2); else recovered
 * from the margin of error and the sample count (schema 1: rme = t(n-1) sd / sqrt(n) / mean, and
 * sd / mean approximates the spread of log durations). Null with fewer than two runs.
 */
export function rowLogSpread(r: BenchmarkResult): { ss: number; df: number } | null {
  if (!usable(r)) return null;
  const samples = r.duration_samples?.filter((s) => s > 0) ?? [];
  if (samples.length >= 2) {
    const logs = samples.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    return { ss: logs.reduce((a, v) => a + (v - mean) ** 2, 0), df: logs.length - 1 };
  }
  const s = r.duration_stats;
  const n = r.samples;
  if (samples.length === 0 && n >= 2 && s && s.mean > 0 && Number.isFinite(s.rme) && s.rme >= 0) {
    const sd = ((s.rme / 100) * Math.sqrt(n)) / t95(n - 1);
    return { ss: sd * sd * (n - 1), df: n - 1 };
  }
  return null;
}

/** The pooled noise of a set of rows: the standard deviation of one run's log duration. */
export interface RunNoise {
  /** ≈ the relative standard deviation of one measured run (0.05: runs vary by about 5%). */
  sd: number;
  /** Degrees of freedom of the estimate: the sum over rows of (runs - 1). */
  df: number;
}

/**
 * The noise of one measured run, pooled over `rows` (the rows of one scenario and dataset, floors
 * included: they ran on the same machine in the same process): sqrt(Σ ss / Σ df). Null when no row
 * has two runs or more.
 */
export function pooledNoise(rows: readonly BenchmarkResult[]): RunNoise | null {
  let ss = 0;
  let df = 0;
  for (const r of rows) {
    const s = rowLogSpread(r);
    if (!s) continue;
    ss += s.ss;
    df += s.df;
  }
  return df > 0 ? { sd: Math.sqrt(ss / df), df } : null;
}

export type Verdict = 'different' | 'equivalent' | 'unknown';

export interface Contrast {
  /** ln(throughput a / throughput b): positive when `a` is faster. */
  logRatio: number;
  /** The 95% margin on `logRatio` (null without a noise estimate). */
  margin: number | null;
  verdict: Verdict;
}

/**
 * Compares two throughputs, each the mean of `runs` measured runs, against the pooled noise: the
 * difference of their logs beyond t(df) × sd × sqrt(1/na + 1/nb) is `different`, within it
 * `equivalent`; `unknown` without a noise estimate.
 */
export function contrastValues(
  a: { tp: number; runs: number },
  b: { tp: number; runs: number },
  noise: RunNoise | null,
): Contrast {
  const logRatio = a.tp > 0 && b.tp > 0 ? Math.log(a.tp / b.tp) : 0;
  if (!noise) return { logRatio, margin: null, verdict: 'unknown' };
  const margin = t95(noise.df) * noise.sd * Math.sqrt(1 / Math.max(1, a.runs) + 1 / Math.max(1, b.runs));
  return { logRatio, margin, verdict: Math.abs(logRatio) > margin ? 'different' : 'equivalent' };
}

/**
 * The gap, in log time per item, between the min–max ranges of two rows' runs; 0 when they overlap
 * or a row has no range.
 */
export function rangeGap(a: BenchmarkResult, b: BenchmarkResult): number {
  const range = (r: BenchmarkResult): [number, number] | null => {
    const s = r.duration_stats;
    const items = r.items_processed;
    if (!s || !items || items <= 0 || !(s.min > 0)) return null;
    return [s.min / items, s.max / items];
  };
  const ra = range(a);
  const rb = range(b);
  if (!ra || !rb) return 0;
  if (ra[1] < rb[0]) return Math.log(rb[0] / ra[1]);
  if (rb[1] < ra[0]) return Math.log(ra[0] / rb[1]);
  return 0;
}

/**
 * Two rows against the pooled noise of their scenario (see `contrastValues`). Rows whose min–max
 * ranges do not overlap, with a gap wider than one run's noise, are `different` whatever the
 * margin on their means: every run of one beat every run of the other by more than runs vary.
 */
export function contrast(a: BenchmarkResult, b: BenchmarkResult, noise: RunNoise | null): Contrast {
  const c = contrastValues(
    { tp: a.throughput_items_per_sec ?? 0, runs: runsOf(a) },
    { tp: b.throughput_items_per_sec ?? 0, runs: runsOf(b) },
    noise,
  );
  if (c.verdict === 'equivalent' && noise && rangeGap(a, b) > noise.sd) return { ...c, verdict: 'different' };
  return c;
}

/** Whether `a` is faster than `b` beyond the noise. */
export function measurablyFaster(a: BenchmarkResult, b: BenchmarkResult, noise: RunNoise | null): boolean {
  const c = contrast(a, b, noise);
  return c.verdict === 'different' && c.logRatio > 0;
}
