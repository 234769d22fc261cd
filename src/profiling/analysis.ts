/**
 * Turns measured rows into what a pipeline author needs: speedups over `sequential`, and per
 * scenario and dataset a finding (the bottleneck, the best strategy, the smallest concurrency level
 * that is as fast as the best within the noise, its memory and request cost, one sentence with its
 * conditions). Pure: the same rows in, the same analysis out.
 */
import { explainBottleneck, type FloorSet, floorsOf, reachOf } from './bottleneck.js';
import { usableCores } from './environment.js';
import { fmtBytes, fmtInt, fmtNum, fmtPct, fmtRatio, fmtSigned } from './format.js';
import {
  bottleneckStageOf,
  breakdownOf,
  callerCeiling,
  ingestSettingOf,
  isSharded,
  microsText,
  type ShardedCeiling,
  STAGE_LABEL,
  shardedCeiling,
  sharesText,
} from './pipeline-stages.js';
import type { BenchmarkResult, Comparison, DatasetInfo, Environment, Finding, Scenario } from './result.js';
import { SCENARIOS } from './result.js';
import {
  contrast,
  datasetKey,
  measurablyFaster,
  pooledNoise,
  type RunNoise,
  rangeGap,
  runsOf,
  usable,
} from './spread.js';

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

/**
 * The ingest strategy of a row: its strategy, or for a pipeline row (whose strategy is its
 * placement) the ingest strategy its variant names. Advice and baselines compare these.
 */
export function ingestStrategyOf(r: BenchmarkResult): string {
  return ingestSettingOf(r)?.strategy ?? r.strategy;
}

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
  const seq = group.ingest.filter((r) => ingestStrategyOf(r) === 'sequential');
  // A pipeline row's variant names its ingest, never shared with the sequential row's.
  if (group.scenario === 'pipeline') return seq[0];
  return (
    seq.find((r) => r.variant === row.variant) ?? seq.find((r) => r.variant === null) ?? seq[0] ?? undefined
  );
}

export function compareToBaseline(group: RowGroup): Comparison[] {
  const out: Comparison[] = [];
  for (const row of group.ingest) {
    if (ingestStrategyOf(row) === 'sequential') continue;
    const base = baselineFor(row, group);
    if (!base || !(base.throughput_items_per_sec! > 0) || !(row.throughput_items_per_sec! > 0)) continue;
    out.push({
      scenario: group.scenario,
      // Pipeline rows compare their ingest strategies (their strategy is the placement, shared).
      baseline_strategy: ingestStrategyOf(base),
      strategy: ingestStrategyOf(row),
      concurrency: row.concurrency,
      speedup: roundRatio(row.throughput_items_per_sec! / base.throughput_items_per_sec!),
      memory_overhead_mb: round((row.peak_memory_mb ?? 0) - (base.peak_memory_mb ?? 0), 1),
    });
  }
  return out;
}

/** A setting costing more than this share of extra requests must be measurably faster to be advised. */
export const REQUEST_OVERHEAD_LIMIT = 0.1;

/** HTTP requests per 1,000 Items received (schema 2 records it; else from the requests and Items). */
export function requestsPer1000(r: BenchmarkResult): number | null {
  const h = r.http;
  if (!h) return null;
  if (typeof h.requests_per_1000_items === 'number') return h.requests_per_1000_items;
  const items = r.items_processed;
  return items && items > 0 ? (h.requests / items) * 1000 : null;
}

export interface Recommendation {
  /** The fastest row. */
  best: BenchmarkResult;
  /** The cheapest row within the noise of the fastest it may be advised against (see `recommend`). */
  recommended: BenchmarkResult;
  /** The rows within the noise of the best. */
  equivalent: BenchmarkResult[];
  /** The noise of one run, pooled over the scenario's rows; null: not enough samples to judge. */
  noise: RunNoise | null;
  /** The fewest requests per 1,000 Items among the rows (null: no HTTP figures). */
  fewestRequests: number | null;
  /** Rows left out: more than 10% extra requests without being measurably faster than the rest. */
  costly: BenchmarkResult[];
}

