import { describe, expect, it } from 'vitest';
import { compareRuns, renderDiff } from '../../src/profiling/compare.js';
import { ENVIRONMENT, type RowSpec, resultsFile, row } from '../support/analysis-fixtures.js';

const specs: RowSpec[] = [
  { strategy: 'sequential', tp: 2500, rme: 5, mem: 40 },
  { strategy: 'concurrent', concurrency: 5, tp: 6000, rme: 8, mem: 60 },
  { strategy: 'worker-threads', concurrency: 2, tp: 8000, rme: 6, mem: 90 },
  { kind: 'floor', strategy: 'read-only', tp: 40_000, rme: 4 },
];
const run = (over: (s: RowSpec) => Partial<RowSpec> = () => ({})) =>
  resultsFile(specs.map((s) => row({ ...s, ...over(s) })));

describe('compareRuns', () => {
  it('passes two identical runs, every row unchanged', () => {
    const diff = compareRuns(run(), run());
    expect(diff.regressions).toEqual([]);
    expect(diff.warnings).toEqual([]);
    expect(diff.rows.map((r) => r.verdict)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('flags a 40% throughput drop and names the row', () => {
    const current = run((s) => (s.strategy === 'concurrent' ? { tp: 3600 } : {}));
    const diff = compareRuns(run(), current);
    expect(diff.regressions.map((r) => r.key)).toEqual(['directory/10000/concurrent/5']);
    expect(diff.regressions[0]!.reason).toBe('throughput -40.0% (beyond noise)');
    expect(diff.regressions[0]!.throughputChange).toBeCloseTo(-0.4);
  });

  it("passes a drop that stays within both runs' spread", () => {
    const baseline = run(() => ({ rme: 15 }));
    const current = run((s) => ({ rme: 15, tp: s.tp! * 0.85 }));
    const diff = compareRuns(baseline, current);
    expect(diff.regressions).toEqual([]);
    expect(diff.rows.every((r) => r.verdict === 'unchanged')).toBe(true);
  });

  it('flags the same 15% drop when both runs are tight enough to see it (and the floors held)', () => {
    const baseline = run(() => ({ rme: 2 }));
    const current = run((s) => ({ rme: 2, tp: s.kind === 'floor' ? s.tp : s.tp! * 0.85 }));
    expect(compareRuns(baseline, current, { minChange: 0.1 }).regressions).toHaveLength(3);
  });

  it('ignores a change beyond noise but under the minimum change', () => {
    const baseline = run(() => ({ rme: 1 }));
    const current = run((s) => ({ rme: 1, tp: s.kind === 'floor' ? s.tp : s.tp! * 0.95 }));
    expect(compareRuns(baseline, current).regressions).toEqual([]);
    expect(compareRuns(baseline, current, { minChange: 0.01 }).regressions).toHaveLength(3);
  });

  it('calls a rise beyond noise an improvement, not a regression', () => {
    const diff = compareRuns(
      run(),
      run((s) => ({ tp: s.tp! * 1.5 })),
    );
    expect(diff.regressions).toEqual([]);
    expect(diff.rows[0]!.verdict).toBe('improved');
  });

  it('flags a row that now fails, and reports rows only in one run without failing', () => {
    const baseline = run();
    const current = run((s) => (s.concurrency === 2 ? { error: 'worker crashed' } : {}));
    current.results.push(row({ strategy: 'concurrent', concurrency: 20, tp: 6000 }));
    current.results.splice(1, 1);
    const diff = compareRuns(baseline, current);
    expect(diff.regressions.map((r) => [r.key, r.reason])).toEqual([
      ['directory/10000/worker-threads/2', 'now fails: worker crashed'],
    ]);
    const verdicts = Object.fromEntries(diff.rows.map((r) => [r.key, r.verdict]));
    expect(verdicts['directory/10000/concurrent/5']).toBe('missing');
    expect(verdicts['directory/10000/concurrent/20']).toBe('new');
  });

  it('flags peak memory that grows by more than a quarter and 20 MB in every run', () => {
    const runs = (peak: number) => [peak - 4, peak - 2, peak];
    const baseline = run((s) => ({ memRuns: runs(s.mem ?? 50) }));
    const current = run((s) => ({
      memRuns: runs(s.concurrency === 2 ? 150 : s.concurrency === 5 ? 75 : (s.mem ?? 50)),
    }));
    const diff = compareRuns(baseline, current);
    expect(diff.regressions.map((r) => [r.key, r.reason])).toEqual([
      ['directory/10000/worker-threads/2', 'peak memory +60.0 MB'],
    ]);
  });

  it("calls a memory rise inconclusive when the runs' peaks overlap the baseline's", () => {
    // Worker heaps collect at different moments: one commit's runs peaked at 40 to 95 MB.
    const baseline = run((s) => (s.concurrency === 2 ? { memRuns: [40, 60, 70] } : {}));
    const current = run((s) => (s.concurrency === 2 ? { memRuns: [45, 80, 110] } : {}));
    const diff = compareRuns(baseline, current);
    expect(diff.regressions).toEqual([]);
    expect(diff.inconclusive.map((r) => [r.key, r.reason])).toEqual([
      ['directory/10000/worker-threads/2', "peak memory +40.0 MB is within the runs' spread"],
    ]);
  });

  it('calls a memory rise inconclusive when the files have no per-run peaks', () => {
    const current = run((s) => (s.concurrency === 2 ? { mem: 150 } : {}));
    const diff = compareRuns(run(), current);
    expect(diff.regressions).toEqual([]);
    expect(diff.inconclusive.map((r) => r.reason)).toEqual([
      'peak memory +60.0 MB, without per-run peaks to judge its noise',
    ]);
  });

  it('does not count a slower floor as a regression but warns that the machine differs', () => {
    const current = run((s) => (s.kind === 'floor' ? { tp: 20_000 } : {}));
    const diff = compareRuns(run(), current);
    expect(diff.regressions).toEqual([]);
    expect(diff.warnings).toEqual([
      'floors slowed too (directory/10000/read-only/1 -50.0%): the machine or its load differs, not only the code; the rows of their scenario are judged net of that drop',
    ]);
  });

  it('calls a drop inconclusive when a floor of its scenario slowed past the threshold too', () => {
    // Net of the floor's drop the rows still fell 67%: the load changed too much to tell.
    const current = run((s) => ({ tp: s.tp! * (s.kind === 'floor' ? 0.6 : 0.2) }));
    const diff = compareRuns(run(), current);
    expect(diff.regressions).toEqual([]);
    expect(diff.inconclusive).toHaveLength(3);
    expect(diff.inconclusive[0]!.reason).toBe(
      "throughput -80.0%, -66.7% net of the floors' drop (beyond noise), but a floor of its scenario moved -40.0%: the machine's load changed between the runs",
    );
  });

  it('still flags a drop when the floors of its scenario sped up', () => {
    const current = run((s) => ({ tp: s.tp! * (s.kind === 'floor' ? 1.5 : 0.5) }));
    expect(compareRuns(run(), current).regressions).toHaveLength(3);
  });

  it('calls a memory rise inconclusive when a floor of its scenario moved past the threshold', () => {
    const runs = (peak: number) => [peak - 2, peak];
    const baseline = run((s) => ({ memRuns: runs(s.mem ?? 50) }));
    const current = run((s) => ({
      tp: s.kind === 'floor' ? s.tp! * 2 : s.tp,
      memRuns: runs(s.concurrency === 2 ? 150 : (s.mem ?? 50)),
    }));
    const diff = compareRuns(baseline, current);
    expect(diff.regressions).toEqual([]);
    expect(diff.inconclusive.map((r) => r.reason)).toEqual([
      "peak memory +60.0 MB, but a floor of its scenario moved +100.0%: the machine's load changed between the runs",
    ]);
  });

  it('warns when the two runs have no row in common', () => {
    const other = resultsFile(specs.map((sp) => row({ ...sp, items: 500 })));
    const diff = compareRuns(run(), other);
    expect(diff.regressions).toEqual([]);
    expect(diff.warnings[0]).toMatch(/^no row is in both runs/);
  });

  it('warns when the CPU, the core count, Node or the samples differ', () => {
    const current = resultsFile(run().results, {
      environment: { ...ENVIRONMENT, cpu_model: 'Other CPU', cpus: 8, node: 'v22.1.0' },
      config: { samples: 1, warmups: 1 },
    });
    expect(compareRuns(run(), current).warnings).toEqual([
      "CPU model differs: 'Test CPU @ 2.0GHz' vs 'Other CPU'",
      'core count differs: 2 vs 8',
      'Node differs: v20.18.0 vs v22.1.0',
      'samples differ: 5 vs 1',
    ]);
  });

  it('renders every row in an aligned table with the verdicts and warnings', () => {
    const current = run((s) => (s.strategy === 'concurrent' ? { tp: 3600 } : {}));
    current.environment = { ...ENVIRONMENT, node: 'v22.1.0' };
    const text = renderDiff(compareRuns(run(), current));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^Row\s+Baseline items\/s\s+Current items\/s\s+Change\s+Noise\s+Memory Δ MB\s+Verdict$/,
    );
    expect(text).toContain('directory/10000/concurrent/5');
    expect(text).toMatch(/6,000\s+3,600\s+-40\.0%\s+±\d+\.\d%/);
    expect(text).toContain('regressed: throughput -40.0% (beyond noise)');
    expect(text).toContain('directory/10000/read-only/1 (floor)');
    expect(text).toContain('warning: Node differs: v20.18.0 vs v22.1.0');
  });
});
