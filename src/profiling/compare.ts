/**
 * Compares results row by row (matched by `key`): the change in throughput judged against the
 * noise, the change in peak memory, rows that started or stopped failing, and the differences of
 * environment that make a comparison doubtful. Each side is one results file or several (runs of
 * the same settings): with several, the noise is the spread between the runs, which includes the
 * drift between processes that one run cannot see. Pure; the CLI prints it.
 */
import { fmtInt, fmtNum, fmtPct, fmtSigned, mdCell } from './format.js';
import type { BenchmarkResult, ResultsFile } from './result.js';
import { datasetKey, pooledNoise, type RunNoise, runsOf, t95, usable } from './spread.js';

export type Verdict =
  | 'regressed'
  | 'improved'
  | 'unchanged'
  | 'inconclusive'
  | 'now failing'
  | 'still failing'
  | 'fixed'
  | 'new'
  | 'missing';

export interface RowChange {
  key: string;
  kind: BenchmarkResult['kind'];
  /** The row in the first baseline / current file that has it (null when no file of that side has it). */
  baseline: BenchmarkResult | null;
  current: BenchmarkResult | null;
  /** Throughput of each side: the geometric mean over its files; null when it did not run. */
  baselineTp: number | null;
  currentTp: number | null;
  /** (current - baseline) / baseline throughput; null when either did not run. */
  throughputChange: number | null;
  /** The 95% noise margin on the change, as a ratio (0.08: ±8%); null when it cannot be judged. */
  margin: number | null;
  /** The throughput difference in units of the margin (beyond ±1: beyond noise); null without one. */
  noise: number | null;
  memoryChangeMb: number | null;
  verdict: Verdict;
  /** Why the verdict, in a few words (empty when unchanged). */
  reason: string;
}

export interface CompareOptions {
  /**
   * A throughput change must also exceed this fraction to count. Default: 0.30 with one file per
   * side (runs on one machine drift by up to ~30% between processes, which one run's own spread
   * cannot see), 0.10 with several (their spread includes that drift).
   */
  minChange?: number;
  /** Peak memory regresses when it grows by more than this fraction ... (default 0.25) */
  memoryRatio?: number;
  /** ... and by more than this many MB (default 20). */
  memoryMb?: number;
}

/** The default threshold with one results file per side, and with several. */
export const DEFAULT_MIN_CHANGE = { single: 0.3, several: 0.1 } as const;

/** What the noise of a comparison was estimated from. */
export type NoiseBasis = 'within-run' | 'between-runs';

export interface RunDiff {
  rows: RowChange[];
  /** Differences that make the comparison doubtful (machine, runtime, settings, slower floors). */
  warnings: string[];
  /** Ingest rows that regressed beyond noise and the threshold (or started failing). */
  regressions: RowChange[];
  /** Rows whose change could not be judged (no noise estimate, or a large change within noise). */
  inconclusive: RowChange[];
  /** Results files per side. */
  files: { baseline: number; current: number };
  basis: NoiseBasis;
  /** The threshold used, as a fraction. */
  minChange: number;
}

export function environmentWarnings(baseline: ResultsFile, current: ResultsFile): string[] {
  const out: string[] = [];
  const b = baseline.environment;
  const c = current.environment;
  if (b.cpu_model !== c.cpu_model) out.push(`CPU model differs: '${b.cpu_model}' vs '${c.cpu_model}'`);
  if (b.cpus !== c.cpus) out.push(`core count differs: ${b.cpus} vs ${c.cpus}`);
  if (b.node !== c.node) out.push(`Node differs: ${b.node} vs ${c.node}`);
  for (const k of ['samples', 'warmups'] as const) {
    if (baseline.config[k] !== current.config[k]) {
      out.push(`${k} differ: ${String(baseline.config[k])} vs ${String(current.config[k])}`);
    }
  }
  return out;
}

/** One key's rows on one side, one per file that has it. */
interface SideRows {
  rows: BenchmarkResult[];
  usable: BenchmarkResult[];
}

const logTp = (r: BenchmarkResult) => Math.log(r.throughput_items_per_sec!);

/** The geometric mean of the throughputs of rows that ran (a ratio-scale quantity). */
function meanTp(rows: readonly BenchmarkResult[]): number {
  return Math.exp(rows.reduce((s, r) => s + logTp(r), 0) / rows.length);
}