const tpOf = (r: BenchmarkResult) => r.throughput_items_per_sec ?? 0;
const fastest = (rows: readonly BenchmarkResult[]) => rows.reduce((a, b) => (tpOf(b) > tpOf(a) ? b : a));

/**
 * Finds the fastest row, then among the rows equivalent to it within the noise (see `contrast`)
 * the cheapest: the cheapest strategy, then the smallest level, then the default path (no
 * variant), then the fastest. Never a row measurably slower than the fastest, nor one whose runs (2 or more) were all
 * slower than all of the fastest's. Requests are a cost too: a row making
 * more than 10% more requests per 1,000 Items than the thriftiest is only a candidate when it is
 * measurably faster than every row that makes fewer. Without a noise estimate (single samples,
 * nothing to pool) no row is called equivalent: the fastest candidate is advised as measured.
 * `noise` defaults to the noise pooled over `rows`.
 */
export function recommend(
  rows: readonly BenchmarkResult[],
  noise: RunNoise | null = pooledNoise(rows),
): Recommendation | null {
  if (rows.length === 0) return null;
  const best = fastest(rows);
  const perThousand = rows.map(requestsPer1000).filter((n): n is number => n !== null);
  const fewestRequests = perThousand.length > 0 ? Math.min(...perThousand) : null;
  const costs = (r: BenchmarkResult) =>
    fewestRequests !== null && (requestsPer1000(r) ?? 0) > fewestRequests * (1 + REQUEST_OVERHEAD_LIMIT);
  const thrifty = rows.filter((r) => !costs(r));
  const allowed = rows.filter((r) => !costs(r) || thrifty.every((t) => measurablyFaster(r, t, noise)));
  const costly = rows.filter((r) => !allowed.includes(r));
  const top = fastest(allowed);
  // Never a row every run of which was slower than every run of the fastest (both with 2 runs or
  // more: one run is no range): with 2 samples the margins are wide, and such a row would be advised
  // while plainly behind.
  const whollyBelowBest = (r: BenchmarkResult) =>
    runsOf(r) > 1 && runsOf(best) > 1 && tpOf(r) < tpOf(best) && rangeGap(r, best) > 0;
  const candidates = allowed.filter(
    (r) =>
      r === top ||
      (contrast(top, r, noise).verdict === 'equivalent' &&
        !measurablyFaster(best, r, noise) &&
        !whollyBelowBest(r)),
  );
  const cost = (r: BenchmarkResult) => STRATEGY_COST[ingestStrategyOf(r)] ?? 3;
  const recommended = [...candidates].sort(
    (a, b) =>
      cost(a) - cost(b) ||
      a.concurrency - b.concurrency ||
      Number(a.variant !== null) - Number(b.variant !== null) ||
      tpOf(b) - tpOf(a),
  )[0]!;
  const equivalent = rows.filter((r) => r === best || contrast(best, r, noise).verdict === 'equivalent');
  return { best, recommended, equivalent, noise, fewestRequests, costly };
}

/**
 * Formats whose `item_bytes_avg` is an Item's JSON text (Parquet's is compressed bytes per row).
 * NDJSON first: one compact line per Item, where a directory's files may be laid out larger.
 */
const JSON_SCENARIOS: readonly Scenario[] = ['ndjson', 'feature-collection', 'directory', 'catalog'];

/**
 * The mean JSON size of an Item per profile and item count, from the JSON datasets of the same
 * results: what a Parquet dataset's Items weigh as JSON (its own figure is compressed bytes per row).
 */
export function jsonItemSizes(results: readonly BenchmarkResult[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const scenario of JSON_SCENARIOS) {
    for (const r of results) {
      const d = r.dataset;
      const key = `${d.profile}|${d.items}`;
      if (r.scenario === scenario && d.item_bytes_avg && !sizes.has(key)) sizes.set(key, d.item_bytes_avg);
    }
  }
  return sizes;
}

