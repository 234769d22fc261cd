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

/**
 * The half-width of a row's throughput interval in items/s (first order: a relative spread e of
 * the duration is a relative spread e of the throughput). `fallback` is used when the row has none.
 */
export function throughputMargin(r: BenchmarkResult, fallback: number | null): number {
  const tp = r.throughput_items_per_sec ?? 0;
  const e = relativeSpread(r) ?? fallback ?? 0;
  return tp * e;
}

/**
 * Whether the difference between two throughputs is within the noise of both: |a - b| is not larger
 * than the combined margin sqrt(ma² + mb²) of the two rows.
 */
export function withinNoise(a: BenchmarkResult, b: BenchmarkResult, fallback: number | null): boolean {
  return Math.abs(noiseRatio(a, b, fallback)) <= 1;
}

/**
 * (a - b) in units of the combined margin: beyond ±1 the difference is larger than the noise.
 * Infinite when the two differ and neither has a spread.
 */
export function noiseRatio(a: BenchmarkResult, b: BenchmarkResult, fallback: number | null): number {
  const diff = (a.throughput_items_per_sec ?? 0) - (b.throughput_items_per_sec ?? 0);
  const margin = Math.hypot(throughputMargin(a, fallback), throughputMargin(b, fallback));
  if (margin === 0) return diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return diff / margin;
}
