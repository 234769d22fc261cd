import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectEnvironment,
  gitCommit,
  PROJECT_ROOT,
  packageVersions,
  uvThreadpoolSize,
} from '../../src/profiling/environment.js';
import type { BenchmarkResult, ResultsFile } from '../../src/profiling/result.js';
import { FAILED_FIGURES, resultKey } from '../../src/profiling/result.js';
import { RESULTS_SCHEMA_URL, validateResults } from '../../src/profiling/schema.js';

function result(over: Partial<BenchmarkResult> = {}): BenchmarkResult {
  const base: BenchmarkResult = {
    key: '',
    scenario: 'ndjson',
    kind: 'ingest',
    strategy: 'concurrent',
    variant: null,
    concurrency: 10,
    dataset: {
      format: 'ndjson',
      items: 500,
      item_bytes_avg: 1200,
      profile: 'small',
      page_size: null,
      latency_ms: null,
    },
    duration_seconds: 0.25,
    throughput_items_per_sec: 2000,
    peak_memory_mb: 12.5,
    items_processed: 500,
    cpu_seconds: 0.3,
    event_loop_utilization: 0.8,
    worker_elu: null,
    samples: 3,
    duration_stats: { min: 0.2, p50: 0.25, mean: 0.25, p99: 0.3, max: 0.3, rme: 4.2 },
    failures: 0,
    http: null,
    error: null,
    ...over,
  };
  return { ...base, key: over.key ?? resultKey(base) };
}

const failed = (over: Partial<BenchmarkResult> = {}): BenchmarkResult =>
  result({
    error: 'ENOENT: /data/missing',
    ...FAILED_FIGURES,
    ...over,
  });

function file(results: BenchmarkResult[] = [result()]): ResultsFile {
  return {
    schema_version: 1,
    generated_at: '2026-11-29T02:40:00.000Z',
    environment: collectEnvironment(),
    config: { samples: 3, warmups: 1, testSize: 500 },
    results,
    comparisons: [
      {
        scenario: 'ndjson',
        baseline_strategy: 'sequential',
        strategy: 'concurrent',
        concurrency: 10,
        speedup: 1.7,
        memory_overhead_mb: 3.2,
      },
    ],
    findings: [
      {
        scenario: 'ndjson',
        conditions: { items: 500, profile: 'small' },
        bottleneck: 'cpu',
        best_strategy: 'worker-threads',
        recommended_concurrency: 2,
        summary: 'Parsing on the main thread is the limit.',
      },
    ],
  };
}