/** An Item's JSON size for a dataset: its own figure, or (Parquet) that of a JSON dataset of the run. */
export function itemJsonBytes(d: DatasetInfo, jsonSizes: ReadonlyMap<string, number>): number | null {
  if (d.format !== 'parquet') return d.item_bytes_avg;
  return jsonSizes.get(`${d.profile}|${d.items}`) ?? null;
}

/**
 * `~3.43 KB each`; for Parquet, whose figure is compressed bytes per row, both sizes labelled:
 * `~257 B per row in Parquet, ~3.43 KB each as JSON`. Empty without a size.
 */
export function itemSizeText(d: DatasetInfo, jsonSizes: ReadonlyMap<string, number>): string {
  if (d.format !== 'parquet') return d.item_bytes_avg ? `~${fmtBytes(d.item_bytes_avg)} each` : '';
  const parts: string[] = [];
  if (d.item_bytes_avg) parts.push(`~${fmtBytes(d.item_bytes_avg)} per row in Parquet`);
  const json = itemJsonBytes(d, jsonSizes);
  if (json) parts.push(`~${fmtBytes(json)} each as JSON`);
  return parts.join(', ');
}

/** What a finding holds for: the dataset plus the machine and run conditions. */
export function conditionsOf(
  group: RowGroup,
  config: Record<string, unknown>,
  cores: number,
  variant: string | null,
  jsonSizes: ReadonlyMap<string, number> = new Map(),
): Record<string, unknown> {
  const d = group.dataset;
  const c: Record<string, unknown> = {
    format: d.format,
    items: d.items,
    item_bytes_avg: d.item_bytes_avg,
    profile: d.profile,
    cores,
  };
  if (d.format === 'parquet') c.item_json_bytes_avg = itemJsonBytes(d, jsonSizes);
  if (group.scenario === 'pipeline') {
    const p = [...group.ingest, ...group.failed].find((r) => r.pipeline)?.pipeline;
    if (p) Object.assign(c, { source: p.source, transforms: p.transforms, sink: p.sink });
    c.placement = placementsOf(group).join(',') || 'caller';
  }
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
  pipeline: 'through a pipeline',
};

/** Where a pipeline reads its Items from, by source format. */
const PIPELINE_SOURCE: Record<string, string> = {
  directory: 'an items directory',
  'feature-collection': 'a FeatureCollection file',
  ndjson: 'an NDJSON file',
  catalog: 'a static catalog',
  parquet: 'a stac-geoparquet file',
};

/** `from an items directory, through update and validate, into an items directory`. */
export function describePipeline(p: {
  source: string;
  transforms: readonly string[];
  sink: string | null;
}): string {
  const into =
    p.sink === 'ndjson'
      ? 'into an NDJSON file'
      : p.sink === 'parquet'
        ? 'into a stac-geoparquet file'
        : p.sink
          ? `into an items ${p.sink}`
          : 'into no sink';
  const through = p.transforms.length > 0 ? `through ${p.transforms.join(' and ')}` : 'with no transform';
  return `from ${PIPELINE_SOURCE[p.source] ?? p.source}, ${through}, ${into}`;
}

function describeConditions(
  group: RowGroup,
  conditions: Record<string, unknown>,
  jsonSizes: ReadonlyMap<string, number>,
): string {
  const d = group.dataset;
  const sizeText = itemSizeText(d, jsonSizes);
  const size = sizeText ? ` (${sizeText})` : '';
  const pipe = group.scenario === 'pipeline' ? conditions : null;
  const where = pipe
    ? `${describePipeline({ source: String(pipe.source ?? d.format), transforms: (pipe.transforms as string[]) ?? [], sink: (pipe.sink as string | null) ?? null })}, ${placementsText(placementsOf(group))}`
    : WHERE[group.scenario];
  const base = `${fmtInt(d.items)} ${d.profile} items${size} ${where}`;
  const cores = `${conditions.cores} cores`;
  if (group.scenario !== 'api-search') return `${base}, read from a warm page cache on ${cores}`;
  const page = d.page_size ? `, ${d.page_size} per page` : '';
  // A real API's latency is the median round trip the probe before the run measured.
  const rtt = d.profile === 'real' ? 'median round trip' : 'latency';
  const latency = d.latency_ms !== null ? `, ${d.latency_ms} ms ${rtt}` : '';
  const local = String(conditions.catalog).startsWith('local');
  return `${base}${page}${latency}, ${local ? `the local API sharing the client's ${cores}` : `on ${cores}`}`;
}

