/**
 * Compares two results files row by row (matched by `key`): the change in throughput judged
 * against both runs' spread, the change in peak memory, rows that started or stopped failing, and
 * the differences of environment that make a comparison doubtful. Pure; the CLI prints it.
 */
import { fmtInt, fmtNum, fmtPct, fmtSigned } from './format.js';
import type { BenchmarkResult, ResultsFile } from './result.js';
import { noiseRatio, pooledSpread, relativeSpread, usable } from './spread.js';

export type Verdict =
  | 'regressed'
  | 'improved'
  | 'unchanged'
  | 'now failing'
  | 'still failing'
  | 'fixed'
  | 'new'
  | 'missing';

export interface RowChange {
  key: string;
  kind: BenchmarkResult['kind'];
  baseline: BenchmarkResult | null;
  current: BenchmarkResult | null;
  /** (current - baseline) / baseline throughput; null when either did not run. */
  throughputChange: number | null;
  /** The throughput difference in units of both rows' combined margin (beyond ±1: beyond noise). */
  noise: number | null;
  memoryChangeMb: number | null;
  verdict: Verdict;
  /** Why the verdict, in a few words (empty when unchanged). */
  reason: string;
}

export interface CompareOptions {
  /** A throughput change must also exceed this fraction to count (default 0.10). */
  minChange?: number;
  /** Peak memory regresses when it grows by more than this fraction ... (default 0.25) */
  memoryRatio?: number;
  /** ... and by more than this many MB (default 20). */
  memoryMb?: number;
}

export interface RunDiff {
  rows: RowChange[];
  /** Differences that make the comparison doubtful (machine, runtime, settings, slower floors). */
  warnings: string[];
  /** Ingest rows that regressed beyond noise (or started failing). */
  regressions: RowChange[];
}

const DEFAULTS: Required<CompareOptions> = { minChange: 0.1, memoryRatio: 0.25, memoryMb: 20 };

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

function judgeThroughput(
  b: BenchmarkResult,
  c: BenchmarkResult,
  fallback: number | null,
  o: Required<CompareOptions>,
) {
  const bt = b.throughput_items_per_sec!;
  const change = bt > 0 ? (c.throughput_items_per_sec! - bt) / bt : 0;
  const noise = noiseRatio(c, b, fallback);
  const beyond = Math.abs(noise) > 1 && Math.abs(change) > o.minChange;
  return { change, noise, beyond };
}

function judgeRow(
  key: string,
  b: BenchmarkResult | undefined,
  c: BenchmarkResult | undefined,
  fallback: number | null,
  o: Required<CompareOptions>,
): RowChange {
  const base: RowChange = {
    key,
    kind: (c ?? b)!.kind,
    baseline: b ?? null,
    current: c ?? null,
    throughputChange: null,
    noise: null,
    memoryChangeMb: null,
    verdict: 'unchanged',
    reason: '',
  };
  if (!b) return { ...base, verdict: 'new', reason: 'only in the current run' };
  if (!c) return { ...base, verdict: 'missing', reason: 'only in the baseline' };
  if (!usable(c)) {
    return usable(b)
      ? { ...base, verdict: 'now failing', reason: `now fails: ${c.error}` }
      : { ...base, verdict: 'still failing', reason: `fails in both: ${c.error}` };
  }
  if (!usable(b)) return { ...base, verdict: 'fixed', reason: 'failed in the baseline, runs now' };

  const tp = judgeThroughput(b, c, fallback, o);
  const memDelta =
    b.peak_memory_mb !== null && c.peak_memory_mb !== null ? c.peak_memory_mb - b.peak_memory_mb : null;
  const memWorse =
    memDelta !== null && memDelta > o.memoryMb && c.peak_memory_mb! > b.peak_memory_mb! * (1 + o.memoryRatio);
  const row = { ...base, throughputChange: tp.change, noise: tp.noise, memoryChangeMb: memDelta };
  const reasons: string[] = [];
  if (tp.beyond && tp.change < 0) reasons.push(`throughput ${fmtPct(tp.change)} (beyond noise)`);
  if (memWorse) reasons.push(`peak memory ${fmtSigned(memDelta!, 1)} MB`);
  if (reasons.length > 0) return { ...row, verdict: 'regressed', reason: reasons.join(', ') };
  if (tp.beyond) return { ...row, verdict: 'improved', reason: `throughput ${fmtPct(tp.change)}` };
  return row;
}

function floorWarning(rows: RowChange[]): string[] {
  const slower = rows.filter(
    (r) => r.kind === 'floor' && r.verdict === 'regressed' && r.throughputChange! < 0,
  );
  if (slower.length === 0) return [];
  const names = slower.map((r) => `${r.key} ${fmtPct(r.throughputChange!)}`).join(', ');
  return [`floors slowed too (${names}): the machine or its load differs, not only the code`];
}

/** Matches rows by key (baseline order, then rows new in the current run) and judges each. */
export function compareRuns(
  baseline: ResultsFile,
  current: ResultsFile,
  options: CompareOptions = {},
): RunDiff {
  const o = { ...DEFAULTS, ...options };
  const fallback = pooledSpread([...baseline.results, ...current.results].filter(usable));
  const cur = new Map(current.results.map((r) => [r.key, r]));
  const base = new Map(baseline.results.map((r) => [r.key, r]));
  const keys = [...base.keys(), ...[...cur.keys()].filter((k) => !base.has(k))];
  const rows = keys.map((k) => judgeRow(k, base.get(k), cur.get(k), fallback, o));
  const regressions = rows.filter(
    (r) => r.kind === 'ingest' && (r.verdict === 'regressed' || r.verdict === 'now failing'),
  );
  const common = rows.filter((r) => r.baseline && r.current).length;
  const none =
    common === 0 && rows.length > 0
      ? ['no row is in both runs (different sizes, levels or scenarios?): nothing was compared']
      : [];
  return {
    rows,
    warnings: [...none, ...environmentWarnings(baseline, current), ...floorWarning(rows)],
    regressions,
  };
}

function tpCell(r: BenchmarkResult | null): string {
  if (!r) return '—';
  if (!usable(r)) return 'error';
  const e = relativeSpread(r);
  return e === null
    ? fmtInt(r.throughput_items_per_sec)
    : `${fmtInt(r.throughput_items_per_sec)} ±${fmtNum(e * 100, 0)}%`;
}

/** A plain-text table (aligned columns) of every row, then the warnings. */
export function renderDiff(diff: RunDiff): string {
  const header = ['Row', 'Baseline items/s', 'Current items/s', 'Change', 'Noise', 'Memory Δ MB', 'Verdict'];
  const body = diff.rows.map((r) => [
    r.kind === 'floor' ? `${r.key} (floor)` : r.key,
    tpCell(r.baseline),
    tpCell(r.current),
    r.throughputChange === null ? '—' : fmtPct(r.throughputChange),
    r.noise === null ? '—' : Number.isFinite(r.noise) ? `${fmtNum(Math.abs(r.noise), 1)}×` : 'no spread',
    r.memoryChangeMb === null ? '—' : fmtSigned(r.memoryChangeMb, 1),
    r.reason && r.verdict !== 'unchanged' ? `${r.verdict}: ${r.reason}` : r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  out.push(
    '',
    "Noise: the throughput difference in units of both runs' combined margin of error (>1× is beyond noise).",
  );
  for (const w of diff.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
