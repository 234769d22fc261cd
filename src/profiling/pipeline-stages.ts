/**
 * The stages of a pipeline row (scenario `pipeline`): which ingest setting fed it (its variant
 * `ingest=<strategy>:<level>`), each stage's seconds and share of the run, the bottleneck stage,
 * and the ceiling of the caller placement (one thread's time per Item across its stages). Pure;
 * the analysis, the report and the charts read pipeline rows through here.
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

export interface StageBreakdown {
  seconds: StageFigures;
  /** Each stage's share of the run's mean wall time. */
  shares: StageFigures;
  /** Wall time no stage accounts for (preparing and finishing the sink, the loop itself), >= 0. */
  other: number;
  wall: number;
}

/** Each stage's seconds and share of the row's mean wall time; null without stage times. */
export function breakdownOf(r: BenchmarkResult): StageBreakdown | null {
  const seconds = stageSecondsOf(r);
  const wall = r.duration_seconds;
  if (!seconds || wall === null || !(wall > 0)) return null;
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
  return s ? s.read_parse + s.transform + s.serialize : null;
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
  const busy = (r.event_loop_utilization ?? 1) >= BUSY_ELU;
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

/** `12.3 µs read+parse, 4.1 µs transform, 2.0 µs serialize`. */
export function microsText(c: CallerCeiling): string {
  const m = c.microsPerItem;
  return (['read_parse', 'transform', 'serialize'] as const)
    .map((s) => `${fmtNum(m[s], 1)} µs ${STAGE_LABEL[s]}`)
    .join(', ');
}
