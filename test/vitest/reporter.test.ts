import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergeSettings } from '../../src/bench/settings.js';
import { analyze } from '../../src/profiling/analysis.js';
import { collectEnvironment } from '../../src/profiling/environment.js';
import { validateResults } from '../../src/profiling/schema.js';
import type { RunRecord, StacBenchMeta } from '../../src/vitest/measured-bench.js';
import { StacReporter } from '../../src/vitest/reporter.js';
import {
  buildResult,
  buildResultsFile,
  type CollectedBench,
  durationStats,
  formatDuration,
  measurementConditions,
  progressLine,
  sharedKey,
} from '../../src/vitest/results-model.js';

// Fixed fake statistics in, exact figures out: wiring, not speed.

function runRecord(over: Partial<RunRecord> = {}): RunRecord {
  return {
    wall_seconds: 0.5,
    cpu_user_seconds: 0.4,
    cpu_system_seconds: 0.1,
    cpu_seconds: 0.5,
    cpu_per_core: 0.25,
    elu: 0.9,
    peak_memory_mb: 20,
    rss_before_mb: 100,
    peak_method: 'vmhwm',
    items: 1000,
    failures: 0,
    http: null,
    worker_elu: null,
    ...over,
  };
}

function meta(over: Partial<StacBenchMeta> = {}): StacBenchMeta {
  return {
    scenario: 'directory',
    kind: 'ingest',
    strategy: 'concurrent',
    variant: null,
    concurrency: 10,
    dataset: {
      format: 'directory',
      items: 1000,
      item_bytes_avg: 900,
      profile: 'small',
      page_size: null,
      latency_ms: null,
    },
    samples: 3,
    warmups: 1,
    runs: [runRecord(), runRecord(), runRecord()],
    error: null,
    gc_between_runs: true,
    ...over,
  };
}

function bench(over: Partial<CollectedBench> = {}): CollectedBench {
  return {
    name: 'directory concurrent 10',
    stats: { sampleCount: 3, samples: [400, 500, 600] },
    meta: meta(),
    errors: [],
    ...over,
  };
}

describe('durationStats', () => {
  it('computes min, median, mean, p99, max and the 95% relative margin of error', () => {
    const s = durationStats([0.6, 0.4, 0.5]);
    expect(s).toMatchObject({ min: 0.4, p50: 0.5, p99: 0.6, max: 0.6 });
    expect(s.mean).toBeCloseTo(0.5, 12);
    // sd = 0.1, sem = 0.1/sqrt(3), t(df=2) = 4.303 -> rme = 4.303 * 0.057735 / 0.5 * 100
    expect(s.rme).toBeCloseTo(49.6867, 3);
  });

  it('uses the mean of the middle two for an even count and gives a single sample no margin', () => {
    expect(durationStats([1, 2, 3, 4]).p50).toBe(2.5);
    expect(durationStats([2])).toEqual({ min: 2, p50: 2, mean: 2, p99: 2, max: 2, rme: 0 });
  });

  it('refuses an empty sample set', () => {
    expect(() => durationStats([])).toThrow(RangeError);
  });
});