describe('validateResults', () => {
  it('accepts a complete results file', () => {
    expect(validateResults(file())).toEqual({ valid: true, errors: [] });
  });

  it('accepts a failed bench whose figures are all null', () => {
    expect(validateResults(file([failed()])).errors).toEqual([]);
  });

  it('rejects a failed bench that reports a zero instead of null', () => {
    const { valid, errors } = validateResults(file([failed({ throughput_items_per_sec: 0 })]));
    expect(valid).toBe(false);
    expect(errors.join('\n')).toContain('/results/0/throughput_items_per_sec');
  });

  it('rejects a bench without error whose duration is null', () => {
    const { valid, errors } = validateResults(file([result({ duration_seconds: null })]));
    expect(valid).toBe(false);
    expect(errors.join('\n')).toContain('/results/0/duration_seconds');
  });

  it('accepts a floor row without memory, CPU or ELU, under any strategy name', () => {
    const floor = result({
      kind: 'floor',
      strategy: 'read-only',
      concurrency: 1,
      peak_memory_mb: null,
      cpu_seconds: null,
      event_loop_utilization: null,
    });
    expect(validateResults(file([floor])).errors).toEqual([]);
  });

  it('rejects an ingest row with an unknown strategy, an unknown scenario or kind', () => {
    const bad = [
      result({ strategy: 'turbo' }),
      result({ scenario: 'csv' as never, key: 'x' }),
      result({ kind: 'other' as never, key: 'y' }),
    ];
    const { errors } = validateResults(file(bad));
    expect(errors.some((e) => e.startsWith('/results/0/strategy'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/results/1/scenario'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/results/2/kind'))).toBe(true);
  });

  it('names a missing required field and an unexpected one', () => {
    const r = result() as unknown as Record<string, unknown>;
    delete r.items_processed;
    r.speed = 3;
    const { errors } = validateResults(file([r as unknown as BenchmarkResult]));
    expect(errors).toContain("/results/0: must have required property 'items_processed'");
    expect(errors.some((e) => e.includes("'speed'"))).toBe(true);
  });

  it('rejects a finding with an unknown bottleneck and a config without samples', () => {
    const f = file();
    (f.findings[0] as { bottleneck: string }).bottleneck = 'disk';
    delete f.config.samples;
    const { errors } = validateResults(f);
    expect(errors.some((e) => e.startsWith('/findings/0/bottleneck'))).toBe(true);
    expect(errors).toContain("/config: must have required property 'samples'");
  });

  it('rejects http figures that are negative and an ELU above 1', () => {
    const { errors } = validateResults(
      file([result({ http: { requests: -1, retries: 0, peak_in_flight: 3 }, event_loop_utilization: 1.2 })]),
    );
    expect(errors.some((e) => e.startsWith('/results/0/http'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/results/0/event_loop_utilization'))).toBe(true);
  });

  it('rejects two results with the same key', () => {
    const { valid, errors } = validateResults(file([result(), result()]));
    expect(valid).toBe(false);
    expect(errors).toContain("/results/1/key: duplicate key 'ndjson/500/concurrent/10' (also /results/0)");
  });

  describe('rows of scenario pipeline', () => {
    const stages = { read_parse: 0.12, transform: 0.05, serialize: 0.03, write: 0.3 };
    const pipelineRow = (over: Partial<BenchmarkResult> = {}): BenchmarkResult =>
      result({
        scenario: 'pipeline',
        strategy: 'caller',
        variant: 'ingest=worker-threads:2',
        concurrency: 2,
        dataset: { ...result().dataset, format: 'directory' },
        pipeline: {
          source: 'directory',
          transforms: ['update', 'validate'],
          sink: 'directory',
          stage_seconds: stages,
        },
        ...over,
      });
    const v2 = (results: BenchmarkResult[]) => ({
      ...file(results),
      schema_version: 2 as const,
      results: results.map((r) => ({ ...r, duration_samples: [0.2, 0.25, 0.3], server_cpu_seconds: null })),
    });

    it('accepts a pipeline row naming its placement, with its source, transforms, sink and stage times', () => {
      expect(validateResults(v2([pipelineRow()])).errors).toEqual([]);
    });

    it('accepts a failed pipeline row and a floor without stage times', () => {
      const broken = pipelineRow({
        ...FAILED_FIGURES,
        error: 'SinkError: /tmp/out: disk full',
        pipeline: { source: 'directory', transforms: [], sink: 'directory', stage_seconds: null },
      });
      const floor = pipelineRow({
        kind: 'floor',
        strategy: 'write-only',
        variant: 'pre-serialized',
        concurrency: 1,
        pipeline: { source: 'directory', transforms: [], sink: 'directory', stage_seconds: null },
      });
      expect(validateResults(v2([broken, floor])).errors).toEqual([]);
    });

    it('requires the pipeline field on pipeline rows and refuses it on other rows', () => {
      const { pipeline: _drop, ...bare } = pipelineRow();
      const { errors } = validateResults(
        v2([bare as BenchmarkResult, result({ pipeline: pipelineRow().pipeline! })]),
      );
      expect(errors).toContain("/results/0: must have required property 'pipeline'");
      expect(errors.some((e) => e.startsWith('/results/1'))).toBe(true);
    });

    it('rejects a pipeline row whose strategy is an ingest strategy or whose stage times are incomplete', () => {
      const { write: _w, ...partial } = stages;
      const { errors } = validateResults(
        v2([
          pipelineRow({ strategy: 'worker-threads' }),
          pipelineRow({
            key: 'other',
            pipeline: {
              source: 'directory',
              transforms: [],
              sink: 'ndjson',
              stage_seconds: partial as never,
            },
          }),
        ]),
      );
      expect(errors.some((e) => e.startsWith('/results/0/strategy'))).toBe(true);
      expect(errors.some((e) => e.startsWith('/results/1/pipeline/stage_seconds'))).toBe(true);
    });

    it('accepts a pipeline finding with its bottleneck stage and ceiling, and refuses an unknown stage', () => {
      const f = v2([pipelineRow()]);
      f.findings = [
        {
          scenario: 'pipeline',
          conditions: { items: 500 },
          bottleneck: 'io',
          best_strategy: 'worker-threads',
          recommended_concurrency: 2,
          summary: 'Writing is the limit.',
          pipeline: { placement: 'caller', bottleneck_stage: 'write', ceiling_items_per_sec: 2500 },
        },
      ];
      expect(validateResults(f).errors).toEqual([]);
      (f.findings[0]!.pipeline as { bottleneck_stage: string }).bottleneck_stage = 'disk';
      expect(
        validateResults(f).errors.some((e) => e.startsWith('/findings/0/pipeline/bottleneck_stage')),
      ).toBe(true);
    });
  });

  it('does not throw on input that is not an object', () => {
    for (const input of [null, 42, 'x', []]) expect(validateResults(input).valid).toBe(false);
  });

  it('requires exactly the fields of BenchmarkResult in src/profiling/result.ts', () => {
    const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_URL, 'utf8'));
    expect([...schema.$defs.result.required].sort()).toEqual(Object.keys(result()).sort());
    expect([...schema.$defs.environment.required].sort()).toEqual(Object.keys(collectEnvironment()).sort());
  });
});

describe('collectEnvironment', () => {
  it('describes this machine, the commit and the key package versions', () => {
    const env = collectEnvironment();
    expect(env.node).toBe(process.version);
    expect(env.cpus).toBeGreaterThanOrEqual(1);
    expect(env.total_memory_mb).toBeGreaterThan(0);
    expect(env.git_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(env.package_versions.vitest).toBe('4.1.12');
    expect(env.package_versions.undici).toMatch(/^7\./);
  });

  it('reads UV_THREADPOOL_SIZE, with 4 when unset or invalid', () => {
    expect(uvThreadpoolSize({})).toBe(4);
    expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: 'lots' })).toBe(4);
    expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(4);
    expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });

  it('gives a null commit outside a git checkout and leaves out packages that are not installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    expect(gitCommit(dir)).toBeNull();
    expect(packageVersions(dir, ['vitest'])).toEqual({});
  });

  it('finds package versions in the node_modules of a folder above, where an installed package has its dependencies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const nested = join(dir, 'node_modules', 'stac-ingest-bench', 'dist');
    mkdirSync(nested, { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'undici'));
    writeFileSync(join(dir, 'node_modules', 'undici', 'package.json'), '{"version":"7.0.1"}');
    expect(packageVersions(nested, ['undici', 'vitest-not-installed'])).toEqual({ undici: '7.0.1' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives no commit for a folder inside a git checkout that is not its top (a package installed in a project)', () => {
    const inside = join(PROJECT_ROOT, 'src');
    expect(gitCommit(inside)).toBeNull();
  });
});
