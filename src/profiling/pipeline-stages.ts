/**
 * The stages of a pipeline row (scenario `pipeline`): which ingest setting fed it (its variant
 * `ingest=<strategy>:<level>`; a `sharded` row has none: its concurrency is its workers), each
 * stage's seconds and share of the run, the bottleneck stage, the ceiling of the caller placement
 * (one thread's time per Item across its stages) and of the sharded placement (the cores over the
 * stages' time per Item, summed over the workers). Pure; the analysis, the report and the charts
 * read pipeline rows through here.
 */
import { fmtInt, fmtNum } from './format.js';
import type { BenchmarkResult, Bottleneck, StageFigures } from './result.js';
import { STAGES } from './result.js';

export type Stage = keyof StageFigures;

/** How each stage is named in sentences and tables. */
export const STAGE_LABEL: Record<Stage, string> = {
  read_parse: 'read+parse',
  transform: 'transform',
  serialize: 'serialize',
  write: 'write',
};

/** The ingest setting of a pipeline row. */
export interface IngestSetting {
  strategy: string;
  level: number;
}

/** `ingest=worker-threads:2`: the variant of a pipeline row, naming the ingest that fed it. */
export function ingestVariant(strategy: string, level: number): string {
  return `ingest=${strategy}:${level}`;
}

/** The ingest setting a pipeline row names in its variant; null for any other row. */
export function ingestSettingOf(r: Pick<BenchmarkResult, 'scenario' | 'variant'>): IngestSetting | null {
  if (r.scenario !== 'pipeline' || !r.variant) return null;
  const m = /^ingest=([a-z-]+):(\d+)$/.exec(r.variant);
  return m ? { strategy: m[1]!, level: Number(m[2]) } : null;
}

/** A row's stage seconds per run, null when it has none (another scenario, a floor, a failed row). */
export function stageSecondsOf(r: BenchmarkResult): StageFigures | null {
  return r.pipeline?.stage_seconds ?? null;
}

/** A row of the sharded placement: its stage seconds are summed over `concurrency` workers. */
export function isSharded(r: Pick<BenchmarkResult, 'scenario' | 'strategy'>): boolean {
  return r.scenario === 'pipeline' && r.strategy === 'sharded';
}

export interface StageBreakdown {
  seconds: StageFigures;
  /** Each stage's share of `wall`. */
  shares: StageFigures;
  /** Time no stage accounts for (preparing and finishing the sink, the loop itself), >= 0. */
  other: number;
  /**
   * The time the stages are shares of: the run's mean wall time, times the workers for a sharded
   * row (its stage seconds are every worker's, summed).
   */
  wall: number;
}

/** Each stage's seconds and share of the row's mean wall time (thread time for sharded); null without stage times. */
export function breakdownOf(r: BenchmarkResult): StageBreakdown | null {
  const seconds = stageSecondsOf(r);
  const duration = r.duration_seconds;
  if (!seconds || duration === null || !(duration > 0)) return null;
  const wall = duration * (isSharded(r) ? Math.max(1, r.concurrency) : 1);
  const shares = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  let sum = 0;
  for (const s of STAGES) {
    shares[s] = seconds[s] / wall;
    sum += seconds[s];
  }
  return { seconds, shares, other: Math.max(0, wall - sum), wall };
}

/**
 * Seconds per run the caller's thread spent in the stages it runs itself: read+parse (the wait for
 * and the work of the ingest's next Item), transform and serialize. The awaited write is left out:
 * it is I/O the thread could overlap.
 */
export function callerSeconds(r: BenchmarkResult): number | null {
  const s = stageSecondsOf(r);
  return s && !isSharded(r) ? s.read_parse + s.transform + s.serialize : null;
}

/**
 * Microseconds per Item a row's stages took: for a caller row its caller's own stages (read+parse,
 * transform, serialize: the inverse of its ceiling); for a sharded row every stage, awaited writes
 * included, summed over the workers (the cores divided by it is the sharded ceiling).
 */
export function microsPerItemOf(r: BenchmarkResult): number | null {
  const s = stageSecondsOf(r);
  const items = r.items_processed;
  if (!s || items === null || !(items > 0)) return null;
  const seconds = isSharded(r) ? STAGES.reduce((sum, k) => sum + s[k], 0) : callerSeconds(r)!;
  return (seconds / items) * 1e6;
}

/** The caller placement's ceiling from one row: Items per second of its caller's time. */
export function callerCeilingOf(r: BenchmarkResult): number | null {
  const seconds = callerSeconds(r);
  const items = r.items_processed;
  return seconds !== null && seconds > 0 && items !== null && items > 0 ? items / seconds : null;
}

export interface CallerCeiling {
  /** items/s */
  itemsPerSec: number;
  /** The row whose caller's thread spent the least time per Item (the ceiling's source). */
  from: BenchmarkResult;
  /** Microseconds per Item of that thread, per stage it runs. */
  microsPerItem: Pick<StageFigures, 'read_parse' | 'transform' | 'serialize'>;
}

