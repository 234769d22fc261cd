/**
 * How cost grows with size, for a scenario measured at two sizes or more (`--test-size
 * 1000,10000`, the local API's two collections): the throughput change of the fastest setting and
 * of each strategy's fastest from the smallest to the largest size, how peak memory grows per 10x
 * items (bounded, or growing with the input), and which settings change rank beyond noise. Pure:
 * computed from the rows of a results file whenever a report is rendered.
 */
import { adviceRows, describeLevel, groupRows, type RowGroup } from './analysis.js';
import { fmtInt, fmtNum, fmtPct, fmtSigned } from './format.js';
import type { BenchmarkResult, Scenario } from './result.js';
import { contrast, measurablyFaster, pooledNoise, type RunNoise, type Verdict } from './spread.js';

/** One setting (strategy, variant, level) across sizes. */
export interface SettingTrend {
  /** Its row at each size it ran at, smallest size first. */
  rows: BenchmarkResult[];
  /** Throughput at the largest size over the smallest, minus 1; null when it ran at one size only. */
  change: number | null;
  /** The change against the noise pooled over both sizes' rows. */
  verdict: Verdict;
}

export type MemoryVerdict = 'bounded' | 'grows with the input';

export interface MemoryTrend {
  rows: BenchmarkResult[];
  /** Least-squares slope of peak memory (MB) against log10(items): MB more per 10x items. */
  perTenfoldMb: number;
  /** Least-squares slope of ln(peak MB + noise) against ln(items): 1 when memory follows the input. */
  exponent: number;
  verdict: MemoryVerdict;
}

/** A setting faster beyond noise at the largest size than settings that were faster at the smallest. */
export interface RankChange {
  setting: BenchmarkResult;
  overtakes: BenchmarkResult[];
}

export interface Scaling {
  scenario: Scenario;
  /** The scenario's rows at each size, smallest first (only sizes with a row that ran). */
  groups: RowGroup[];
  /** The fastest setting (library default path) at the largest size. */
  best: SettingTrend;
  /** Each strategy's fastest setting at the largest size, the best's strategy first. */
  strategies: SettingTrend[];
  /** Peak memory of the strategies' settings, then of any other setting that grows with the input. */
  memory: MemoryTrend[];
  /** Differences in peak memory below this many MB are read as noise (see `memoryNoiseMb`). */
  memoryNoiseMb: number;
  /** Null when the smallest or the largest size has no noise estimate (single samples). */
  rankChanges: RankChange[] | null;
  /** The fastest setting at each size, as measured. */
  fastest: BenchmarkResult[];
  summary: string;
}

/** Memory growing at least this power of the items (√10× per 10x) grows with the input. */
export const GROWTH_EXPONENT = 0.5;

/**
 * The least memory noise assumed, MB: peak memory is the growth of the process's RSS during a run,
 * and the allocator and V8 reuse pages the process already holds, so a run's figure moves by about
 * a MB without any change in what it keeps.
 */
export const MIN_MEMORY_NOISE_MB = 1;

/** strategy, variant and level: what stays the same across sizes. */
export function settingKey(r: BenchmarkResult): string {
  return `${r.strategy}|${r.variant ?? ''}|${r.concurrency}`;
}

/** The same scenario and data shape (profile, page size, latency) at any item count. */
function shapeKey(g: RowGroup): string {
  const d = g.dataset;
  return [g.scenario, d.format, d.profile, d.page_size ?? '-', d.latency_ms ?? '-'].join('|');
}

const tpOf = (r: BenchmarkResult) => r.throughput_items_per_sec ?? 0;
const fastest = (rows: readonly BenchmarkResult[]) => rows.reduce((a, b) => (tpOf(b) > tpOf(a) ? b : a));
const noiseOf = (groups: readonly RowGroup[]): RunNoise | null =>
  pooledNoise(groups.flatMap((g) => [...g.ingest, ...g.floors]));

function rowsOf(groups: readonly RowGroup[], key: string): BenchmarkResult[] {
  return groups
    .map((g) => g.ingest.find((r) => settingKey(r) === key))
    .filter((r): r is BenchmarkResult => r !== undefined);
}

/** A setting's throughput from the smallest to the largest size it ran at, judged with both sizes' noise. */
export function settingTrend(groups: readonly RowGroup[], key: string): SettingTrend {
  const rows = rowsOf(groups, key);
  if (rows.length < 2) return { rows, change: null, verdict: 'unknown' };
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const sizes = groups.filter((g) => g.ingest.includes(first) || g.ingest.includes(last));
  return {
    rows,
    change: tpOf(last) / tpOf(first) - 1,
    verdict: contrast(last, first, noiseOf(sizes)).verdict,
  };
}