describe('buildResult', () => {
  it('turns vitest samples (ms) into seconds and throughput into items per mean second', () => {
    const r = buildResult(bench())!;
    expect(r.key).toBe('directory/1000/concurrent/10');
    expect(r.duration_seconds).toBeCloseTo(0.5, 12);
    expect(r.throughput_items_per_sec).toBeCloseTo(2000, 9);
    expect(r.items_processed).toBe(1000);
    expect(r.samples).toBe(3);
    expect(r.duration_stats).toMatchObject({ min: 0.4, max: 0.6, p50: 0.5 });
    expect(r.error).toBeNull();
  });

  it('takes the highest peak memory, mean CPU and ELU, the most failures of any run', () => {
    const runs = [
      runRecord({ peak_memory_mb: 10, cpu_seconds: 0.3, elu: 0.6, failures: 2 }),
      runRecord({ peak_memory_mb: 40, cpu_seconds: 0.6, elu: 0.9, failures: 2 }),
      runRecord({ peak_memory_mb: 25, cpu_seconds: 0.9, elu: 0.9, failures: 3 }),
    ];
    const r = buildResult(bench({ meta: meta({ runs }) }))!;
    expect(r.peak_memory_mb).toBe(40);
    expect(r.cpu_seconds).toBeCloseTo(0.6, 12);
    expect(r.event_loop_utilization).toBeCloseTo(0.8, 12);
    expect(r.failures).toBe(3);
    expect(r.worker_elu).toBeNull();
    expect(r.http).toBeNull();
  });

  it('averages HTTP requests and retries per run and keeps the highest requests in flight', () => {
    const runs = [
      runRecord({ http: { requests: 100, retries: 1, peak_in_flight: 9 } }),
      runRecord({ http: { requests: 102, retries: 3, peak_in_flight: 10 } }),
    ];
    const r = buildResult(bench({ meta: meta({ scenario: 'api-search', runs }) }))!;
    expect(r.http).toEqual({
      requests: 101,
      retries: 2,
      peak_in_flight: 10,
      requests_per_1000_items: 101,
      duplicates_dropped: null,
    });
  });

  it('reports the workers mean ELU for a worker strategy', () => {
    const runs = [runRecord({ worker_elu: 0.7 }), runRecord({ worker_elu: 0.9 })];
    const r = buildResult(bench({ meta: meta({ strategy: 'worker-threads', concurrency: 2, runs }) }))!;
    expect(r.worker_elu).toBeCloseTo(0.8, 12);
  });

  it('falls back to the measured wall times when vitest kept no samples', () => {
    const runs = [runRecord({ wall_seconds: 0.2 }), runRecord({ wall_seconds: 0.4 })];
    const r = buildResult(bench({ stats: { sampleCount: 2, samples: [] }, meta: meta({ runs }) }))!;
    expect(r.duration_seconds).toBeCloseTo(0.3, 12);
  });

  it('names a variant and a floor in the key and row', () => {
    const r = buildResult(
      bench({ meta: meta({ kind: 'floor', strategy: 'read-only', variant: 'fs.read', concurrency: 1 }) }),
    )!;
    expect(r.key).toBe('directory/1000/read-only/fs.read/1');
    expect(r.kind).toBe('floor');
  });

  it('makes a bench with an error a failed row whose figures are null, never zero', () => {
    const r = buildResult(
      bench({ stats: { sampleCount: 0, samples: [] }, meta: meta({ runs: [], error: 'Error: boom' }) }),
    )!;
    expect(r.error).toBe('Error: boom');
    for (const figure of [
      r.duration_seconds,
      r.throughput_items_per_sec,
      r.peak_memory_mb,
      r.items_processed,
      r.cpu_seconds,
      r.event_loop_utilization,
      r.worker_elu,
      r.duration_stats,
    ]) {
      expect(figure).toBeNull();
    }
    expect(r.samples).toBe(0);
  });

  it('treats zero samples, missing statistics or a vitest error as a failure even without a meta error', () => {
    expect(buildResult(bench({ stats: { sampleCount: 0, samples: [] } }))!.error).toBe(
      'the bench produced no samples',
    );
    expect(buildResult(bench({ stats: null }))!.error).toBe('the bench produced no samples');
    expect(buildResult(bench({ errors: ['Timeout'] }))!.error).toBe('Timeout');
    expect(buildResult(bench({ meta: meta({ runs: [] }) }))!.error).toBe('no measured run was recorded');
  });

  it('ignores a plain bench without measuredBench meta', () => {
    expect(buildResult(bench({ meta: undefined }))).toBeNull();
  });
});