/** Per group of rows measured on the same data: the noise to judge changes with. */
interface GroupNoise {
  /** One run's noise pooled over the group's rows in every file (within-run basis). */
  within: RunNoise | null;
  /** The spread of one file's throughput around its side's mean (between-runs basis). */
  between: RunNoise | null;
  /**
   * How far the group's rows moved relative to one another between the two sides (a robust spread
   * of their log throughput ratios): the drift between processes, which one run's own samples cannot
   * see. Null below MIN_DRIFT_ROWS rows in both sides.
   */
  drift: RunNoise | null;
  /**
   * The log change of the group's floors (their geometric mean) when they slowed, else 0: the
   * machine's share of a drop, which a row's own change is judged net of.
   */
  machine: number;
  /** The largest move of one of the group's floors, as a log ratio (0 without floors in both runs). */
  floorDrop: number;
  floorRise: number;
}

/** Rows in both sides a group needs before the spread of their changes estimates the drift. */
export const MIN_DRIFT_ROWS = 4;

const median = (values: readonly number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};

/**
 * The spread of the log throughput ratios of rows present on both sides, as 1.4826 x their median
 * absolute deviation (≈ a standard deviation, and not pulled up by the few rows a real change moves).
 */
function driftOf(logRatios: readonly number[]): RunNoise | null {
  if (logRatios.length < MIN_DRIFT_ROWS) return null;
  const center = median(logRatios);
  return { sd: 1.4826 * median(logRatios.map((d) => Math.abs(d - center))), df: logRatios.length - 1 };
}

function groupId(r: BenchmarkResult): string {
  return `${r.scenario}#${datasetKey(r.dataset)}`;
}

function noiseByGroup(sides: Map<string, SideRows>[]): Map<string, GroupNoise> {
  const rowsOf = new Map<string, BenchmarkResult[]>();
  const between = new Map<string, { ss: number; df: number }>();
  for (const side of sides) {
    for (const { usable: rows } of side.values()) {
      if (rows.length === 0) continue;
      const id = groupId(rows[0]!);
      rowsOf.set(id, [...(rowsOf.get(id) ?? []), ...rows]);
      const acc = between.get(id) ?? { ss: 0, df: 0 };
      const m = Math.log(meanTp(rows));
      acc.ss += rows.reduce((s, r) => s + (logTp(r) - m) ** 2, 0);
      acc.df += rows.length - 1;
      between.set(id, acc);
    }
  }
  const [base, cur] = sides;
  const ratios = new Map<string, { all: number[]; floors: number[] }>();
  for (const [key, b] of base ?? []) {
    const c = cur?.get(key);
    if (!c || b.usable.length === 0 || c.usable.length === 0) continue;
    const id = groupId(b.usable[0]!);
    const acc = ratios.get(id) ?? { all: [], floors: [] };
    const d = Math.log(meanTp(c.usable) / meanTp(b.usable));
    acc.all.push(d);
    if (b.usable[0]!.kind === 'floor') acc.floors.push(d);
    ratios.set(id, acc);
  }
  const out = new Map<string, GroupNoise>();
  for (const [id, rows] of rowsOf) {
    const b = between.get(id)!;
    const r = ratios.get(id);
    const floors = r?.floors ?? [];
    const floorShift = floors.length ? floors.reduce((a, d) => a + d, 0) / floors.length : 0;
    out.set(id, {
      within: pooledNoise(rows),
      between: b.df > 0 ? { sd: Math.sqrt(b.ss / b.df), df: b.df } : null,
      drift: driftOf(r?.all ?? []),
      machine: Math.min(0, floorShift),
      floorDrop: Math.min(0, ...floors),
      floorRise: Math.max(0, ...floors),
    });
  }
  return out;
}

interface Judgement {
  change: number;
  /** The change net of the machine's (the floors' drop), as a ratio. */
  netChange: number;
  margin: number | null;
  noise: number | null;
}

