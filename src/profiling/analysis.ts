/**
 * Turns measured rows into what a pipeline author needs: speedups over `sequential`, and per
 * scenario and dataset a finding (the bottleneck, the best strategy, the smallest concurrency level
 * that is as fast as the best within the noise, its memory cost, one sentence with its conditions).
 * Pure: the same rows in, the same analysis out.
 */
import { availableParallelism } from 'node:os';
import { fmtBytes, fmtInt, fmtRatio, fmtSigned } from './format.js';
import { explainBottleneck, type FloorSet, floorsOf } from './bottleneck.js';
import type { BenchmarkResult, Comparison, DatasetInfo, Environment, Finding, Scenario } from './result.js';
import { SCENARIOS } from './result.js';
import { datasetKey, pooledSpread, usable, withinNoise } from './spread.js';

export interface Analysis {
  comparisons: Comparison[];
  findings: Finding[];
}

/** The rows of one scenario measured on one dataset. */
export interface RowGroup {
  scenario: Scenario;
  dataset: DatasetInfo;
  /** Ingest rows that ran. */
  ingest: BenchmarkResult[];
  floors: BenchmarkResult[];
  /** Rows with `error` set (ingest and floor). */
  failed: BenchmarkResult[];
}

/** Cheapest first: for equal throughput, fewer threads and less memory win. */
const STRATEGY_COST: Record<string, number> = { sequential: 0, concurrent: 1, 'worker-threads': 2 };

export function groupRows(results: readonly BenchmarkResult[]): RowGroup[] {
  const groups = new Map<string, RowGroup>();
  for (const r of results) {
    const id = `${r.scenario}#${datasetKey(r.dataset)}`;
    let g = groups.get(id);
    if (!g) {
      g = { scenario: r.scenario, dataset: r.dataset, ingest: [], floors: [], failed: [] };
      groups.set(id, g);
    }
    if (!usable(r)) g.failed.push(r);
    else if (r.kind === 'floor') g.floors.push(r);
    else g.ingest.push(r);
  }
  const order = (s: Scenario) => SCENARIOS.indexOf(s);
  return [...groups.values()].sort(
    (a, b) => order(a.scenario) - order(b.scenario) || a.dataset.items - b.dataset.items,
  );
}

/** The sequential row a row is compared with: same variant first, then no variant, then any. */
export function baselineFor(row: BenchmarkResult, group: RowGroup): BenchmarkResult | undefined {
  const seq = group.ingest.filter((r) => r.strategy === 'sequential');
  return (
    seq.find((r) => r.variant === row.variant) ?? seq.find((r) => r.variant === null) ?? seq[0] ?? undefined
  );
}

export function compareToBaseline(group: RowGroup): Comparison[] {
  const out: Comparison[] = [];
  for (const row of group.ingest) {
    if (row.strategy === 'sequential') continue;
    const base = baselineFor(row, group);
    if (!base || !(base.throughput_items_per_sec! > 0) || !(row.throughput_items_per_sec! > 0)) continue;
    out.push({
      scenario: group.scenario,
      baseline_strategy: base.strategy,
      strategy: row.strategy,
      concurrency: row.concurrency,
      speedup: round(row.throughput_items_per_sec! / base.throughput_items_per_sec!, 3),
      memory_overhead_mb: round((row.peak_memory_mb ?? 0) - (base.peak_memory_mb ?? 0), 1),
    });
  }
  return out;
}

export interface Recommendation {
  /** The fastest row. */
  best: BenchmarkResult;
  /** The cheapest row whose throughput is within the noise of the best's. */
  recommended: BenchmarkResult;
  /** The rows within the noise of the best. */
  equivalent: BenchmarkResult[];
  /** The relative spread used for rows without their own (null: none in the group had one). */
  fallbackSpread: number | null;
}

/**
 * Finds the fastest row, then among the rows statistically indistinguishable from it (see
 * `withinNoise`) the cheapest: the cheapest strategy, then the smallest level, then (variants of
 * one level) the fastest.
 */
