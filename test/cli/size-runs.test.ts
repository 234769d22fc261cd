import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BenchSettings, mergeSettings } from '../../src/bench/settings.js';
import { BENCH_FILES, withoutApi } from '../../src/cli/run-bench.js';
import { joinSizeRuns, runSizes, settingsForSize, sizeHeader, sizesOf } from '../../src/cli/size-runs.js';
import { analyze } from '../../src/profiling/analysis.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';
import { writeReport } from '../../src/report/write.js';
import { CONFIG, ENVIRONMENT, resultsFile, row } from '../support/analysis-fixtures.js';

function settings(over: Partial<BenchSettings> = {}): BenchSettings {
  return mergeSettings({ testSize: 50, testSizes: [50, 200], output: '/results/run.json', ...over });
}

/** What one size's bench run writes: a results file of its own, analysed alone. */
function sizeFile(items: number, method = 'vmhwm'): ResultsFile {
  // Schema 2 rows: every run's duration kept.
  const results = [
    row({ scenario: 'ndjson', strategy: 'sequential', items, tp: 5000, samples: 3 }),
    row({ scenario: 'ndjson', strategy: 'concurrent', concurrency: 2, items, tp: 9000, samples: 3 }),
  ].map((r) => {
    const d = r.duration_seconds!;
    return { ...r, duration_samples: [d * 0.98, d, d * 1.02], server_cpu_seconds: null };
  });
  return resultsFile(results, {
    schema_version: 2,
    config: {
      ...CONFIG,
      testSize: items,
      measurement: { peak_memory_method: method, gc_between_runs: true },
    },
    ...analyze(results, CONFIG, ENVIRONMENT),
  });
}

describe('the settings of each size', () => {
  it('are the run of one size: its items, its own output, the API in the first run only', () => {
    const s = settings();
    expect(sizesOf(s)).toEqual([50, 200]);
    expect(sizesOf(mergeSettings({ testSize: 70 }))).toEqual([70]);
    const first = settingsForSize(s, 0, '/tmp/a.json');
    const second = settingsForSize(s, 1, '/tmp/b.json');
    expect([first.testSize, first.output, first.api.enabled]).toEqual([50, '/tmp/a.json', true]);
    expect([second.testSize, second.output, second.api.enabled]).toEqual([200, '/tmp/b.json', false]);
    // The list travels on: the reporter names the size in its progress lines.
    expect(second.testSizes).toEqual([50, 200]);
    expect(s.output).toBe('/results/run.json');
  });

  it('run the API bench file only in the first size, the file and pipeline benches at every size', () => {
    expect(withoutApi(BENCH_FILES.all)).toEqual([...BENCH_FILES.file, ...BENCH_FILES.pipeline]);
    expect(withoutApi(BENCH_FILES.file)).toEqual(BENCH_FILES.file);
  });

  it('are announced with the size, and the API where it runs', () => {
    const s = settings();
    expect(sizeHeader(s, 0)).toBe(
      `size 1 of 2: 50 items, and the local STAC API (once: ${s.api.smallItems} and ${s.api.largeItems.toLocaleString('en-US')} items)`,
    );
    expect(sizeHeader(s, 1)).toBe('size 2 of 2: 200 items');
    const fileOnly = settings({ api: { ...s.api, enabled: false } });
    expect(sizeHeader(fileOnly, 0)).toBe('size 1 of 2: 50 items');
  });
});

describe('joinSizeRuns', () => {
  const joined = joinSizeRuns([sizeFile(50), sizeFile(200, 'sampler')], settings(), new Date(0));

  it('holds every row of every size in one valid results file', () => {
    expect(validateResults(joined).errors).toEqual([]);
    expect(joined.results.map((r) => r.key)).toEqual([
      'ndjson/50/sequential/1',
      'ndjson/50/concurrent/2',
      'ndjson/200/sequential/1',
      'ndjson/200/concurrent/2',
    ]);
  });

  it("records the command's sizes, not one run's size, and how memory was measured in each", () => {
    expect(joined.config.testSizes).toEqual([50, 200]);
    expect(joined.config).not.toHaveProperty('testSize');
    expect(joined.config.output).toBe('/results/run.json');
    expect(joined.config.measurement).toEqual({ peak_memory_method: 'mixed', gc_between_runs: true });
  });

  it('analyses all rows together: one finding per scenario and size', () => {
    expect(joined.findings.map((f) => [f.scenario, f.conditions.items])).toEqual([
      ['ndjson', 50],
      ['ndjson', 200],
    ]);
  });
});

describe('runSizes', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'size-runs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs each size in turn, announces it, and writes the joined results, report and charts', async () => {
    const s = settings({ output: join(dir, 'run.json') });
    s.api.enabled = false;
    const ran: number[] = [];
    const log: string[] = [];
    const outcome = await runSizes(
      s,
      async (sub) => {
        ran.push(sub.testSize);
        await writeReport(sizeFile(sub.testSize), sub.output);
        return { failed: false };
      },
      (line) => log.push(line),
    );
    expect(outcome.failed).toBe(false);
    expect(ran).toEqual([50, 200]);
    expect(log).toEqual(['size 1 of 2: 50 items', 'size 2 of 2: 200 items']);
    const json = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as ResultsFile;
    expect(new Set(json.results.map((r) => r.dataset.items))).toEqual(new Set([50, 200]));
    expect(await readFile(join(dir, 'run_report.md'), 'utf8')).toContain('## Scaling');
    expect(await readdir(dir)).toContain('run_ndjson_scaling.svg');
  });

  it('fails, naming the size, when a size wrote no results, and keeps the sizes that did', async () => {
    const s = settings({ output: join(dir, 'run.json') });
    const log: string[] = [];
    const outcome = await runSizes(
      s,
      async (sub) => {
        if (sub.testSize === 50) await writeReport(sizeFile(50), sub.output);
        return { failed: false };
      },
      (line) => log.push(line),
    );
    expect(outcome.failed).toBe(true);
    expect(log).toContain('size 200: the bench run wrote no results');
    const json = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as ResultsFile;
    expect(json.results.every((r) => r.dataset.items === 50)).toBe(true);
  });

  it('throws when no size wrote results', async () => {
    const s = settings({ output: join(dir, 'run.json') });
    await expect(
      runSizes(
        s,
        async () => ({ failed: true }),
        () => {},
      ),
    ).rejects.toThrow(/no size's bench run wrote results \(sizes 50, 200\)/);
  });
});