function judgeThroughput(
  b: SideRows,
  c: SideRows,
  noise: GroupNoise | undefined,
  basis: NoiseBasis,
): Judgement {
  const bt = meanTp(b.usable);
  const ct = meanTp(c.usable);
  const change = bt > 0 ? (ct - bt) / bt : 0;
  // A drop the floors (same data, same processes) share is the machine's, not the code's: it excuses
  // a drop, never makes a gain of one.
  const machine = noise?.machine ?? 0;
  const raw = bt > 0 && ct > 0 ? Math.log(ct / bt) : 0;
  const logRatio = raw < 0 ? Math.min(0, raw - machine) : raw;
  const netChange = Math.exp(logRatio) - 1;
  let logMargin: number | null = null;
  if (basis === 'between-runs' && noise?.between) {
    const n = noise.between;
    logMargin = t95(n.df) * n.sd * Math.sqrt(1 / b.usable.length + 1 / c.usable.length);
  } else if (basis === 'within-run' && noise?.within) {
    const n = noise.within;
    const runs = (rows: BenchmarkResult[]) => rows.reduce((s, r) => s + runsOf(r), 0);
    logMargin = t95(n.df) * n.sd * Math.sqrt(1 / runs(b.usable) + 1 / runs(c.usable));
    // One file per side: add the drift between the two processes, read from how far the group's
    // rows moved relative to one another.
    if (noise.drift) logMargin = Math.hypot(logMargin, t95(noise.drift.df) * noise.drift.sd);
  }
  if (logMargin === null) return { change, netChange, margin: null, noise: null };
  const ratio =
    logMargin > 0
      ? logRatio / logMargin
      : logRatio === 0
        ? 0
        : Math.sign(logRatio) * Number.POSITIVE_INFINITY;
  return { change, netChange, margin: Math.exp(logMargin) - 1, noise: ratio };
}

function judgeRow(
  key: string,
  b: SideRows | undefined,
  c: SideRows | undefined,
  noise: GroupNoise | undefined,
  basis: NoiseBasis,
  o: Required<CompareOptions>,
): RowChange {
  const base: RowChange = {
    key,
    kind: (c?.rows[0] ?? b?.rows[0])!.kind,
    baseline: b?.rows[0] ?? null,
    current: c?.rows[0] ?? null,
    baselineTp: b && b.usable.length > 0 ? meanTp(b.usable) : null,
    currentTp: c && c.usable.length > 0 ? meanTp(c.usable) : null,
    throughputChange: null,
    margin: null,
    noise: null,
    memoryChangeMb: null,
    verdict: 'unchanged',
    reason: '',
  };
  if (!b) return { ...base, verdict: 'new', reason: 'only in the current run' };
  if (!c) return { ...base, verdict: 'missing', reason: 'only in the baseline' };
  const cFailed = c.rows.find((r) => !usable(r));
  const bFailed = b.rows.some((r) => !usable(r));
  if (cFailed) {
    return bFailed
      ? { ...base, verdict: 'still failing', reason: `fails in both: ${cFailed.error}` }
      : { ...base, verdict: 'now failing', reason: `now fails: ${cFailed.error}` };
  }
  if (bFailed) return { ...base, verdict: 'fixed', reason: 'failed in the baseline, runs now' };

  const tp = judgeThroughput(b, c, noise, basis);
  const mem = judgeMemory(b.usable, c.usable, o);
  const memDelta = mem.delta;
  const memWorse = mem.verdict === 'worse';
  const row = {
    ...base,
    throughputChange: tp.change,
    margin: tp.margin,
    noise: tp.noise,
    memoryChangeMb: memDelta,
  };
  const beyondNoise = tp.noise !== null && Math.abs(tp.noise) > 1;
  const beyondThreshold = Math.abs(tp.netChange) > o.minChange;
  const net =
    Math.abs(tp.netChange - tp.change) > 1e-9 ? `, ${fmtPct(tp.netChange)} net of the floors' drop` : '';
  // Floors past the threshold: the machine's load changed between the runs by more than the
  // threshold allows for, so the net-of-floors estimate is no longer a judgement. A drop is not
  // judged when a floor slowed that much, a memory rise (collection timing) when a floor moved.
  const limit = Math.log1p(o.minChange);
  const floorDrop = noise?.floorDrop ?? 0;
  const floorMove = floorDrop < -limit ? floorDrop : (noise?.floorRise ?? 0) > limit ? noise!.floorRise : 0;
  const reasons: string[] = [];
  const unjudged: string[] = [];
  if (beyondNoise && beyondThreshold && tp.netChange < 0) {
    (floorDrop < -limit ? unjudged : reasons).push(`throughput ${fmtPct(tp.change)}${net} (beyond noise)`);
  }
  if (memWorse) (floorMove !== 0 ? unjudged : reasons).push(`peak memory ${fmtSigned(memDelta!, 1)} MB`);
  if (reasons.length === 0 && unjudged.length > 0) {
    return {
      ...row,
      verdict: 'inconclusive',
      reason: `${unjudged.join(', ')}, but a floor of its scenario moved ${fmtPct(Math.expm1(floorMove))}: the machine's load changed between the runs`,
    };
  }
  if (reasons.length > 0) return { ...row, verdict: 'regressed', reason: reasons.join(', ') };
  if (tp.noise === null) {
    return { ...row, verdict: 'inconclusive', reason: 'not enough samples to judge noise' };
  }
  if (mem.verdict === 'unknown') {
    return {
      ...row,
      verdict: 'inconclusive',
      reason: `peak memory ${fmtSigned(memDelta!, 1)} MB, without per-run peaks to judge its noise`,
    };
  }
  if (mem.verdict === 'within-noise' && !(beyondNoise && beyondThreshold)) {
    return {
      ...row,
      verdict: 'inconclusive',
      reason: `peak memory ${fmtSigned(memDelta!, 1)} MB is within the runs' spread`,
    };
  }
  if (beyondNoise && beyondThreshold)
    return { ...row, verdict: 'improved', reason: `throughput ${fmtPct(tp.change)}` };
  if (beyondThreshold) {
    return {
      ...row,
      verdict: 'inconclusive',
      reason: `throughput ${fmtPct(tp.change)}${net} is within noise`,
    };
  }
  return row;
}