/** Least-squares slope of ys against xs (0 when the xs do not vary). */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return sxx > 0 ? sxy / sxx : 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The noise of peak memory in a scenario, MB, from its own figures: the levels of one strategy
 * (default path) at one size differ in what they keep by little when memory is bounded, so the
 * spread between them is mostly noise. Per size the median of those spreads over the strategies;
 * the largest over the sizes (longer runs move the heap more), never below MIN_MEMORY_NOISE_MB.
 * Real differences between levels (more workers, more pages in flight) only make the rule slower
 * to call growth.
 */
export function memoryNoiseMb(groups: readonly RowGroup[]): number {
  let noise = MIN_MEMORY_NOISE_MB;
  for (const g of groups) {
    const spreads: number[] = [];
    const byStrategy = new Map<string, number[]>();
    for (const r of adviceRows(g.ingest)) {
      if (r.peak_memory_mb === null) continue;
      const list = byStrategy.get(r.strategy) ?? [];
      list.push(Math.max(0, r.peak_memory_mb));
      byStrategy.set(r.strategy, list);
    }
    for (const mem of byStrategy.values()) {
      if (mem.length >= 2) spreads.push(Math.max(...mem) - Math.min(...mem));
    }
    if (spreads.length > 0) noise = Math.max(noise, median(spreads));
  }
  return noise;
}

/**
 * How a setting's peak memory grows with the items: `grows with the input` when it grows at least
 * as √ of the items (exponent ≥ 0.5 on a log-log fit), `bounded` when well below. The noise is added
 * to every figure before the fit, so memory that stays within the noise reads as bounded however
 * its small figures vary. Null with fewer than two sizes.
 */
export function memoryTrend(rows: readonly BenchmarkResult[], noiseMb: number): MemoryTrend | null {
  const points = rows.filter((r) => r.peak_memory_mb !== null && r.dataset.items > 0);
  if (points.length < 2) return null;
  const items = points.map((r) => r.dataset.items);
  const mem = points.map((r) => Math.max(0, r.peak_memory_mb!));
  const exponent = slope(
    items.map(Math.log),
    mem.map((m) => Math.log(m + noiseMb)),
  );
  return {
    rows: points,
    perTenfoldMb: slope(items.map(Math.log10), mem),
    exponent,
    verdict: exponent >= GROWTH_EXPONENT ? 'grows with the input' : 'bounded',
  };
}

/**
 * Settings of the default path that swap places beyond noise between the smallest and the largest
 * size: at the largest size measurably faster than a setting that was measurably faster at the
 * smallest. Null when either size has no noise estimate.
 */
export function rankChanges(small: RowGroup, large: RowGroup): RankChange[] | null {
  const noiseSmall = noiseOf([small]);
  const noiseLarge = noiseOf([large]);
  if (!noiseSmall || !noiseLarge) return null;
  const atSmall = new Map(adviceRows(small.ingest).map((r) => [settingKey(r), r]));
  const both = adviceRows(large.ingest).filter((r) => atSmall.has(settingKey(r)));
  const out: RankChange[] = [];
  for (const a of [...both].sort((x, y) => tpOf(y) - tpOf(x))) {
    const overtakes = both.filter(
      (b) =>
        b !== a &&
        measurablyFaster(a, b, noiseLarge) &&
        measurablyFaster(atSmall.get(settingKey(b))!, atSmall.get(settingKey(a))!, noiseSmall),
    );
    if (overtakes.length > 0) out.push({ setting: a, overtakes });
  }
  return out;
}

/** Without a noise estimate the change is given as measured: the rank sentence says why. */
const verdictText: Record<Verdict, string> = {
  different: ', beyond noise',
  equivalent: ', within noise',
  unknown: '',
};

/** `+12%`, `-40%`; from a doubling (or a halving) on, the ratio: `13.7x`, `0.3x`. */
function changeFigure(change: number): string {
  const ratio = change + 1;
  return ratio >= 2 || ratio <= 0.5 ? `${fmtNum(ratio, 1)}x` : fmtPct(change, 0);
}

function changeText(t: SettingTrend): string {
  const first = t.rows[0]!;
  const last = t.rows.at(-1)!;
  if (t.change === null) return `${fmtInt(tpOf(last))} items/s (measured at this size only)`;
  return `${fmtInt(tpOf(first))} → ${fmtInt(tpOf(last))} items/s (${changeFigure(t.change)}${verdictText[t.verdict]})`;
}

function memoryText(m: MemoryTrend): string {
  const from = fmtNum(m.rows[0]!.peak_memory_mb, 1);
  const to = fmtNum(m.rows.at(-1)!.peak_memory_mb, 1);
  return `${describeLevel(m.rows[0]!)} ${fmtSigned(m.perTenfoldMb, 1)} MB (${from} → ${to} MB), ${m.verdict}`;
}

