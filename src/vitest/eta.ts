/**
 * The time left of a bench run, for the progress line. Pure: the reporter feeds it the plan, an
 * earlier results file, and the clock. Benches differ too much in time per Item (a latency-bound
 * API search against an in-memory parse) for one pace to time them all, so each bench left is
 * timed by the most specific thing known, and a bench nothing is known about is counted, not guessed.
 */
import type { PlannedBench } from '../bench/plan.js';
import type { DatasetInfo } from '../profiling/result.js';

/** The time left: `ms` for the benches that can be timed, and how many cannot be yet. */
export interface Estimate {
  ms: number;
  untimed: number;
}

/** One bench of the plan, as the estimate knows it. */
export interface EtaBench {
  /** Unique in the run (the reporter uses the bench file and the bench's name). */
  id: string;
  /** The bench file it is in: its start-up is timed apart from its benches. */
  module: string;
  bench: PlannedBench;
}

/** A row of an earlier results file: its mean seconds per run, and the data it ran on. */
export interface PreviousRow {
  perRunSeconds: number;
  dataset: DatasetInfo;
}

/**
 * The measured rows of an earlier results file by key. Tolerant: anything that is not a results
 * file, or a row without a duration (a failed row), gives nothing, so a bad file only means no
 * head start.
 */
export function previousRows(file: unknown): Map<string, PreviousRow> {
  const rows = new Map<string, PreviousRow>();
  const results = (file as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return rows;
  for (const r of results as Record<string, unknown>[]) {
    const seconds = r?.duration_seconds;
    const dataset = r?.dataset as DatasetInfo | undefined;
    if (typeof r?.key !== 'string' || typeof seconds !== 'number' || !Number.isFinite(seconds)) continue;
    if (seconds < 0 || !dataset || typeof dataset !== 'object') continue;
    rows.set(r.key, { perRunSeconds: seconds, dataset });
  }
  return rows;
}

/** The same data as planned: a size, latency or page size that differs makes the old time no guide. */
function sameData(a: DatasetInfo, b: DatasetInfo): boolean {
  return (
    a.format === b.format &&
    a.items === b.items &&
    a.profile === b.profile &&
    (a.page_size ?? null) === (b.page_size ?? null) &&
    (a.latency_ms ?? null) === (b.latency_ms ?? null)
  );
}

/**
 * Each bench's time in the earlier run (its runs times its mean run), by id; null where that run
 * has no row of the same key on the same data. An interleaved floor's runs are taken inside its
 * group's rows, so its time is shared among them and it keeps 0 itself.
 */
export function previousTimes(
  benches: readonly EtaBench[],
  previous: ReadonlyMap<string, PreviousRow>,
): Map<string, number | null> {
  const times = new Map<string, number | null>();
  const own = (b: EtaBench): number | null => {
    const row = previous.get(b.bench.key);
    if (!row || !sameData(row.dataset, b.bench.dataset)) return null;
    return row.perRunSeconds * 1000 * b.bench.runs;
  };
  for (const b of benches) times.set(b.id, b.bench.interleaved ? null : own(b));
  for (const floor of benches.filter((b) => b.bench.interleaved)) {
    const ms = own(floor);
    const rows = benches.filter(
      (b) =>
        !b.bench.interleaved &&
        b.module === floor.module &&
        b.bench.group === floor.bench.group &&
        times.get(b.id) !== null,
    );
    if (ms === null || rows.length === 0) continue;
    for (const row of rows) times.set(row.id, times.get(row.id)! + ms / rows.length);
    times.set(floor.id, 0);
  }
  return times;
}

interface Tally {
  ms: number;
  n: number;
}

/**
 * The run's estimate, updated as bench files start and benches finish. A bench left is timed by,
 * in order:
 * 1. its time in the earlier results file: scaled by how this run's finished benches of its group
 *    compare with their earlier times (a machine busier than before slows a group's benches
 *    alike); in a group not started yet, plus the mean overhead per bench this run has shown
 *    beyond the earlier times (GC between runs, vitest's own work), never below 0. A bench file's
 *    first bench is left out of both, its excess being the file's one-time setup (a worker pool,
 *    a WebAssembly module), which is counted with the file's start-up instead;
 * 2. the seconds per Item-run of the finished benches of its group (scenario and dataset size),
 *    which hold that overhead already; an interleaved floor weighs nothing there, its runs being
 *    inside the rows;
 * 3. nothing: it is counted as untimed.
 * Bench files not started yet add the mean start-up of those that have (fork, import, setup).
 */
export class RunEstimate {
  private readonly left = new Map<string, EtaBench>();
  private readonly previous: Map<string, number | null>;
  private readonly paces = new Map<string, { ms: number; weight: number }>();
  /** Per group: this run's time and the earlier time of its finished benches that had one. */
  private readonly ratios = new Map<string, { ms: number; before: number }>();
  private readonly overhead: Tally = { ms: 0, n: 0 };
  private readonly startup: Tally = { ms: 0, n: 0 };
  private readonly modules: Set<string>;
  /** Bench files with a finished bench. */
  private readonly begun = new Set<string>();

  constructor(benches: readonly EtaBench[], previous: ReadonlyMap<string, PreviousRow> = new Map()) {
    for (const b of benches) this.left.set(b.id, b);
    this.previous = previousTimes(benches, previous);
    this.modules = new Set(benches.map((b) => b.module));
  }

  /** A bench file started after `startupMs` of its own (the time since the last bench ended). */
  moduleStarted(module: string, startupMs: number): void {
    if (!this.modules.delete(module)) return;
    this.startup.ms += Math.max(0, startupMs);
    this.startup.n++;
  }

  /** A bench ended `elapsedMs` after the previous one (or its file's start). */
  finished(id: string, elapsedMs: number): void {
    const b = this.left.get(id);
    if (!b) return;
    this.left.delete(id);
    const pace = this.paces.get(b.bench.group) ?? { ms: 0, weight: 0 };
    pace.ms += elapsedMs;
    pace.weight += b.bench.weight;
    this.paces.set(b.bench.group, pace);
    const before = this.previous.get(id);
    const first = !this.begun.has(b.module);
    this.begun.add(b.module);
    if (before === null || before === undefined) return;
    if (first) {
      this.startup.ms += Math.max(0, elapsedMs - before);
      return;
    }
    this.overhead.ms += elapsedMs - before;
    this.overhead.n++;
    const ratio = this.ratios.get(b.bench.group) ?? { ms: 0, before: 0 };
    ratio.ms += elapsedMs;
    ratio.before += before;
    this.ratios.set(b.bench.group, ratio);
  }

  estimate(): Estimate {
    const perBench = this.overhead.n > 0 ? Math.max(0, this.overhead.ms / this.overhead.n) : 0;
    let ms = 0;
    let untimed = 0;
    for (const [id, b] of this.left) {
      const before = this.previous.get(id);
      const pace = this.paces.get(b.bench.group);
      const ratio = this.ratios.get(b.bench.group);
      if (before !== null && before !== undefined) {
        ms += ratio && ratio.before > 0 ? before * (ratio.ms / ratio.before) : before + perBench;
      } else if (b.bench.weight === 0) continue;
      else if (pace && pace.weight > 0) ms += (pace.ms / pace.weight) * b.bench.weight;
      else untimed++;
    }
    if (this.modules.size > 0 && this.startup.n > 0) {
      ms += (this.startup.ms / this.startup.n) * this.modules.size;
    }
    return { ms, untimed };
  }
}