interface MemoryJudgement {
  /** Mean peak of the current side minus the baseline's, MB; null when either has none. */
  delta: number | null;
  /**
   * `worse`: past both thresholds and every current run peaked above every baseline run;
   * `within-noise`: past the thresholds but the runs' peaks overlap; `unknown`: past the thresholds
   * with fewer than two runs' peaks on a side (older files, one sample); `same`: under a threshold.
   */
  verdict: 'worse' | 'within-noise' | 'unknown' | 'same';
}

/** Each run's peak (memory_samples_mb), or the row's peak alone when the file has no per-run peaks. */
function runPeaks(rows: readonly BenchmarkResult[]): number[] {
  return rows.flatMap((r) => r.memory_samples_mb ?? (r.peak_memory_mb === null ? [] : [r.peak_memory_mb]));
}

/**
 * Peak memory moves between processes of one commit (worker heaps collect at different moments), so
 * a rise past the thresholds counts only when the two sides' run peaks do not overlap at all.
 */
function judgeMemory(
  b: readonly BenchmarkResult[],
  c: readonly BenchmarkResult[],
  o: Required<CompareOptions>,
): MemoryJudgement {
  const peak = (rows: readonly BenchmarkResult[]) => {
    const mems = rows.map((r) => r.peak_memory_mb).filter((m): m is number => m !== null);
    return mems.length > 0 ? mems.reduce((s, m) => s + m, 0) / mems.length : null;
  };
  const bm = peak(b);
  const cm = peak(c);
  if (bm === null || cm === null) return { delta: null, verdict: 'same' };
  const delta = cm - bm;
  if (!(delta > o.memoryMb && cm > bm * (1 + o.memoryRatio))) return { delta, verdict: 'same' };
  const bRuns = runPeaks(b);
  const cRuns = runPeaks(c);
  if (bRuns.length < 2 || cRuns.length < 2) return { delta, verdict: 'unknown' };
  return { delta, verdict: Math.min(...cRuns) > Math.max(...bRuns) ? 'worse' : 'within-noise' };
}

function floorWarning(rows: RowChange[], minChange: number): string[] {
  const slower = rows.filter(
    (r) => r.kind === 'floor' && r.throughputChange !== null && r.throughputChange < -minChange,
  );
  if (slower.length === 0) return [];
  const names = slower.map((r) => `${r.key} ${fmtPct(r.throughputChange!)}`).join(', ');
  return [
    `floors slowed too (${names}): the machine or its load differs, not only the code; the rows of their scenario are judged net of that drop`,
  ];
}

