import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { startVitest } from 'vitest/node';
import { SETTINGS_ENV } from '../../src/bench/settings.js';
import type { BenchmarkResult, ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';
import { StacReporter, type WrittenPaths } from '../../src/vitest/reporter.js';

// Runs the real bench pipeline (globalSetup -> measuredBench in a forked bench process -> reporter)
// on the trivial self-test bench only, with a tiny settings object, and reads what the reporter got.
const SAMPLES = 2;
const WARMUPS = 1;

interface Run {
  file: ResultsFile;
  written: WrittenPaths;
  fromDisk: ResultsFile;
  progress: string[];
  /** The names of the interleaved scenario's runs, in the order they ran. */
  scenarioRuns: string[];
  exitCode: number | string | undefined;
  /** What vitest itself printed (its logger, on both streams). */
  console: string;
}

async function runSelfTestBench(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vitest-bench-'));
  const output = join(dir, 'self-test.json');
  const saved = { env: { ...process.env }, exitCode: process.exitCode };
  process.env[SETTINGS_ENV] = JSON.stringify({
    formats: [],
    samples: SAMPLES,
    warmups: WARMUPS,
    output,
    // The local STAC API, tiny: the self-test reads one page and the server's CPU around it.
    api: { enabled: true, smallItems: 5, largeItems: 20, pageSize: 10, latencyMs: 0 },
  });
  process.env.STAC_BENCH_SELF_TEST = 'fail';
  process.env.STAC_BENCH_SELF_TEST_LOG = join(dir, 'runs.log');
  const progress: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      progress.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  let console = '';
  const vitestOut = new Writable({
    write(chunk, _enc, done) {
      console += String(chunk);
      done();
    },
  });
  let written: WrittenPaths | undefined;
  const reporter = new StacReporter({ progress: sink, onResults: (_file, paths) => (written = paths) });
  try {
    const vitest = await startVitest(
      'benchmark',
      [],
      {
        config: './vitest.bench.config.ts',
        run: true,
        watch: false,
        benchmark: { include: ['bench/trivial.bench.ts'], reporters: [reporter] },
      },
      {},
      { stdout: vitestOut, stderr: vitestOut },
    );
    await vitest.close();
    const exitCode = process.exitCode;
    if (!reporter.lastResults || !written) throw new Error('the reporter produced no results');
    const fromDisk = JSON.parse(readFileSync(output, 'utf8')) as ResultsFile;
    const scenarioRuns = readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').filter(Boolean);
    return { file: reporter.lastResults, written, fromDisk, progress, scenarioRuns, exitCode, console };
  } finally {
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
}

describe('a vitest bench run with measuredBench and StacReporter', () => {
  let run: Run;
  const row = (strategy: string, concurrency: number, variant: string | null = null): BenchmarkResult =>
    run.file.results.find(
      (r) => r.strategy === strategy && r.concurrency === concurrency && r.variant === variant,
    )!;

  beforeAll(async () => {
    run = await runSelfTestBench();
  }, 120_000);

  it('writes a results file that matches the schema, with one row per bench', () => {
    expect(validateResults(run.fromDisk)).toEqual({ valid: true, errors: [] });
    expect(run.fromDisk).toEqual(run.file);
    expect(run.file.results.map((r) => r.key).sort()).toEqual([
      'api-search/5/sequential/1',
      'ndjson/300/concurrent/2',
      'ndjson/300/concurrent/3',
      'ndjson/300/parse-only/scenario-floor/1',
      'ndjson/300/sequential/1',
      'ndjson/300/sequential/alloc-64mb/1',
      'ndjson/300/sequential/scenario-a/1',
      'ndjson/300/sequential/scenario-b/1',
      'ndjson/300/worker-threads/1',
    ]);
  });

  it('analyses the rows and writes the Markdown report and charts beside the JSON', () => {
    expect(run.file.findings.map((f) => f.scenario)).toEqual(['ndjson', 'api-search']);
    expect(run.file.comparisons.every((c) => c.baseline_strategy === 'sequential')).toBe(true);
    expect(run.written.report).toMatch(/self-test_report\.md$/);
    expect(readFileSync(run.written.report, 'utf8')).toContain('measured run failed on purpose');
    expect(run.written.charts.length).toBeGreaterThan(0);
    for (const chart of run.written.charts) expect(existsSync(chart)).toBe(true);
  });

  it('records the settings, samples and warm-ups included, as the config', () => {
    expect(run.file.config).toMatchObject({ samples: SAMPLES, warmups: WARMUPS, formats: [] });
    const method = process.platform === 'linux' ? 'vmhwm' : 'sampler';
    expect(run.file.config.measurement).toEqual({ peak_memory_method: method, gc_between_runs: true });
    expect(run.file.environment.package_versions.vitest).toBe('4.1.12');
  });

  it('delivers the per-run measurements of a successful bench to the reporter', () => {
    const r = row('sequential', 1);
    expect(r.error).toBeNull();
    expect(r.samples).toBe(SAMPLES);
    expect(r.items_processed).toBe(300);
    expect(r.duration_seconds).toBeGreaterThan(0);
    expect(r.throughput_items_per_sec).toBeCloseTo(300 / r.duration_seconds!, 6);
    expect(r.duration_stats!.min).toBeLessThanOrEqual(r.duration_stats!.max);
    expect(r.peak_memory_mb).toBeGreaterThanOrEqual(0);
    expect(r.cpu_seconds).toBeGreaterThanOrEqual(0);
    expect(r.event_loop_utilization).toBeGreaterThan(0);
    expect(r.dataset).toMatchObject({ format: 'ndjson', items: 300, profile: 'trivial' });
  });

  it('sees the memory a run allocates and drops before it ends', () => {
    const r = row('sequential', 1, 'alloc-64mb');
    expect(r.error).toBeNull();
    expect(r.items_processed).toBe(300);
    expect(r.peak_memory_mb).toBeGreaterThanOrEqual(60);
  });

  it("records the local API's CPU per run for a row that reads it through the provided control URL, and none for the others", () => {
    const api = run.file.results.find((r) => r.scenario === 'api-search')!;
    expect(api.error).toBeNull();
    expect(api.items_processed).toBe(5);
    expect(api.server_cpu_seconds).toBeGreaterThan(0);
    expect(Number.isFinite(api.server_cpu_seconds)).toBe(true);
    expect(row('sequential', 1).server_cpu_seconds).toBeNull();
  });

  it('runs a worker thread started by library code inside the bench process', () => {
    const r = row('worker-threads', 1);
    expect(r.error).toBeNull();
    expect(r.items_processed).toBe(300);
    expect(r.samples).toBe(SAMPLES);
  });

  it('turns a bench whose measured run throws into a failed row with null figures', () => {
    const r = row('concurrent', 2);
    expect(r.error).toBe('Error: measured run failed on purpose');
    expect(r.duration_seconds).toBeNull();
    expect(r.throughput_items_per_sec).toBeNull();
    expect(r.peak_memory_mb).toBeNull();
    expect(r.samples).toBe(0);
  });

  it('turns a bench whose warm-up throws into a failed row too', () => {
    const r = row('concurrent', 3);
    expect(r.error).toBe('Error: warm-up failed on purpose');
    expect(r.items_processed).toBeNull();
  });

  it("takes an interleaved floor's warm-up and measured runs between the rows it bounds", () => {
    // Each row: 1 warm-up + 2 measured runs; the floor: its warm-up and first run after row a, its
    // second after row b.
    expect(run.scenarioRuns).toEqual(['a', 'a', 'a', 'floor', 'floor', 'b', 'b', 'b', 'floor']);
    const floor = row('parse-only', 1, 'scenario-floor');
    expect(floor).toMatchObject({ kind: 'floor', error: null, samples: SAMPLES, items_processed: 300 });
    expect(floor.duration_samples).toHaveLength(SAMPLES);
    expect(floor.duration_samples!.every((s) => s > 0)).toBe(true);
  });

  it("keeps every measured run's peak memory, whose highest is the row's peak", () => {
    const floor = row('parse-only', 1, 'scenario-floor');
    expect(floor.memory_samples_mb).toHaveLength(SAMPLES);
    expect(Math.max(...floor.memory_samples_mb!)).toBe(floor.peak_memory_mb);
  });

  it('marks the vitest run as failed when a bench failed', () => {
    expect(run.exitCode).toBe(1);
  });

  it('records a failed bench without an unhandled rejection or a failed suite in vitest', () => {
    expect(run.console).not.toMatch(/Unhandled|PromiseRejectionHandled|FAIL/);
    expect(run.file.results.filter((r) => r.error !== null)).toHaveLength(2);
  });

  it('prints one progress line per finished bench, then where the results are', () => {
    const lines = run.progress.filter((l) => l.startsWith('['));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^\[1\/9\] ndjson sequential c=1 … [\d,]+ items\/s — ETA (~\d+s|\?)$/);
    expect(
      lines.some((l) => /^\[\d\/9\] ndjson concurrent c=2 … FAILED: Error: measured run failed/.test(l)),
    ).toBe(true);
    expect(run.progress.at(-1)).toMatch(
      /^results: .*self-test\.json \(9 rows, 2 failed\), report: .*_report\.md$/,
    );
  });
});