describe('buildResult of a pipeline row', () => {
  const pipelineMeta = (over: Partial<StacBenchMeta> = {}) =>
    meta({
      scenario: 'pipeline',
      strategy: 'caller',
      variant: 'ingest=worker-threads:2',
      concurrency: 2,
      pipeline: { source: 'directory', transforms: ['update', 'validate'], sink: 'directory' },
      runs: [
        runRecord({ stage_seconds: { read_parse: 0.1, transform: 0.05, serialize: 0.02, write: 0.3 } }),
        runRecord({ stage_seconds: { read_parse: 0.2, transform: 0.07, serialize: 0.04, write: 0.2 } }),
      ],
      samples: 2,
      ...over,
    });

  it("records what the pipeline ran and each stage's mean seconds per run, valid against the schema", () => {
    const r = buildResult(bench({ meta: pipelineMeta(), stats: { sampleCount: 2, samples: [450, 550] } }))!;
    expect(r.key).toBe('pipeline/1000/caller/ingest=worker-threads:2/2');
    expect(r.pipeline!.source).toBe('directory');
    expect(r.pipeline!.transforms).toEqual(['update', 'validate']);
    expect(r.pipeline!.sink).toBe('directory');
    const s = r.pipeline!.stage_seconds!;
    expect(s.read_parse).toBeCloseTo(0.15, 12);
    expect(s.transform).toBeCloseTo(0.06, 12);
    expect(s.serialize).toBeCloseTo(0.03, 12);
    expect(s.write).toBeCloseTo(0.25, 12);
    const file = buildResultsFile({
      results: [r],
      environment: collectEnvironment(),
      config: { samples: 2, warmups: 1 },
      analysis: { comparisons: [], findings: [] },
    });
    expect(validateResults(file).errors).toEqual([]);
  });

  it('keeps what a failed pipeline row ran, without stage times', () => {
    const r = buildResult(bench({ meta: pipelineMeta({ error: 'SinkError: /out: EACCES' }) }))!;
    expect(r.error).toBe('SinkError: /out: EACCES');
    expect(r.pipeline).toEqual({
      source: 'directory',
      transforms: ['update', 'validate'],
      sink: 'directory',
      stage_seconds: null,
    });
  });

  it('gives other rows no pipeline field', () => {
    expect(buildResult(bench())!).not.toHaveProperty('pipeline');
  });
});

describe('buildResultsFile', () => {
  it('assembles a file that matches the schema, failed rows included', () => {
    const ok = buildResult(bench())!;
    const failed = buildResult(
      bench({ stats: null, meta: meta({ strategy: 'sequential', concurrency: 1, runs: [], error: 'x' }) }),
    )!;
    const config = { samples: 3, warmups: 1 };
    const environment = collectEnvironment();
    const file = buildResultsFile({
      results: [ok, failed],
      environment,
      config,
      analysis: analyze([ok, failed], config, environment),
      generatedAt: new Date('2026-11-29T03:00:00Z'),
    });
    expect(file.generated_at).toBe('2026-11-29T03:00:00.000Z');
    expect(file.schema_version).toBe(2);
    expect(validateResults(file)).toEqual({ valid: true, errors: [] });
  });
});

describe('measurementConditions', () => {
  it('names the peak-memory method of the runs and whether a GC ran before every run', () => {
    expect(measurementConditions([bench(), bench()])).toEqual({
      peak_memory_method: 'vmhwm',
      gc_between_runs: true,
    });
    const sampled = bench({
      meta: meta({ runs: [runRecord({ peak_method: 'sampler' })], gc_between_runs: false }),
    });
    expect(measurementConditions([bench(), sampled])).toEqual({
      peak_memory_method: 'mixed',
      gc_between_runs: false,
    });
    expect(measurementConditions([bench({ meta: undefined })])).toEqual({
      peak_memory_method: null,
      gc_between_runs: true,
    });
  });
});