function sideRows(files: readonly ResultsFile[]): Map<string, SideRows> {
  const out = new Map<string, SideRows>();
  for (const f of files) {
    for (const r of f.results) {
      let s = out.get(r.key);
      if (!s) {
        s = { rows: [], usable: [] };
        out.set(r.key, s);
      }
      s.rows.push(r);
      if (usable(r)) s.usable.push(r);
    }
  }
  return out;
}

const asList = (f: ResultsFile | readonly ResultsFile[]): readonly ResultsFile[] =>
  Array.isArray(f) ? (f as readonly ResultsFile[]) : [f as ResultsFile];

/**
 * Matches rows by key (baseline order, then rows new in the current run) and judges each. A row
 * regresses when its throughput fell beyond the noise **and** beyond the threshold, or its peak
 * memory grew markedly, or it now fails. Where the noise cannot be estimated (single samples and
 * one file per side) or a change past the threshold stays within it, the row is `inconclusive`.
 */
export function compareRuns(
  baseline: ResultsFile | readonly ResultsFile[],
  current: ResultsFile | readonly ResultsFile[],
  options: CompareOptions = {},
): RunDiff {
  const bFiles = asList(baseline);
  const cFiles = asList(current);
  if (bFiles.length === 0 || cFiles.length === 0) throw new RangeError('compareRuns: a side has no file');
  const several = bFiles.length > 1 || cFiles.length > 1;
  const basis: NoiseBasis = several ? 'between-runs' : 'within-run';
  const o: Required<CompareOptions> = {
    minChange: several ? DEFAULT_MIN_CHANGE.several : DEFAULT_MIN_CHANGE.single,
    memoryRatio: 0.25,
    memoryMb: 20,
    ...options,
  };
  const base = sideRows(bFiles);
  const cur = sideRows(cFiles);
  const noise = noiseByGroup([base, cur]);
  const keys = [...base.keys(), ...[...cur.keys()].filter((k) => !base.has(k))];
  const rows = keys.map((k) => {
    const any = (base.get(k) ?? cur.get(k))!.rows[0]!;
    return judgeRow(k, base.get(k), cur.get(k), noise.get(groupId(any)), basis, o);
  });
  const regressions = rows.filter(
    (r) => r.kind === 'ingest' && (r.verdict === 'regressed' || r.verdict === 'now failing'),
  );
  const inconclusive = rows.filter((r) => r.verdict === 'inconclusive');
  const common = rows.filter((r) => r.baseline && r.current).length;
  const none =
    common === 0 && rows.length > 0
      ? ['no row is in both runs (different sizes, levels or scenarios?): nothing was compared']
      : [];
  const env = [
    ...bFiles
      .slice(1)
      .flatMap((f, i) => environmentWarnings(bFiles[0]!, f).map((w) => `baseline file ${i + 2}: ${w}`)),
    ...cFiles
      .slice(1)
      .flatMap((f, i) => environmentWarnings(cFiles[0]!, f).map((w) => `current file ${i + 2}: ${w}`)),
    ...environmentWarnings(bFiles[0]!, cFiles[0]!),
  ];
  return {
    rows,
    warnings: [...none, ...env, ...floorWarning(rows, o.minChange)],
    regressions,
    inconclusive,
    files: { baseline: bFiles.length, current: cFiles.length },
    basis,
    minChange: o.minChange,
  };
}

export type DiffFormat = 'text' | 'markdown' | 'json';

function tpCell(tp: number | null, row: BenchmarkResult | null): string {
  if (!row) return '—';
  return tp === null ? 'error' : fmtInt(tp);
}

function cells(r: RowChange): string[] {
  return [
    r.kind === 'floor' ? `${r.key} (floor)` : r.key,
    tpCell(r.baselineTp, r.baseline),
    tpCell(r.currentTp, r.current),
    r.throughputChange === null ? '—' : fmtPct(r.throughputChange),
    r.margin === null ? (r.throughputChange === null ? '—' : 'unknown') : `±${fmtNum(r.margin * 100, 1)}%`,
    r.memoryChangeMb === null ? '—' : fmtSigned(r.memoryChangeMb, 1),
    r.reason && r.verdict !== 'unchanged' ? `${r.verdict}: ${r.reason}` : r.verdict,
  ];
}

