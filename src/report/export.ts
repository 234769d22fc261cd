/**
 * Results in the formats benchmark-tracking tools read: Bencher Metric Format (BMF) and the
 * `customBiggerIsBetter` / `customSmallerIsBetter` arrays of github-action-benchmark. Each
 * benchmark is named by the row's stable `key`, so a series stays one series across runs. Rows
 * that errored have no figures and are left out; floors are kept (see `exportedRows`).
 */
import { writeFileAtomic } from '../output/atomic.js';
import type { BenchmarkResult, ResultsFile } from '../profiling/result.js';

export const EXPORT_FORMATS = ['bmf', 'github-action-benchmark', 'github-action-benchmark-memory'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportSpec {
  format: ExportFormat;
  /** Absolute path of the file to write. */
  path: string;
}

/** What each format holds, for messages and the usage text. */
export const EXPORT_DESCRIPTIONS: Record<ExportFormat, string> = {
  bmf: 'Bencher Metric Format: throughput, latency (ns per run) and peak-memory (MB) per benchmark',
  'github-action-benchmark': 'github-action-benchmark customBiggerIsBetter: throughput, items/s',
  'github-action-benchmark-memory': 'github-action-benchmark customSmallerIsBetter: peak memory, MB',
};

/** The slug of the custom Bencher measure of peak memory; its unit is MB (2^20 bytes), growth of
 * the RSS over a run (docs/architecture.md, Measurement rules). */
export const PEAK_MEMORY_MEASURE = 'peak-memory';

/** One BMF metric: `lower_value` and `upper_value` are optional in the format. */
export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/** `{ "<benchmark>": { "<measure slug>": metric } }`. */
export type BmfDocument = Record<string, Record<string, BmfMetric>>;

/** One entry of github-action-benchmark's custom tools; `range` and `extra` are free text. */
export interface ActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** A results file with no row to export (every row errored). */
export class NothingToExportError extends Error {
  override name = 'NothingToExportError';
}

/**
 * The rows an export holds: every row with figures. An errored row has none (its figures are
 * null, never zero) and is left out rather than reported as a zero. Floors stay in: they are
 * measured in the same run on the same machine, so a floor that moves with a row tells a slower
 * runner from slower code; their keys name them (`directory/10000/read-only/1`) and `extra` says
 * `kind: floor`.
 */
export function exportedRows(file: ResultsFile): BenchmarkResult[] {
  return file.results.filter(
    (r) =>
      r.error === null &&
      r.throughput_items_per_sec !== null &&
      r.duration_seconds !== null &&
      r.items_processed !== null,
  );
}

/** The fastest and slowest run, seconds: the samples when kept (schema 2), else the stats. */
function durationRange(r: BenchmarkResult): { min: number; max: number } | null {
  const samples = r.duration_samples;
  if (samples && samples.length > 0) return { min: Math.min(...samples), max: Math.max(...samples) };
  if (r.duration_stats) return { min: r.duration_stats.min, max: r.duration_stats.max };
  return null;
}

function memoryRange(r: BenchmarkResult): { min: number; max: number } | null {
  const samples = r.memory_samples_mb;
  if (samples && samples.length > 0) return { min: Math.min(...samples), max: Math.max(...samples) };
  return null;
}

/** Keeps figures readable without losing what was measured (ns are whole, the rest 3 decimals). */
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Throughput of the slowest and the fastest run (items per run over its duration). */
function throughputRange(r: BenchmarkResult): { min: number; max: number } | null {
  const d = durationRange(r);
  if (!d || d.min <= 0 || d.max <= 0) return null;
  const items = r.items_processed!;
  return { min: items / d.max, max: items / d.min };
}

/** A BMF metric: `value`, and the bounds when the runs give them, each through `unit`. */
function metric(
  value: number,
  range: { min: number; max: number } | null,
  unit: (n: number) => number,
): BmfMetric {
  const m: BmfMetric = { value: unit(value) };
  if (range) {
    m.lower_value = unit(range.min);
    m.upper_value = unit(range.max);
  }
  return m;
}

function throughputMetric(r: BenchmarkResult): BmfMetric {
  return metric(r.throughput_items_per_sec!, throughputRange(r), round3);
}

function latencyMetric(r: BenchmarkResult): BmfMetric {
  return metric(r.duration_seconds!, durationRange(r), (seconds) => Math.round(seconds * 1e9));
}

function memoryMetric(r: BenchmarkResult): BmfMetric | null {
  if (r.peak_memory_mb === null) return null;
  return metric(r.peak_memory_mb, memoryRange(r), round3);
}

/**
 * BMF: per benchmark key, `throughput` (items/s; Bencher's built-in measure counts operations per
 * second, an Item being the operation), `latency` (Bencher's built-in measure: nanoseconds per
 * run, the mean, bounded by the fastest and slowest run) and `peak-memory` (MB, the highest run,
 * bounded by the lowest and highest run). Throughput's bounds are the slowest and fastest run.
 */
export function toBmf(file: ResultsFile): BmfDocument {
  const doc: BmfDocument = {};
  for (const r of exportedRows(file)) {
    const measures: Record<string, BmfMetric> = {
      throughput: throughputMetric(r),
      latency: latencyMetric(r),
    };
    const memory = memoryMetric(r);
    if (memory) measures[PEAK_MEMORY_MEASURE] = memory;
    doc[r.key] = measures;
  }
  return doc;
}

/** The conditions a row was measured under, one `name: value` per line. */
export function conditionsText(r: BenchmarkResult, file: ResultsFile): string {
  const env = file.environment;
  const lines: [string, unknown][] = [
    ['scenario', r.scenario],
    ['kind', r.kind],
    ['strategy', r.strategy],
    ['variant', r.variant],
    ['level', r.concurrency],
    ['format', r.dataset.format],
    ['items', r.dataset.items],
    ['profile', r.dataset.profile],
    ['page size', r.dataset.page_size],
    ['latency ms', r.dataset.latency_ms],
  ];
  if (r.pipeline) {
    lines.push(
      ['source', r.pipeline.source],
      ['transforms', r.pipeline.transforms.join(',') || 'none'],
      ['sink', r.pipeline.sink],
    );
  }
  lines.push(
    ['samples', r.samples],
    ['cores', env.cpus],
    ['cpu', env.cpu_model],
    ['node', env.node],
    ['platform', `${env.platform}-${env.arch}`],
    ['uv threadpool', env.uv_threadpool_size],
    ['commit', env.git_commit],
  );
  return lines
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n');
}

const fmt = (n: number) => String(round3(n));

const runsText = (count: number) => `${count} run${count === 1 ? '' : 's'}`;

/** `customBiggerIsBetter`: throughput per key, items/s; range the slowest to the fastest run. */
export function toActionBenchmarkThroughput(file: ResultsFile): ActionBenchmarkEntry[] {
  return exportedRows(file).map((r) => {
    const entry: ActionBenchmarkEntry = {
      name: r.key,
      unit: 'items/s',
      value: round3(r.throughput_items_per_sec!),
    };
    const range = throughputRange(r);
    if (range) {
      const n = r.duration_samples?.length || r.samples;
      entry.range = `${fmt(range.min)} to ${fmt(range.max)} (slowest to fastest of ${runsText(n)})`;
    }
    entry.extra = conditionsText(r, file);
    return entry;
  });
}

/** `customSmallerIsBetter`: peak memory per key, MB (the highest run); range the lowest to the highest run. */
export function toActionBenchmarkMemory(file: ResultsFile): ActionBenchmarkEntry[] {
  const out: ActionBenchmarkEntry[] = [];
  for (const r of exportedRows(file)) {
    if (r.peak_memory_mb === null) continue;
    const entry: ActionBenchmarkEntry = { name: r.key, unit: 'MB', value: round3(r.peak_memory_mb) };
    const range = memoryRange(r);
    if (range)
      entry.range = `${fmt(range.min)} to ${fmt(range.max)} (${runsText(r.memory_samples_mb!.length)})`;
    entry.extra = conditionsText(r, file);
    out.push(entry);
  }
  return out;
}

/** The document of one format, as JSON text; throws NothingToExportError when it would be empty. */
export function renderExport(file: ResultsFile, format: ExportFormat): { text: string; count: number } {
  const doc =
    format === 'bmf'
      ? toBmf(file)
      : format === 'github-action-benchmark'
        ? toActionBenchmarkThroughput(file)
        : toActionBenchmarkMemory(file);
  const count = Array.isArray(doc) ? doc.length : Object.keys(doc).length;
  // github-action-benchmark refuses an empty array, and an empty BMF tracks nothing: say so instead.
  if (count === 0) {
    throw new NothingToExportError(
      `nothing to export as ${format}: no row of the results has figures (every bench errored?)`,
    );
  }
  return { text: `${JSON.stringify(doc, null, 2)}\n`, count };
}

/**
 * Writes each export (a temporary sibling renamed into place: a reader never sees half a file).
 * Every document is rendered before the first is written, so an export that cannot be made
 * writes nothing. Returns one line per file written.
 */
export async function writeExports(file: ResultsFile, specs: readonly ExportSpec[]): Promise<string[]> {
  const rendered = specs.map((s) => ({ spec: s, ...renderExport(file, s.format) }));
  const lines: string[] = [];
  for (const { spec, text, count } of rendered) {
    await writeFileAtomic(spec.path, text);
    lines.push(`exported ${count} benchmark${count === 1 ? '' : 's'} as ${spec.format} to ${spec.path}`);
  }
  return lines;
}
