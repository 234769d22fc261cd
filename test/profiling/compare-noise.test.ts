import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCompareArgs } from '../../src/cli/commands/compare.js';
import { compareRuns, renderDiff } from '../../src/profiling/compare.js';
import type { BenchmarkResult, ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';
import { type RowSpec, resultsFile, row } from '../support/analysis-fixtures.js';
import { lines, runCli } from '../support/cli-helpers.js';

const specs: RowSpec[] = [
  { strategy: 'sequential', tp: 2500 },
  { strategy: 'concurrent', concurrency: 5, tp: 6000 },
  { strategy: 'worker-threads', concurrency: 2, tp: 8000 },
];

/** A schema-2 row whose runs took `durations` seconds (relative to its mean) each. */
function v2Row(spec: RowSpec, relative: number[]): BenchmarkResult {
  const r = row({ ...spec, samples: relative.length });
  const d = r.duration_seconds!;
  const samples = relative.map((x) => x * d).sort((a, b) => a - b);
  return {
    ...r,
    duration_stats: { ...r.duration_stats!, min: samples[0]!, max: samples.at(-1)! },
    duration_samples: samples,
    server_cpu_seconds: null,
  };
}

/** A schema-2 run whose rows scale by `factor` and vary by about `spread` between runs. */
function v2Run(factor: (s: RowSpec) => number = () => 1, spread = 0.02): ResultsFile {
  const results = specs.map((s) => v2Row({ ...s, tp: s.tp! * factor(s) }, [1 - spread, 1, 1 + spread]));
  return resultsFile(results, { schema_version: 2, config: { samples: 3, warmups: 1 } });
}

const FLOOR: RowSpec = { strategy: 'read-only', kind: 'floor', tp: 90_000 };

const oneSample = (factor = 1) =>
  resultsFile(
    specs.map((s) => row({ ...s, tp: s.tp! * factor, samples: 1 })),
    { config: { samples: 1, warmups: 1 } },
  );

describe('compare judges with the noise, or says it cannot', () => {
  it('calls identical 1-sample runs inconclusive, not a regression', () => {
    const diff = compareRuns(oneSample(), oneSample());
    expect(diff.regressions).toEqual([]);
    expect(diff.rows.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect(diff.inconclusive[0]!.reason).toBe('not enough samples to judge noise');
  });

  it('calls a 40% drop with a small pooled noise a regression', () => {
    const diff = compareRuns(
      v2Run(),
      v2Run((s) => (s.strategy === 'concurrent' ? 0.6 : 1)),
    );
    expect(diff.regressions.map((r) => r.key)).toEqual(['directory/10000/concurrent/5']);
    expect(diff.regressions[0]!.margin).toBeLessThan(0.1);
  });

  it('with one file per side, takes 30% as the default threshold and says one run cannot see the drift', () => {
    const diff = compareRuns(
      v2Run(),
      v2Run(() => 0.8),
    );
    expect(diff.minChange).toBe(0.3);
    expect(diff.regressions).toEqual([]);
    expect(diff.rows.every((r) => r.verdict === 'unchanged')).toBe(true);
    expect(renderDiff(diff)).toContain('One results file per side cannot see the drift between processes');
    expect(
      compareRuns(
        v2Run(),
        v2Run(() => 0.8),
        { minChange: 0.1 },
      ).regressions,
    ).toHaveLength(3);
  });

  it('calls a drop past the threshold but within the noise inconclusive', () => {
    const diff = compareRuns(
      v2Run(() => 1, 0.5),
      v2Run(() => 0.6, 0.5),
    );
    expect(diff.regressions).toEqual([]);
    expect(diff.rows.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect(diff.inconclusive[0]!.reason).toBe('throughput -40.0% is within noise');
  });

  it('judges a drop the floors of the same scenario share as the machine, not a regression', () => {
    // Everything, floors included, ran 40% slower: a busier machine.
    const withFloors = (f: number) =>
      resultsFile(
        [...specs, FLOOR].map((s) => v2Row({ ...s, tp: s.tp! * f }, [0.98, 1, 1.02])),
        { schema_version: 2, config: { samples: 3, warmups: 1 } },
      );
    const diff = compareRuns(withFloors(1), withFloors(0.6));
    expect(diff.regressions).toEqual([]);
    expect(diff.warnings.some((w) => w.startsWith('floors slowed too'))).toBe(true);
    // The same drop while the floors held: the code.
    const codeOnly = resultsFile(
      [...withFloors(0.6).results.filter((r) => r.kind === 'ingest'), withFloors(1).results.at(-1)!],
      { schema_version: 2, config: { samples: 3, warmups: 1 } },
    );
    expect(compareRuns(withFloors(1), codeOnly).regressions).toHaveLength(3);
  });

  it('with one file per side, widens the noise by how far the rows moved relative to one another', () => {
    // Eight rows of the same data, each run tight (±2%), but between the two processes rows moved
    // from -35% to +30%: a -35% row is within that drift.
    const moves = [0.65, 0.8, 0.9, 1.0, 1.05, 1.15, 1.2, 1.3];
    const many = (f: (i: number) => number) =>
      resultsFile(
        moves.map((_, i) =>
          v2Row({ strategy: 'concurrent', concurrency: i + 1, tp: 5000 * f(i) }, [0.98, 1, 1.02]),
        ),
        { schema_version: 2, config: { samples: 3, warmups: 1 } },
      );
    const drift = compareRuns(
      many(() => 1),
      many((i) => moves[i]!),
    );
    expect(drift.regressions).toEqual([]);
    expect(drift.rows[0]!.margin).toBeGreaterThan(0.35);
    // One row falling 40% while the others hold within 2%: beyond the drift, a regression.
    const steady = [1, 1.01, 0.99, 1.02, 0.98, 1, 1.01, 0.6];
    const one = compareRuns(
      many(() => 1),
      many((i) => steady[i]!),
    );
    expect(one.regressions.map((r) => r.key)).toEqual(['directory/10000/concurrent/8']);
  });

  it('judges several files per side with the spread between them', () => {
    const base = [v2Run(), v2Run(() => 1.25), v2Run(() => 0.8)];
    // A 20% drop inside a ±25% spread between runs of the same settings: not a regression.
    const within = compareRuns(base, [v2Run(() => 0.8), v2Run(() => 0.85)]);
    expect(within.basis).toBe('between-runs');
    expect(within.minChange).toBe(0.1);
    expect(within.regressions).toEqual([]);
    expect(renderDiff(within)).not.toContain('One results file per side');
    // The same drop when the runs of each side agree closely: a regression.
    const steady = [v2Run(), v2Run(() => 1.01), v2Run(() => 0.99)];
    const beyond = compareRuns(steady, [v2Run(() => 0.8), v2Run(() => 0.81)]);
    expect(beyond.regressions).toHaveLength(3);
  });

  it('renders the diff as JSON and as a Markdown table, each saying the overall verdict first', () => {
    const diff = compareRuns(oneSample(), oneSample());
    const json = JSON.parse(renderDiff(diff, 'json'));
    expect(json.verdict).toBe('inconclusive');
    expect(json.inconclusive).toEqual([
      'directory/10000/sequential/1',
      'directory/10000/concurrent/5',
      'directory/10000/worker-threads/2',
    ]);
    expect(json.rows[0]).toMatchObject({ verdict: 'inconclusive', change: 0, margin: null });
    const md = renderDiff(diff, 'markdown');
    expect(md.split('\n')[0]).toBe(
      '**Inconclusive** for 3 of 3 rows compared, no regression beyond noise: `directory/10000/sequential/1`, `directory/10000/concurrent/5`, `directory/10000/worker-threads/2`',
    );
    expect(md.split('\n')[2]).toBe(
      '| Row | Baseline items/s | Current items/s | Change | Noise | Memory Δ MB | Verdict |',
    );
    expect(md).toContain('| directory/10000/concurrent/5 | 6,000 | 6,000 | +0.0% | unknown |');
  });
});

describe('the results schema version 2', () => {
  it('is accepted with the per-run durations, and a version 2 row without them is not', () => {
    const file = v2Run();
    expect(validateResults(file)).toEqual({ valid: true, errors: [] });
    const { duration_samples: _, ...without } = file.results[0]!;
    const bad = { ...file, results: [without, ...file.results.slice(1)] };
    expect(validateResults(bad).errors).toContain(
      "/results/0: must have required property 'duration_samples'",
    );
  });

  it('requires the HTTP cost per 1,000 Items in a version 2 row with HTTP figures', () => {
    const file = v2Run();
    file.results[0]!.http = { requests: 100, retries: 0, peak_in_flight: 1 };
    expect(validateResults(file).valid).toBe(false);
    file.results[0]!.http = {
      requests: 100,
      retries: 0,
      peak_in_flight: 1,
      requests_per_1000_items: 10,
      duplicates_dropped: null,
    };
    expect(validateResults(file).valid).toBe(true);
  });
});

describe('compare arguments', () => {
  it('reads two positionals, each a comma-separated list of files', () => {
    expect(parseCompareArgs(['a1.json,a2.json', 'b1.json'])).toEqual({
      baseline: ['a1.json', 'a2.json'],
      current: ['b1.json'],
      threshold: undefined,
      format: 'text',
    });
  });

  it('reads --baseline and --current each followed by files', () => {
    const args = parseCompareArgs(['--baseline', 'a1.json', 'a2.json', '--current', 'b1.json', 'b2.json']);
    expect(args).toMatchObject({ baseline: ['a1.json', 'a2.json'], current: ['b1.json', 'b2.json'] });
    expect(parseCompareArgs(['--current=b.json', '--baseline', 'a.json', '--format', 'json'])).toMatchObject({
      baseline: ['a.json'],
      current: ['b.json'],
      format: 'json',
    });
  });

  it('refuses mixed forms, an empty side, an unknown format and an unknown option', () => {
    for (const argv of [
      ['x.json', '--baseline', 'a.json', '--current', 'b.json'],
      ['--baseline', '--current', 'b.json'],
      ['a.json', 'b.json', '--format', 'html'],
      ['a.json', 'b.json', '--verbose'],
      ['a.json'],
    ]) {
      expect(() => parseCompareArgs(argv), argv.join(' ')).toThrow();
    }
  });
});

describe('benchmark-ingest compare with noise', () => {
  let dir = '';
  const path = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-compare-noise-'));
    await writeFile(path('one-a.json'), JSON.stringify(oneSample()));
    await writeFile(path('one-b.json'), JSON.stringify(oneSample()));
    await writeFile(path('base.json'), JSON.stringify(v2Run()));
    await writeFile(path('base2.json'), JSON.stringify(v2Run(() => 1.01)));
    await writeFile(path('drop.json'), JSON.stringify(v2Run((s) => (s.strategy === 'concurrent' ? 0.6 : 1))));
    await writeFile(
      path('drop2.json'),
      JSON.stringify(v2Run((s) => (s.strategy === 'concurrent' ? 0.61 : 1))),
    );
    await writeFile(path('future.json'), JSON.stringify({ ...v2Run(), schema_version: 3 }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 for identical 1-sample runs, with one warning listing the inconclusive rows', async () => {
    const r = await runCli(['compare', path('one-a.json'), path('one-b.json')]);
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual([
      'benchmark-ingest compare: warning: inconclusive for 3 row(s): directory/10000/sequential/1 (not enough samples to judge noise); directory/10000/concurrent/5 (not enough samples to judge noise); directory/10000/worker-threads/2 (not enough samples to judge noise)',
    ]);
  });

  it('exits 3 for a 40% drop with a small pooled noise, in both argument forms, and prints JSON', async () => {
    const plain = await runCli(['compare', path('base.json'), path('drop.json')]);
    expect(plain.code).toBe(3);
    const several = await runCli([
      'compare',
      '--baseline',
      path('base.json'),
      path('base2.json'),
      '--current',
      path('drop.json'),
      path('drop2.json'),
      '--format',
      'json',
    ]);
    expect(several.code).toBe(3);
    const json = JSON.parse(several.stdout);
    expect(json.verdict).toBe('regression');
    expect(json.regressions).toEqual(['directory/10000/concurrent/5']);
    expect(json.noise_basis).toBe('between-runs');
    const listed = await runCli(['compare', `${path('base.json')},${path('base2.json')}`, path('drop.json')]);
    expect(listed.code).toBe(3);
  });

  it('exits 2 naming the version for a results file of a later schema', async () => {
    const r = await runCli(['compare', path('base.json'), path('future.json')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `benchmark-ingest compare: ${path('future.json')}: schema_version 3 is not supported (this version reads 1, 2)`,
    ]);
  });

  it('exits 2 with one line for a bad --format', async () => {
    const r = await runCli(['compare', path('base.json'), path('drop.json'), '--format', 'html']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
  });
});
