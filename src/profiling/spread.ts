/**
 * The noise of a measurement, from its own samples: what `analyze` and `compare` use to call two
 * throughputs different or indistinguishable. No fixed percentage: each row brings its spread.
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

/**
 * The relative half-width of a row's duration interval: its 95% margin of error (`rme`, percent)
 * when it has two samples or more, else half its min-max range over the mean; null when the row
 * carries no spread at all (one sample, or no statistics).
 */
export function relativeSpread(r: BenchmarkResult): number | null {
  const s = r.duration_stats;
  if (!s || !(s.mean > 0)) return null;
  if (r.samples >= 2 && Number.isFinite(s.rme) && s.rme > 0) return s.rme / 100;
  if (s.max > s.min) return (s.max - s.min) / 2 / s.mean;
  return null;
}

/** The median relative spread of the rows that have one; null when none has. */
export function pooledSpread(rows: readonly BenchmarkResult[]): number | null {
  const spreads = rows
    .map(relativeSpread)
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
  if (spreads.length === 0) return null;
  const mid = Math.floor(spreads.length / 2);
  return spreads.length % 2 === 1 ? spreads[mid]! : (spreads[mid - 1]! + spreads[mid]!) / 2;
}

/** Seconds per item: the measured quantity (duration) normalised by the items of a run. */
function secondsPerItem(r: BenchmarkResult): number {
  const tp = r.throughput_items_per_sec ?? 0;
  return tp > 0 ? 1 / tp : Number.POSITIVE_INFINITY;
}

/**
 * The half-width of a row's interval of seconds per item. The margin of error is a margin on the
 * mean duration, so it is applied there (a throughput interval would be lopsided, and unbounded
 * for a margin of 100% or more). `fallback` is used when the row has no spread of its own.
 */
export function timeMargin(r: BenchmarkResult, fallback: number | null): number {
  const e = relativeSpread(r) ?? fallback ?? 0;
  return secondsPerItem(r) * e;
}

/** Below this many samples a min-max range says nothing about the spread. */
export const RANGE_MIN_SAMPLES = 3;

/**
 * Whether the samples' ranges (min..max time per item) of two rows overlap. When they do not, every
 * run of one was faster than every run of the other: with 3+3 samples or more, a difference no
 * outlier-inflated margin of error should hide (a rank test's strongest result).
 */
export function rangesOverlap(a: BenchmarkResult, b: BenchmarkResult): boolean {
  const range = (r: BenchmarkResult): [number, number] | null => {
    const s = r.duration_stats;
    const items = r.items_processed;
    if (!s || !items || items <= 0) return null;
    return [s.min / items, s.max / items];
  };
  const ra = range(a);
  const rb = range(b);
  if (!ra || !rb) return true;
  return ra[0] <= rb[1] && rb[0] <= ra[1];
}

/**
 * Whether two rows are statistically indistinguishable: their times per item differ by no more
 * than their combined margin of error sqrt(ma² + mb²), and (with at least 3 samples each) their
 * min-max ranges overlap.
 */
export function withinNoise(a: BenchmarkResult, b: BenchmarkResult, fallback: number | null): boolean {
  if (Math.abs(noiseRatio(a, b, fallback)) > 1) return false;
  if (a.samples < RANGE_MIN_SAMPLES || b.samples < RANGE_MIN_SAMPLES) return true;
  return rangesOverlap(a, b);
}

/**
 * How much faster `a` is than `b`, in units of their combined margin (time per item): beyond ±1
 * the difference is larger than the noise; positive when `a` is faster. Infinite when the two
 * differ and neither has a spread.
 */
export function noiseRatio(a: BenchmarkResult, b: BenchmarkResult, fallback: number | null): number {
  const diff = secondsPerItem(b) - secondsPerItem(a);
  const margin = Math.hypot(timeMargin(a, fallback), timeMargin(b, fallback));
  if (margin === 0 || !Number.isFinite(margin)) {
    return diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  return diff / margin;
}