/**
 * The ceiling of the caller placement: one thread's summed time per Item across the stages it
 * runs, as items/s, from the row that left the least of it on that thread (the ingest setting
 * that takes the most work off it). Null when no row has stage times.
 */
export function callerCeiling(rows: readonly BenchmarkResult[]): CallerCeiling | null {
  let best: { r: BenchmarkResult; tp: number } | null = null;
  for (const r of rows) {
    if (isSharded(r)) continue;
    const tp = callerCeilingOf(r);
    if (tp !== null && (!best || tp > best.tp)) best = { r, tp };
  }
  if (!best) return null;
  const s = stageSecondsOf(best.r)!;
  const us = (v: number) => (v / best.r.items_processed!) * 1e6;
  return {
    itemsPerSec: best.tp,
    from: best.r,
    microsPerItem: { read_parse: us(s.read_parse), transform: us(s.transform), serialize: us(s.serialize) },
  };
}

export interface ShardedCeiling {
  /** items/s one core allows: 1 / (the stages' time per Item, summed). */
  perCore: number;
  /** items/s on `cores` cores: cores × perCore (B). */
  itemsPerSec: number;
  cores: number;
  /** The sharded row whose stages took the least time per Item (the ceiling's source). */
  from: BenchmarkResult;
  /** Microseconds per Item of each stage, summed over that row's workers. */
  microsPerItem: StageFigures;
  /** The stage with the most time per Item. */
  limiting: Stage;
  /**
   * items/s one core allows on CPU alone: the stages without the awaited write (as the caller's
   * ceiling counts them), so the two placements' ceilings compare like with like.
   */
  perCoreCpu: number;
}

/**
 * The ceiling of the sharded placement: every stage runs in each worker, so an Item costs the
 * stages' time summed (read+parse, transform, serialize and the awaited write, over all workers)
 * wherever it runs, and `cores` cores allow cores / that time (B). Taken from the sharded row whose
 * stages took the least time per Item; null without sharded rows with stage times. The write stage
 * is time a worker waited for its writes: B assumes the file system keeps up as workers are added.
 */
export function shardedCeiling(rows: readonly BenchmarkResult[], cores: number): ShardedCeiling | null {
  let best: { r: BenchmarkResult; us: number } | null = null;
  for (const r of rows) {
    if (!isSharded(r)) continue;
    const us = microsPerItemOf(r);
    if (us !== null && us > 0 && (!best || us < best.us)) best = { r, us };
  }
  if (!best) return null;
  const s = stageSecondsOf(best.r)!;
  const items = best.r.items_processed!;
  const micros = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  for (const k of STAGES) micros[k] = (s[k] / items) * 1e6;
  const perCore = 1e6 / best.us;
  const limiting = STAGES.reduce((a, k) => (micros[k] > micros[a] ? k : a));
  const cpu = micros.read_parse + micros.transform + micros.serialize;
  return {
    perCore,
    itemsPerSec: perCore * cores,
    cores,
    from: best.r,
    microsPerItem: micros,
    limiting,
    perCoreCpu: cpu > 0 ? 1e6 / cpu : Number.POSITIVE_INFINITY,
  };
}

/** Above this main-thread ELU, time in read+parse is the caller's own work rather than waiting. */
const BUSY_ELU = 0.75;

export interface BottleneckStage {
  stage: Stage;
  share: number;
  /** `io` for write I/O, and for read+parse spent mostly waiting (the thread not busy); else `cpu`. */
  bottleneck: Bottleneck;
}

/**
 * The stage with the largest share of the row's time: write I/O when the awaited write dominates,
 * otherwise the caller's stage that does (read+parse counts as waiting on reads, `io`, when the
 * caller's thread was not busy).
 */
export function bottleneckStageOf(r: BenchmarkResult): BottleneckStage | null {
  const b = breakdownOf(r);
  if (!b) return null;
  const stage = STAGES.reduce((a, s) => (b.seconds[s] > b.seconds[a] ? s : a));
  // A sharded row's read+parse is its workers' own reading and parsing (their waits left out).
  const busy = isSharded(r) || (r.event_loop_utilization ?? 1) >= BUSY_ELU;
  const bottleneck: Bottleneck = stage === 'write' || (stage === 'read_parse' && !busy) ? 'io' : 'cpu';
  return { stage, share: b.shares[stage], bottleneck };
}

/** `write 52%, read+parse 30%, transform 9%, serialize 6%`: the stages by share, largest first. */
export function sharesText(b: StageBreakdown): string {
  return [...STAGES]
    .sort((x, y) => b.seconds[y] - b.seconds[x])
    .map((s) => `${STAGE_LABEL[s]} ${fmtInt(b.shares[s] * 100)}%`)
    .join(', ');
}

/** `12.3 µs read+parse, 4.1 µs transform, 2.0 µs serialize` (and write, for a sharded ceiling). */
export function microsText(c: { microsPerItem: Partial<StageFigures> }): string {
  const m = c.microsPerItem;
  return STAGES.filter((s) => m[s] !== undefined)
    .map((s) => `${fmtNum(m[s]!, 1)} µs ${STAGE_LABEL[s]}`)
    .join(', ');
}