/** The placements a pipeline group measured, caller first. */
function placementsOf(group: RowGroup): string[] {
  const all = new Set(group.ingest.map((r) => r.strategy));
  return ['caller', 'sharded'].filter((p) => all.has(p));
}

function placementsText(placements: readonly string[]): string {
  const caller = "every stage after ingest on the caller's thread";
  const sharded = 'every stage inside each worker';
  if (placements.length === 2) return `${caller} (caller) or ${sharded} (sharded)`;
  return placements[0] === 'sharded' ? sharded : caller;
}

/** `worker-threads with 2 workers`, `concurrent with 10 in flight`, `sequential`, `sharded with 2 workers`. */
export function describeLevel(r: BenchmarkResult): string {
  if (isSharded(r)) return `sharded with ${r.concurrency} worker${r.concurrency === 1 ? '' : 's'}`;
  const ingest = ingestSettingOf(r);
  if (ingest) {
    const as = {
      ...r,
      scenario: 'directory' as const,
      strategy: ingest.strategy,
      concurrency: ingest.level,
      variant: null,
    };
    return `ingest ${describeLevel(as)}`;
  }
  const v = r.variant ? ` (${r.variant})` : '';
  if (r.strategy === 'sequential') return `sequential${v}`;
  if (r.strategy === 'worker-threads')
    return `worker-threads${v} with ${r.concurrency} worker${r.concurrency === 1 ? '' : 's'}`;
  return `${r.strategy}${v} with ${r.concurrency} in flight`;
}

/** `+12.5 MB`; a difference that rounds to zero or below is `no more than sequential`. */
function memoryOver(mb: number, what: string): string {
  return Math.round(mb * 10) <= 0 ? 'no more than sequential' : `${fmtSigned(mb, 1)} MB${what}`;
}

function memoryCost(rec: Recommendation, group: RowGroup): string {
  const r = rec.recommended;
  if (ingestStrategyOf(r) === 'sequential') return '';
  const base = baselineFor(r, group);
  const parts: string[] = [];
  if (base && r.peak_memory_mb !== null && base.peak_memory_mb !== null) {
    const delta = r.peak_memory_mb - base.peak_memory_mb;
    parts.push(
      Math.round(delta * 10) <= 0
        ? 'peak memory no more than sequential'
        : `${fmtSigned(delta, 1)} MB peak memory over sequential`,
    );
  }
  // A pipeline row's variant names its level: its strategy's other levels share the ingest strategy.
  const sameSetting = (x: BenchmarkResult) =>
    ingestStrategyOf(x) === ingestStrategyOf(r) && (group.scenario === 'pipeline' || x.variant === r.variant);
  const top = group.ingest.filter(sameSetting).reduce((a, b) => (b.concurrency > a.concurrency ? b : a), r);
  if (top !== r && base && top.peak_memory_mb !== null && base.peak_memory_mb !== null) {
    const unit = ingestStrategyOf(r) === 'worker-threads' ? ' workers' : ' in flight';
    parts.push(`(${top.concurrency}${unit}: ${memoryOver(top.peak_memory_mb - base.peak_memory_mb, '')})`);
  }
  return parts.length ? `, ${parts.join(' ')}` : '';
}

/** `10.0 requests per 1,000 Items`, with the overhead over the thriftiest setting when it is marked. */
function requestCost(r: BenchmarkResult, fewest: number | null): string {
  const per = requestsPer1000(r);
  if (per === null) return '';
  let text = `${fmtNum(per, 1)} requests per 1,000 Items`;
  if (fewest !== null && fewest > 0 && per > fewest * (1 + REQUEST_OVERHEAD_LIMIT)) {
    text += ` (${fmtPct(per / fewest - 1, 0)} over the fewest, ${fmtNum(fewest, 1)})`;
  }
  const dup = r.http?.duplicates_dropped;
  if (typeof dup === 'number' && dup > 0) text += `, ${fmtInt(dup)} duplicates dropped per run`;
  return text;
}