describe('progress lines', () => {
  const result = buildResult(bench())!;

  it('show the position, the bench, its throughput and an estimated time left from the time per finished bench', () => {
    // 12 done in 60 s -> 5 s each, 28 left -> about 140 s
    expect(progressLine(12, 40, { name: 'x', result }, 60_000)).toBe(
      '[12/40] directory concurrent c=10 … 2,000 items/s — ETA ~2m20s',
    );
  });

  it("take the time left from the plan's estimate when there is one, not from the count of benches", () => {
    expect(progressLine(2, 4, { name: 'x', result }, 60_000, false, { ms: 180_000, untimed: 0 })).toBe(
      '[2/4] directory concurrent c=10 … 2,000 items/s — ETA ~3m00s',
    );
  });

  it('say how many benches cannot be timed yet instead of guessing at them', () => {
    const line = (ms: number, untimed: number) =>
      progressLine(2, 40, { name: 'x', result }, 60_000, false, { ms, untimed });
    expect(line(130_000, 12)).toBe(
      '[2/40] directory concurrent c=10 … 2,000 items/s — ETA ~2m10s + ? for 12 benches',
    );
    expect(line(0, 1)).toBe('[2/40] directory concurrent c=10 … 2,000 items/s — ETA ? for 1 bench');
  });

  it('say FAILED with the error for a failed bench, and claim no time left while the total is still growing', () => {
    const failed = buildResult(bench({ stats: null, meta: meta({ runs: [], error: 'Error: boom' }) }))!;
    expect(progressLine(3, 8, { name: 'x', result: failed }, 3_000, true)).toBe(
      '[3/8+] directory concurrent c=10 … FAILED: Error: boom — ETA ?',
    );
  });

  it("name the dataset's size in a run of several sizes", () => {
    const items = result.dataset.items.toLocaleString('en-US');
    expect(progressLine(12, 40, { name: 'x', result, sized: true }, 60_000)).toBe(
      `[12/40] directory (${items} items) concurrent c=10 … 2,000 items/s — ETA ~2m20s`,
    );
  });

  it('name a plain bench by its name and never show a total below the count done', () => {
    expect(progressLine(5, 4, { name: 'plain bench', result: null }, 1_000)).toBe(
      '[5/5] plain bench … done — ETA 0s',
    );
  });

  it('format durations as seconds, minutes and hours', () => {
    expect(formatDuration(45_400)).toBe('45s');
    expect(formatDuration(80_000)).toBe('1m20s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('StacReporter at the end of a run', () => {
  it('writes nothing, and says why, when no bench produced a row (e.g. the setup failed)', async () => {
    const lines: string[] = [];
    const progress = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    let writes = 0;
    const reporter = new StacReporter({
      settings: mergeSettings({ output: '/nonexistent/never-written.json' }),
      progress,
      write: async () => {
        writes++;
        return { json: '', report: '', charts: [] };
      },
    });
    await reporter.onTestRunEnd([], [new Error('the parquet writer is not built yet')], 'failed');
    expect(writes).toBe(0);
    expect(reporter.lastResults).toBeNull();
    expect(lines).toEqual(['no benchmark results to write (run failed, 1 error(s) before any bench ran)\n']);
  });

  it('keeps the measured rows beside the output, with one line saying why, when two rows share a key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reporter-shared-key-'));
    try {
      const lines: string[] = [];
      const progress = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const output = join(dir, 'run.json');
      const reporter = new StacReporter({ settings: mergeSettings({ output }), progress });
      await reporter.finish([bench({ name: 'first' }), bench({ name: 'second' })]);
      const kept = join(dir, 'run.rejected.json');
      expect(lines).toEqual([
        `results not written to ${output}: more than one row has the result key 'directory/1000/concurrent/10'; ` +
          `the 2 measured rows are kept in ${kept}\n`,
      ]);
      expect(existsSync(output)).toBe(false);
      const rows = JSON.parse(await readFile(kept, 'utf8')).results as { key: string }[];
      expect(rows.map((r) => r.key)).toEqual([
        'directory/1000/concurrent/10',
        'directory/1000/concurrent/10',
      ]);
      expect(reporter.lastResults).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sharedKey', () => {
  it('names the keys more than one row has, and nothing when every key is distinct', () => {
    const a = buildResult(bench())!;
    const b = buildResult(bench({ meta: meta({ concurrency: 5 }) }))!;
    expect(sharedKey([a, b])).toBeNull();
    expect(sharedKey([a, b, a])).toBe("more than one row has the result key 'directory/1000/concurrent/10'");
  });
});