export function recommend(rows: readonly BenchmarkResult[]): Recommendation | null {
  if (rows.length === 0) return null;
  const fallbackSpread = pooledSpread(rows);
  const best = rows.reduce((a, b) => (b.throughput_items_per_sec! > a.throughput_items_per_sec! ? b : a));
  const equivalent = rows.filter((r) => r === best || withinNoise(best, r, fallbackSpread));
  const recommended = [...equivalent].sort(
    (a, b) =>
      (STRATEGY_COST[a.strategy] ?? 3) - (STRATEGY_COST[b.strategy] ?? 3) ||
      a.concurrency - b.concurrency ||
      b.throughput_items_per_sec! - a.throughput_items_per_sec!,
  )[0]!;
  return { best, recommended, equivalent, fallbackSpread };
}

/** What a finding holds for: the dataset plus the machine and run conditions. */
export function conditionsOf(
  group: RowGroup,
  config: Record<string, unknown>,
  cores: number,
  variant: string | null,
): Record<string, unknown> {
  const d = group.dataset;
  const c: Record<string, unknown> = {
    format: d.format,
    items: d.items,
    item_bytes_avg: d.item_bytes_avg,
    profile: d.profile,
    cores,
  };
  if (group.scenario === 'api-search') {
    c.page_size = d.page_size;
    c.latency_ms = d.latency_ms;
    const api = (config.api ?? {}) as { catalogUrl?: unknown };
    c.catalog = typeof api.catalogUrl === 'string' ? api.catalogUrl : 'local STAC API (same machine)';
  } else {
    c.page_cache = 'warm';
  }
  if (variant) c.variant = variant;
  return c;
}

const WHERE: Record<Scenario, string> = {
  directory: 'as one JSON file per item in a directory',
  'feature-collection': 'in one FeatureCollection file',
  ndjson: 'in an NDJSON file',
  catalog: 'in a static catalog (links followed)',
  parquet: 'in a stac-geoparquet file',
  'api-search': 'from a STAC API search',
};

function describeConditions(group: RowGroup, conditions: Record<string, unknown>): string {
  const d = group.dataset;
  const size = d.item_bytes_avg ? ` (~${fmtBytes(d.item_bytes_avg)} each)` : '';
  const base = `${fmtInt(d.items)} ${d.profile} items${size} ${WHERE[group.scenario]}`;
  const cores = `${conditions.cores} cores`;
  if (group.scenario !== 'api-search') return `${base}, read from a warm page cache on ${cores}`;
  const page = d.page_size ? `, ${d.page_size} per page` : '';
  const latency = d.latency_ms !== null ? `, ${d.latency_ms} ms latency` : '';
  const local = String(conditions.catalog).startsWith('local');
  return `${base}${page}${latency}, ${local ? `the local API sharing the client's ${cores}` : `on ${cores}`}`;
}

/** `worker-threads with 2 workers`, `concurrent with 10 in flight`, `sequential`. */
export function describeLevel(r: BenchmarkResult): string {
  const v = r.variant ? ` (${r.variant})` : '';
  if (r.strategy === 'sequential') return `sequential${v}`;
  if (r.strategy === 'worker-threads')
    return `worker-threads${v} with ${r.concurrency} worker${r.concurrency === 1 ? '' : 's'}`;
  return `${r.strategy}${v} with ${r.concurrency} in flight`;
}

function memoryCost(rec: Recommendation, group: RowGroup): string {
  const r = rec.recommended;
  if (r.strategy === 'sequential') return '';
  const base = baselineFor(r, group);
  const parts: string[] = [];
  if (base && r.peak_memory_mb !== null && base.peak_memory_mb !== null) {
    parts.push(`${fmtSigned(r.peak_memory_mb - base.peak_memory_mb, 1)} MB peak memory over sequential`);
  }
  const top = group.ingest
    .filter((x) => x.strategy === r.strategy && x.variant === r.variant)
    .reduce((a, b) => (b.concurrency > a.concurrency ? b : a), r);
  if (top !== r && base && top.peak_memory_mb !== null && base.peak_memory_mb !== null) {
    const unit = r.strategy === 'worker-threads' ? ' workers' : ' in flight';
    parts.push(`(${top.concurrency}${unit}: ${fmtSigned(top.peak_memory_mb - base.peak_memory_mb, 1)} MB)`);
  }
  return parts.length ? `, ${parts.join(' ')}` : '';
}