/** `~4.2%`: how much one run varies, from the pooled noise. */
function noiseText(noise: RunNoise): string {
  return `runs vary by ~${fmtNum((Math.exp(noise.sd) - 1) * 100, 1)}%`;
}

function noiseClause(rec: Recommendation, settings: number): string {
  const { best, recommended, noise } = rec;
  if (!noise) {
    return settings > 1
      ? '; with one sample per setting there are not enough samples to judge noise: whether the other settings differ is not known'
      : '';
  }
  const others = rec.equivalent.length - 1;
  if (recommended === best) {
    return others > 0
      ? `; ${others} other setting${others === 1 ? ' is' : 's are'} within noise of it (${noiseText(noise)})`
      : `; every other setting is measurably slower (${noiseText(noise)})`;
  }
  const fastestText = `the fastest, ${describeLevel(best)} at ${fmtInt(best.throughput_items_per_sec)} items/s`;
  if (rec.costly.includes(best)) {
    return `; ${fastestText}, is not measurably faster than the settings making fewer requests and costs ${requestCost(best, rec.fewestRequests)} (${noiseText(noise)})`;
  }
  return `; ${fastestText}, is within noise of it (${noiseText(noise)})`;
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
  jsonSizes: ReadonlyMap<string, number> = new Map(),
): string {
  const r = rec.recommended;
  const base = baselineFor(r, group);
  const speed =
    base && base !== r
      ? `, ${fmtRatio(r.throughput_items_per_sec! / base.throughput_items_per_sec!)}× sequential`
      : '';
  const requests = requestCost(r, rec.fewestRequests);
  const settings = adviceRows(group.ingest).length;
  return (
    `For ${describeConditions(group, conditions, jsonSizes)}, use ${describeLevel(r)}: ` +
    `${fmtInt(r.throughput_items_per_sec)} items/s${speed}${memoryCost(rec, group)}` +
    `${requests ? `, ${requests}` : ''}${noiseClause(rec, settings)}; ` +
    `the limit is ${explanation}.${failedNote(group)}`
  );
}

function coresFrom(config: Record<string, unknown>, environment?: Partial<Environment>): number {
  const fromEnv = environment?.cpus;
  if (typeof fromEnv === 'number' && fromEnv > 0) return fromEnv;
  const fromConfig = config.cpus;
  if (typeof fromConfig === 'number' && fromConfig > 0) return fromConfig;
  // Analysed where it was measured (the reporter): the cores this process may use.
  return usableCores();
}

/**
 * The rows advice is drawn from: the library's default path (no `variant`) when the group has any.
 * Variants (another Parquet reader, a whole-file parse, a transfer mode) are measured for comparison
 * and shown in the tables and charts; a noisy variant must not become the recommendation.
 */
export function adviceRows(rows: readonly BenchmarkResult[]): readonly BenchmarkResult[] {
  const defaults = rows.filter((r) => r.variant === null);
  return defaults.length > 0 ? defaults : rows;
}

/**
 * A row that writes Items rather than reads them (variant `write-<items>:<writer>`: the Parquet
 * bench's comparison of the sink's candidate writers). It is shown in its scenario's table but never
 * advised, nor named as a faster variant: it measures the other direction.
 */
export function isWriteRow(r: BenchmarkResult): boolean {
  return r.variant !== null && /^write-\d+:/.test(r.variant);
}

/** A sentence naming the variant that beat the recommended default path beyond noise, if one did. */
function fasterVariantNote(group: RowGroup, rec: Recommendation): string {
  const faster = group.ingest
    .filter((r) => r.variant !== null && !isWriteRow(r) && measurablyFaster(r, rec.recommended, rec.noise))
    .sort((a, b) => b.throughput_items_per_sec! - a.throughput_items_per_sec!)[0];
  if (!faster) return '';
  return ` The variant ${describeLevel(faster)} was faster beyond noise (${fmtInt(faster.throughput_items_per_sec)} items/s).`;
}

