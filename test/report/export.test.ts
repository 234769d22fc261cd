import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, ResultsFile } from '../../src/profiling/result.js';
import {
  NothingToExportError,
  PEAK_MEMORY_MEASURE,
  renderExport,
  toActionBenchmarkMemory,
  toActionBenchmarkThroughput,
  toBmf,
} from '../../src/report/export.js';
import { resultsFile, row } from '../support/analysis-fixtures.js';
import { actionBenchmarkProblems, bmfProblems } from '../support/export-formats.js';

/** A schema-2 row with its runs: durations (s) and peak memory per run (MB). */
function measured(over: Parameters<typeof row>[0], seconds: number[], memory: number[]): BenchmarkResult {
  const r = row(over);
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  const items = r.items_processed!;
  return {
    ...r,
    duration_seconds: mean,
    throughput_items_per_sec: items / mean,
    duration_samples: [...seconds].sort((a, b) => a - b),
    memory_samples_mb: [...memory].sort((a, b) => a - b),
    peak_memory_mb: Math.max(...memory),
    samples: seconds.length,
  };
}

function file(): ResultsFile {
  return resultsFile(
    [
      measured({ strategy: 'sequential' }, [2, 2.5, 4], [30, 32, 31]),
      measured({ strategy: 'concurrent', concurrency: 10 }, [1, 1.25, 1.5], [40, 45, 50]),
      row({ strategy: 'worker-threads', concurrency: 2, error: 'worker exited (code 1)' }),
      measured({ kind: 'floor', strategy: 'read-only' }, [0.5, 0.5, 0.6], [5, 6, 7]),
      measured(
        { scenario: 'api-search', strategy: 'concurrent', concurrency: 5 },
        [3, 3.2, 3.1],
        [20, 21, 22],
      ),
    ],
    { schema_version: 2 },
  );
}

describe('the Bencher Metric Format export', () => {
  it('fits the documented shape: benchmark -> measure -> value, lower_value, upper_value', () => {
    const doc = toBmf(file());
    expect(bmfProblems(doc)).toEqual([]);
    expect(Object.keys(doc['directory/10000/sequential/1']!)).toEqual([
      'throughput',
      'latency',
      PEAK_MEMORY_MEASURE,
    ]);
  });

  it('names each benchmark by its stable key, leaves errored rows out and keeps floors', () => {
    expect(Object.keys(toBmf(file()))).toEqual([
      'directory/10000/sequential/1',
      'directory/10000/concurrent/10',
      'directory/10000/read-only/1',
      'api-search/10000/concurrent/5',
    ]);
  });

  it('gives latency in nanoseconds per run: the mean, bounded by the fastest and slowest run', () => {
    const seq = toBmf(file())['directory/10000/sequential/1']!;
    const mean = (2 + 2.5 + 4) / 3;
    expect(seq.latency).toEqual({
      value: Math.round(mean * 1e9),
      lower_value: 2_000_000_000,
      upper_value: 4_000_000_000,
    });
  });

  it("bounds throughput by the slowest and the fastest run's items per second", () => {
    const seq = toBmf(file())['directory/10000/sequential/1']!;
    const mean = (2 + 2.5 + 4) / 3;
    expect(seq.throughput).toEqual({
      value: expect.closeTo(10_000 / mean, 3),
      lower_value: 2500,
      upper_value: 5000,
    });
    expect(seq.throughput!.lower_value!).toBeLessThanOrEqual(seq.throughput!.value);
    expect(seq.throughput!.value).toBeLessThanOrEqual(seq.throughput!.upper_value!);
  });

  it('gives peak memory in MB: the highest run, bounded by the lowest and the highest run', () => {
    const c10 = toBmf(file())['directory/10000/concurrent/10']!;
    expect(c10[PEAK_MEMORY_MEASURE]).toEqual({ value: 50, lower_value: 40, upper_value: 50 });
  });

  it('bounds a schema-1 row (no per-run samples) by its duration stats, and gives its memory no bounds', () => {
    const old = resultsFile([row({ strategy: 'sequential', tp: 1000, rme: 10, mem: 42 })]);
    const seq = toBmf(old)['directory/10000/sequential/1']!;
    expect(bmfProblems(toBmf(old))).toEqual([]);
    expect(seq.latency).toEqual({ value: 10e9, lower_value: 9e9, upper_value: 11e9 });
    expect(seq.throughput!.lower_value).toBeCloseTo(10_000 / 11, 3);
    expect(seq[PEAK_MEMORY_MEASURE]).toEqual({ value: 42 });
  });
});

describe('the github-action-benchmark exports', () => {
  it('writes customBiggerIsBetter entries of throughput: name, unit, value, and range and extra as strings', () => {
    const entries = toActionBenchmarkThroughput(file());
    expect(actionBenchmarkProblems(entries)).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual([
      'directory/10000/sequential/1',
      'directory/10000/concurrent/10',
      'directory/10000/read-only/1',
      'api-search/10000/concurrent/5',
    ]);
    const seq = entries[0]!;
    expect(seq).toMatchObject({ unit: 'items/s', range: '2500 to 5000 (slowest to fastest of 3 runs)' });
    expect(seq.value).toBeCloseTo(10_000 / ((2 + 2.5 + 4) / 3), 3);
  });

  it('puts the conditions of each row in extra, one per line', () => {
    const [seq, , floor, api] = toActionBenchmarkThroughput(file());
    expect(seq!.extra!.split('\n')).toEqual([
      'scenario: directory',
      'kind: ingest',
      'strategy: sequential',
      'level: 1',
      'format: directory',
      'items: 10000',
      'profile: small',
      'samples: 3',
      'cores: 2',
      'cpu: Test CPU @ 2.0GHz',
      'node: v20.18.0',
      'platform: linux-x64',
      'uv threadpool: 4',
      'commit: 0123456789abcdef0123456789abcdef01234567',
    ]);
    expect(floor!.extra).toContain('kind: floor');
    expect(api!.extra).toContain('page size: 100\nlatency ms: 50');
  });

  it('writes customSmallerIsBetter entries of peak memory in MB', () => {
    const entries = toActionBenchmarkMemory(file());
    expect(actionBenchmarkProblems(entries)).toEqual([]);
    expect(entries[1]).toMatchObject({
      name: 'directory/10000/concurrent/10',
      unit: 'MB',
      value: 50,
      range: '40 to 50 (3 runs)',
    });
  });
});

describe('renderExport', () => {
  it('refuses to export a results file whose every row errored, naming the format', () => {
    const failed = resultsFile([row({ strategy: 'sequential', error: 'EMFILE' })]);
    for (const format of ['bmf', 'github-action-benchmark', 'github-action-benchmark-memory'] as const) {
      expect(() => renderExport(failed, format)).toThrow(NothingToExportError);
      expect(() => renderExport(failed, format)).toThrow(`nothing to export as ${format}`);
    }
  });

  it('renders JSON text that parses back to the document', () => {
    const { text, count } = renderExport(file(), 'bmf');
    expect(count).toBe(4);
    expect(JSON.parse(text)).toEqual(toBmf(file()));
  });
});