function failedNote(group: RowGroup): string {
  if (group.failed.length === 0) return '';
  const names = group.failed.map((r) => `${r.key} (${r.error})`);
  return ` Left out because they failed: ${names.join(', ')}.`;
}

/** The one sentence of a finding (plus a note on failed rows, when any). */
export function summarize(
  group: RowGroup,
  rec: Recommendation,
  explanation: string,
  conditions: Record<string, unknown>,
): string {
  const r = rec.recommended;
  const base = baselineFor(r, group);
  const speed =
    base && base !== r
      ? `, ${fmtRatio(r.throughput_items_per_sec! / base.throughput_items_per_sec!)}× sequential`
      : '';
  const others = rec.equivalent.length - 1;
  const noSpread = rec.fallbackSpread === null && group.ingest.length > 1;
  const noise = noSpread
    ? '; the other settings were slower in this run, but with single samples there is no spread to judge noise by'
    : rec.recommended === rec.best
      ? others > 0
        ? `; ${others} other setting${others === 1 ? ' is' : 's are'} within noise of it`
        : '; every other setting is measurably slower'
      : `; the fastest, ${describeLevel(rec.best)} at ${fmtInt(rec.best.throughput_items_per_sec)} items/s, is within noise of it`;
  return (
    `For ${describeConditions(group, conditions)}, use ${describeLevel(r)}: ` +
    `${fmtInt(r.throughput_items_per_sec)} items/s${speed}${memoryCost(rec, group)}${noise}; ` +
    `the limit is ${explanation}.${failedNote(group)}`
  );
}

function coresFrom(config: Record<string, unknown>, environment?: Partial<Environment>): number {
  const fromEnv = environment?.cpus;
  if (typeof fromEnv === 'number' && fromEnv > 0) return fromEnv;
  const fromConfig = config.cpus;
  if (typeof fromConfig === 'number' && fromConfig > 0) return fromConfig;
  // Analysed where it was measured (the reporter): this machine's cores.
  return availableParallelism();
}

export function findingFor(group: RowGroup, config: Record<string, unknown>, cores: number): Finding | null {
  const rec = recommend(group.ingest);
  if (!rec) return null;
  const floors: FloorSet = floorsOf(group.floors);
  const { bottleneck, explanation } = explainBottleneck(group.scenario, rec.recommended, floors, cores);
  const conditions = conditionsOf(group, config, cores, rec.recommended.variant);
  return {
    scenario: group.scenario,
    conditions,
    bottleneck,
    best_strategy: rec.recommended.strategy,
    recommended_concurrency: rec.recommended.concurrency,
    summary: summarize(group, rec, explanation, conditions),
  };
}

/**
 * Comparisons (each ingest row against the `sequential` row of its scenario and dataset) and
 * findings (one per scenario and dataset that has at least one row that ran). Failed rows are left
 * out of the maths and named in the finding's summary. `environment.cpus` (else `config.cpus`, else
 * this machine's available parallelism, for the reporter that analyses where it measured) is the
 * core count CPU time is weighed against.
 */
export function analyze(
  results: readonly BenchmarkResult[],
  config: Record<string, unknown>,
  environment?: Partial<Environment>,
): Analysis {
  const cores = coresFrom(config, environment);
  const groups = groupRows(results);
  return {
    comparisons: groups.flatMap(compareToBaseline),
    findings: groups.map((g) => findingFor(g, config, cores)).filter((f): f is Finding => f !== null),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