/**
 * The finding of one group. The noise is pooled over every row of the group that ran (floors and
 * variants included: one machine, one process, the same data), so a row of 2 samples is judged
 * with the spread of all of them.
 */
export function findingFor(
  group: RowGroup,
  config: Record<string, unknown>,
  cores: number,
  jsonSizes: ReadonlyMap<string, number> = new Map(),
): Finding | null {
  if (group.scenario === 'pipeline') return pipelineFindingFor(group, config, cores, jsonSizes);
  const noise = pooledNoise([...group.ingest, ...group.floors]);
  // Variants compete too: a default path whose runs all trailed a variant's is not advised.
  const rec = recommend(
    group.ingest.filter((r) => !isWriteRow(r)),
    noise,
  );
  if (!rec) return null;
  const floors: FloorSet = floorsOf(group.floors);
  const { bottleneck, explanation } = explainBottleneck(
    group.scenario,
    rec.recommended,
    floors,
    cores,
    noise,
  );
  const conditions = conditionsOf(group, config, cores, rec.recommended.variant, jsonSizes);
  return {
    scenario: group.scenario,
    conditions,
    bottleneck,
    best_strategy: rec.recommended.strategy,
    recommended_concurrency: rec.recommended.concurrency,
    summary: summarize(group, rec, explanation, conditions, jsonSizes) + fasterVariantNote(group, rec),
  };
}

/** A pipeline floor by its strategy (`write-only`, `transform-only`): the fastest that ran, or null. */
function floorThroughput(group: RowGroup, strategy: string): BenchmarkResult | null {
  const rows = group.floors.filter((r) => r.strategy === strategy && (r.throughput_items_per_sec ?? 0) > 0);
  return rows.length > 0 ? fastest(rows) : null;
}

/** With a sequential ingest, read+parse also holds the wait for each read (nothing is read ahead). */
function readsToo(r: BenchmarkResult, stage: string): string {
  return stage === 'read_parse' && ingestStrategyOf(r) === 'sequential'
    ? ' (with a sequential ingest it holds each read as well as its parse)'
    : '';
}

/**
 * What limits a pipeline: the bottleneck stage of the recommended row (its share and the others'),
 * the ceiling of the caller placement and how close the fastest row comes to it, and the floors.
 */
export function pipelineLimit(group: RowGroup, rec: Recommendation, cores: number): string {
  const noise = rec.noise;
  const r = rec.recommended;
  const parts: string[] = [];
  const stage = bottleneckStageOf(r);
  const b = breakdownOf(r);
  if (stage && b) {
    const pct = `${fmtInt(stage.share * 100)}%`;
    const what = isSharded(r)
      ? stage.stage === 'write'
        ? `write I/O: the workers awaited their writes for ${pct} of their time`
        : `the ${STAGE_LABEL[stage.stage]} stage in the workers: ${pct} of their time`
      : stage.stage === 'write'
        ? `write I/O: the caller's thread awaited its writes for ${pct} of the run`
        : stage.stage === 'read_parse' && stage.bottleneck === 'io'
          ? `read+parse: the caller's thread waited for the ingest's next Item for ${pct} of the run (main-thread ELU ${fmtNum(r.event_loop_utilization, 2)})`
          : `the ${STAGE_LABEL[stage.stage]} stage on the caller's thread${readsToo(r, stage.stage)}: ${pct} of the run`;
    parts.push(`${what} (${sharesText(b)})`);
  } else {
    parts.push('not known: the rows carry no stage times');
  }
  const ceiling = callerCeiling(group.ingest);
  const callerRows = group.ingest.filter((x) => !isSharded(x));
  if (ceiling && callerRows.length > 0) {
    const best = fastestOf(callerRows);
    const share = Math.min(100, ((best.throughput_items_per_sec ?? 0) / ceiling.itemsPerSec) * 100);
    parts.push(
      `the ceiling of the caller placement is ${fmtInt(ceiling.itemsPerSec)} items/s, one thread's time per Item ` +
        `across its stages (${microsText(ceiling)}, with ${describeLevel(ceiling.from)}; awaited writes left out), ` +
        `and the fastest, ${describeLevel(best)} at ${fmtInt(best.throughput_items_per_sec)} items/s, reaches ${fmtInt(share)}% of it`,
    );
  }
  const sharded = shardedCeiling(group.ingest, cores);
  if (sharded) parts.push(shardedText(group, sharded, ceiling?.itemsPerSec ?? null, rec.noise));
  const transform = floorThroughput(group, 'transform-only');
  if (transform)
    parts.push(`transforming alone runs at ${fmtInt(transform.throughput_items_per_sec)} items/s`);
  const write = floorThroughput(group, 'write-only');
  if (write) parts.push(writeFloorText(rec, write, noise, cores));
  return parts.join('; ');
}