function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function rankText(s: Omit<Scaling, 'summary'>, small: RowGroup, large: RowGroup): string {
  const span = `from ${fmtInt(small.dataset.items)} to ${fmtInt(large.dataset.items)} items`;
  const first = s.fastest[0]!;
  const last = s.fastest.at(-1)!;
  const moved =
    settingKey(first) === settingKey(last)
      ? ''
      : `the fastest as measured moves from ${describeLevel(first)} to ${describeLevel(last)}`;
  if (s.rankChanges === null) {
    return `Whether these changes are beyond noise, and whether settings change rank ${span}, cannot be judged: one sample per setting gives no noise estimate${moved ? ` (${moved})` : ''}.`;
  }
  if (s.rankChanges.length === 0) {
    return `No setting changes rank beyond noise ${span}${moved ? ` (${moved}, within noise)` : ''}.`;
  }
  const changes = s.rankChanges.map(
    (c) => `${describeLevel(c.setting)} overtakes ${listText(c.overtakes.map(describeLevel))}`,
  );
  return `Rank changes beyond noise ${span}: ${changes.join('; ')}.`;
}

function summarize(s: Omit<Scaling, 'summary'>): string {
  const small = s.groups[0]!;
  const large = s.groups.at(-1)!;
  const best = s.best.rows.at(-1)!;
  const parts = [
    `The fastest at ${fmtInt(large.dataset.items)} items, ${describeLevel(best)}: ${changeText(s.best)}.`,
  ];
  const others = s.strategies.filter((t) => t !== s.best);
  if (others.length > 0) {
    const each = others.map((t) => `${describeLevel(t.rows.at(-1)!)} ${changeText(t)}`);
    parts.push(`Each other strategy's fastest: ${each.join('; ')}.`);
  }
  if (s.memory.length > 0) {
    parts.push(
      `Peak memory per 10x items (differences within ~${fmtNum(s.memoryNoiseMb, 1)} MB are noise): ` +
        `${s.memory.map(memoryText).join('; ')}.`,
    );
  }
  parts.push(rankText(s, small, large));
  return parts.join(' ');
}

/** The scaling of one scenario from its groups (one per size, smallest first); null with < 2 sizes. */
export function scalingFor(groups: readonly RowGroup[]): Scaling | null {
  const sized = groups.filter((g) => g.ingest.length > 0);
  if (sized.length < 2) return null;
  const large = sized.at(-1)!;
  const defaults = adviceRows(large.ingest);
  const bestRow = fastest(defaults);
  const best = settingTrend(sized, settingKey(bestRow));
  const strategies = [best];
  const seen = new Set([bestRow.strategy]);
  for (const r of [...defaults].sort((a, b) => tpOf(b) - tpOf(a))) {
    if (seen.has(r.strategy)) continue;
    seen.add(r.strategy);
    strategies.push(settingTrend(sized, settingKey(r)));
  }
  const noiseMb = memoryNoiseMb(sized);
  const tracked = new Set(strategies.map((t) => settingKey(t.rows[0]!)));
  const memory = strategies
    .map((t) => memoryTrend(t.rows, noiseMb))
    .filter((m): m is MemoryTrend => m !== null);
  // Any other setting (variants included) whose memory follows the input is worth naming.
  const others = new Set(sized.flatMap((g) => g.ingest.map(settingKey)).filter((k) => !tracked.has(k)));
  for (const key of others) {
    const m = memoryTrend(rowsOf(sized, key), noiseMb);
    if (m?.verdict === 'grows with the input') memory.push(m);
  }
  const partial = {
    scenario: large.scenario,
    groups: sized,
    best,
    strategies,
    memory,
    memoryNoiseMb: noiseMb,
    rankChanges: rankChanges(sized[0]!, large),
    fastest: sized.map((g) => fastest(adviceRows(g.ingest))),
  };
  return { ...partial, summary: summarize(partial) };
}

/** Every scenario of a results file measured at two sizes or more, in the report's scenario order. */
export function scalingOf(results: readonly BenchmarkResult[]): Scaling[] {
  const byShape = new Map<string, RowGroup[]>();
  for (const g of groupRows(results)) {
    const key = shapeKey(g);
    const list = byShape.get(key) ?? [];
    list.push(g);
    byShape.set(key, list);
  }
  // groupRows orders by scenario, then items: each list is already smallest first.
  return [...byShape.values()].map(scalingFor).filter((s): s is Scaling => s !== null);
}

/** `directory, 1,000 → 100,000 items`: what a scaling finding is about. */
export function scalingTitle(s: Scaling): string {
  return `${s.scenario}, ${s.groups.map((g) => fmtInt(g.dataset.items)).join(' → ')} items`;
}