const HEADER = ['Row', 'Baseline items/s', 'Current items/s', 'Change', 'Noise', 'Memory Δ MB', 'Verdict'];

/** The notes under the table: what the noise is, what one file per side cannot see, the warnings. */
export function diffNotes(diff: RunDiff): string[] {
  const pct = `${fmtNum(diff.minChange * 100, 0)}%`;
  const out = [
    diff.basis === 'between-runs'
      ? `Noise: the 95% margin on the change, from the spread between the runs of each side (${diff.files.baseline} baseline, ${diff.files.current} current file(s)), pooled over the rows of each scenario.`
      : "Noise: the 95% margin on the change, from each run's own samples, pooled over the rows of each scenario.",
    `A row regresses when its throughput drops beyond the noise and by more than ${pct}; it is inconclusive where the noise cannot be judged.`,
  ];
  if (diff.basis === 'within-run') {
    out.push(
      `One results file per side cannot see the drift between processes (runs on one machine differ by up to ~30%); the ${pct} threshold stands for it. Pass several files per side (runs of the same settings) to judge with the spread between them.`,
    );
  }
  return out;
}

function renderText(diff: RunDiff): string {
  const body = diff.rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cs: string[]) =>
    cs
      .map((c, i) => (i === 0 || i === cs.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...diff.rows.map((r) => line(cells(r)))];
  out.push('', ...diffNotes(diff));
  for (const w of diff.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}

/** The answer of a whole comparison: what decides the exit code (3 for `regression`). */
export type OverallVerdict = 'regression' | 'inconclusive' | 'no regression';

export function overallVerdict(diff: RunDiff): OverallVerdict {
  if (diff.regressions.length > 0) return 'regression';
  return diff.inconclusive.length > 0 ? 'inconclusive' : 'no regression';
}

/** The first line of the Markdown: the answer before the table (a job summary is read top down). */
function markdownHeadline(diff: RunDiff): string {
  const compared = diff.rows.filter((r) => r.baseline && r.current).length;
  const keys = (rows: readonly RowChange[]) => rows.map((r) => `\`${r.key}\``).join(', ');
  switch (overallVerdict(diff)) {
    case 'regression':
      return `**Regression** beyond noise in ${diff.regressions.length} row(s): ${keys(diff.regressions)}`;
    case 'inconclusive':
      return `**Inconclusive** for ${diff.inconclusive.length} of ${compared} rows compared, no regression beyond noise: ${keys(diff.inconclusive)}`;
    default:
      return `**No regression** beyond noise (${compared} rows compared)`;
  }
}

function renderMarkdownDiff(diff: RunDiff): string {
  const out = [
    markdownHeadline(diff),
    '',
    `| ${HEADER.join(' | ')} |`,
    '|---|--:|--:|--:|--:|--:|---|',
    ...diff.rows.map((r) => `| ${cells(r).map(mdCell).join(' | ')} |`),
    '',
    ...diffNotes(diff),
  ];
  if (diff.warnings.length > 0) out.push('', ...diff.warnings.map((w) => `- **warning**: ${mdCell(w)}`));
  return `${out.join('\n')}\n`;
}

function renderJson(diff: RunDiff): string {
  const json = {
    verdict: overallVerdict(diff),
    files: diff.files,
    noise_basis: diff.basis,
    threshold: diff.minChange,
    rows: diff.rows.map((r) => ({
      key: r.key,
      kind: r.kind,
      verdict: r.verdict,
      reason: r.reason,
      baseline_items_per_sec: r.baselineTp,
      current_items_per_sec: r.currentTp,
      change: r.throughputChange,
      margin: r.margin,
      memory_change_mb: r.memoryChangeMb,
    })),
    regressions: diff.regressions.map((r) => r.key),
    inconclusive: diff.inconclusive.map((r) => r.key),
    warnings: diff.warnings,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Every row with its verdict, then the notes and warnings: aligned text, a Markdown table, or JSON. */
export function renderDiff(diff: RunDiff, format: DiffFormat = 'text'): string {
  if (format === 'json') return renderJson(diff);
  if (format === 'markdown') return renderMarkdownDiff(diff);
  return renderText(diff);
}