const fastestOf = (rows: readonly BenchmarkResult[]) =>
  rows.reduce((a, b) => ((b.throughput_items_per_sec ?? 0) > (a.throughput_items_per_sec ?? 0) ? b : a));

/**
 * The sharded placement's ceiling as a finding states it: each stage's time per Item (summed over
 * the workers), B on this machine's cores and the share of it the fastest sharded row reaches, the
 * limiting stage, the formula for N cores beside the caller's ceiling, from how many cores sharded
 * passes that ceiling, and whether sharded beat caller's fastest beyond noise here.
 */
function shardedText(
  group: RowGroup,
  c: ShardedCeiling,
  callerCap: number | null,
  noise: RunNoise | null,
): string {
  const shardedRows = group.ingest.filter(isSharded);
  const callerRows = group.ingest.filter((x) => !isSharded(x));
  const best = fastestOf(shardedRows);
  const reach = Math.min(100, ((best.throughput_items_per_sec ?? 0) / c.itemsPerSec) * 100);
  const parts = [
    `per Item the sharded stages took ${microsText(c)}, summed over the workers (${describeLevel(c.from)}), ` +
      `so the ceiling of the sharded placement is B = ${c.cores} cores / ${fmtNum(1e6 / c.perCore, 1)} µs = ` +
      `${fmtInt(c.itemsPerSec)} items/s on this machine, limited by the ${STAGE_LABEL[c.limiting]} stage; ` +
      `the fastest, ${describeLevel(best)} at ${fmtInt(best.throughput_items_per_sec)} items/s, reaches ${fmtInt(reach)}% of it`,
  ];
  const perCore = fmtInt(c.perCore);
  const perCoreCpu = fmtInt(c.perCoreCpu);
  const cpuB = `${c.cores} cores / ${fmtNum(1e6 / c.perCoreCpu, 1)} µs = ${fmtInt(c.perCoreCpu * c.cores)} items/s`;
  parts.push(`on CPU alone (the awaited writes left out, as the caller's ceiling counts) B would be ${cpuB}`);
  if (callerCap !== null) {
    const cores = (perItem: number) => {
      const n = Math.max(1, Math.ceil(callerCap / perItem));
      return `${n} core${n === 1 ? '' : 's'}`;
    };
    parts.push(
      `on N cores: caller ≤ ${fmtInt(callerCap)} items/s (more cores do not lift it), sharded ≤ N × ${perCoreCpu} items/s ` +
        `on CPU alone and N × ${perCore} items/s with the writes as measured here, so sharded passes the caller's ceiling ` +
        `from ${cores(c.perCoreCpu)} on CPU, from ${cores(c.perCore)} if the writes cost per Item what they did here`,
    );
  } else {
    parts.push(
      `on N cores: sharded ≤ N × ${perCoreCpu} items/s on CPU alone, N × ${perCore} items/s with these writes`,
    );
  }
  if (callerRows.length > 0) {
    const callerBest = fastestOf(callerRows);
    const beat = measurablyFaster(best, callerBest, noise);
    // Or every run of sharded's fastest beat every run of caller's (the issue's test of "beyond noise").
    const whole =
      runsOf(best) > 1 &&
      runsOf(callerBest) > 1 &&
      (best.throughput_items_per_sec ?? 0) > (callerBest.throughput_items_per_sec ?? 0) &&
      rangeGap(callerBest, best) > 0;
    const theirs = `caller's fastest (${describeLevel(callerBest)}, ${fmtInt(callerBest.throughput_items_per_sec)} items/s)`;
    parts.push(
      beat
        ? `here sharded was faster than ${theirs} beyond noise`
        : whole
          ? `here every run of sharded's fastest beat every run of ${theirs}, by less than one run's noise`
          : `here sharded was not faster than ${theirs} beyond noise`,
    );
  }
  return parts.join('; ');
}

/**
 * The write-only floor against the fastest row: no pipeline writes faster than writing its Items
 * alone into the same sink, so a share of it says how much of the writing's speed the run keeps;
 * a row beyond it (beyond noise) is said not to be bounded by it. The floor writes with one writer
 * on one thread; sharded with N workers writes with N at once, so its bound is the floor times
 * the writers that can run at once (N, at most the cores).
 */
function writeFloorText(
  rec: Recommendation,
  floor: BenchmarkResult,
  noise: RunNoise | null,
  cores: number,
): string {
  const tp = floor.throughput_items_per_sec!;
  const writers = isSharded(rec.best) ? Math.max(1, Math.min(rec.best.concurrency, cores)) : 1;
  const bound = tp * writers;
  const text =
    writers === 1
      ? `writing the pre-serialized Items alone runs at ${fmtInt(tp)} items/s`
      : `writing the pre-serialized Items alone runs at ${fmtInt(tp)} items/s with one writer, so at most ${fmtInt(bound)} with ${writers} writers at once`;
  const reach = reachOf(rec.best, bound, floor, noise);
  if (reach.kind === 'share') return `${text}, and the fastest reaches ${fmtInt(reach.share * 100)}% of it`;
  if (reach.kind === 'within-noise')
    return `${text}, and the fastest reaches it (the difference is within noise)`;
  if (reach.kind === 'beyond') {
    return `${text}, yet the fastest runs faster beyond noise, so it is not a bound (it was timed in runs of its own)`;
  }
  return `${text}, and the fastest is at or above it (not enough samples to judge noise)`;
}

/**
 * The finding of a pipeline group: the ingest setting advised for the placement (the same rule as
 * every scenario: the cheapest within noise of the fastest, never one all of whose runs were slower
 * than the fastest's), the bottleneck stage and the placement's ceiling.
 */
function pipelineFindingFor(
  group: RowGroup,
  config: Record<string, unknown>,
  cores: number,
  jsonSizes: ReadonlyMap<string, number>,
): Finding | null {
  const noise = pooledNoise([...group.ingest, ...group.floors]);
  const rec = recommend(group.ingest, noise);
  if (!rec) return null;
  const r = rec.recommended;
  const conditions = conditionsOf(group, config, cores, null, jsonSizes);
  const stage = bottleneckStageOf(r);
  const ceiling = isSharded(r) ? shardedCeiling(group.ingest, cores) : callerCeiling(group.ingest);
  return {
    scenario: 'pipeline',
    conditions,
    bottleneck: stage?.bottleneck ?? 'cpu',
    best_strategy: ingestStrategyOf(r),
    recommended_concurrency: ingestSettingOf(r)?.level ?? r.concurrency,
    summary: summarize(group, rec, pipelineLimit(group, rec, cores), conditions, jsonSizes),
    ...(stage
      ? {
          pipeline: {
            placement: r.strategy,
            bottleneck_stage: stage.stage,
            ceiling_items_per_sec: ceiling ? Math.round(ceiling.itemsPerSec) : null,
          },
        }
      : {}),
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
  const jsonSizes = jsonItemSizes(results);
  return {
    comparisons: groups.flatMap(compareToBaseline),
    findings: groups
      .map((g) => findingFor(g, config, cores, jsonSizes))
      .filter((f): f is Finding => f !== null),
  };
}

/** Three decimals, or three significant digits below 1: a very slow row's ratio must not round to 0. */
function roundRatio(n: number): number {
  return n >= 1 ? round(n, 3) : Number(n.toPrecision(3));
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
