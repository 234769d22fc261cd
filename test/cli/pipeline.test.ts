import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/bench/settings.js';
import { UsageError } from '../../src/cli/args.js';
import { settingsFromArgs } from '../../src/cli/bench-options.js';
import { DEFAULT_CACHE_ROOT } from '../../src/fixtures/cache.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';
import { lines, runCli } from '../support/cli-helpers.js';

describe('benchmark-ingest pipeline: argument errors', () => {
  it('exit 2 with exactly one stderr line, no stack trace', async () => {
    const runs = await Promise.all(
      [
        [
          ['--from', 'csv'],
          /--from must be one of directory, ndjson, feature-collection, parquet, got 'csv'/,
        ],
        [
          ['--placement', 'caller,everywhere'],
          /--placement must be a list of caller, sharded, got 'caller,everywhere'/,
        ],
      ].map(async ([args, message]) => ({ r: await runCli(['pipeline', ...(args as string[])]), message })),
    );
    for (const { r, message } of runs) {
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message as RegExp);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  const cases: [string, string[], RegExp][] = [
    ['an unknown sink', ['--to', 'geojson'], /--to must be one of directory, ndjson, parquet, got 'geojson'/],
    [
      'an unknown transform',
      ['--transform', 'update,reproject'],
      /--transform must list update, validate .* got 'update,reproject'/,
    ],
    ['a transform twice', ['--transform', 'validate,validate'], /--transform lists validate twice/],
    ['an option of another command', ['--latency-ms', '5'], /unknown option --latency-ms/],
    ['a worker level of 0', ['--workers', '0'], /--workers must be >= 1, got 0/],
  ];
  for (const [what, args, message] of cases) {
    it(`include ${what}`, () => {
      expect(() => settingsFromArgs('pipeline', args)).toThrow(message);
      expect(() => settingsFromArgs('pipeline', args)).toThrow(UsageError);
    });
  }

  it('prints its usage with --help and exits 0', async () => {
    const r = await runCli(['pipeline', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'usage: benchmark-ingest pipeline [--from directory|ndjson|feature-collection|parquet]',
    );
  });
});

describe('settingsFromArgs for pipeline', () => {
  it('runs the default pipeline: directory -> update, validate -> directory, caller and sharded, 2 runs, no warm-up', () => {
    const s = settingsFromArgs('pipeline', []);
    expect(s.pipeline).toEqual({ ...DEFAULT_SETTINGS.pipeline, enabled: true });
    expect(s.pipeline).toMatchObject({
      from: 'directory',
      to: 'directory',
      transforms: ['update', 'validate'],
      placements: ['caller', 'sharded'],
      workers: [2],
      samples: 2,
      warmups: 1,
    });
    expect(s.formats).toEqual(['directory']);
    expect(s.api.enabled).toBe(false);
    expect(s.output).toBe(resolve('results/pipeline_benchmark.json'));
  });

  it('takes the source, sink, transforms and levels as the pipeline’s, leaving the file levels alone', () => {
    const s = settingsFromArgs('pipeline', [
      '--from',
      'ndjson',
      '--to',
      'ndjson',
      '--transform',
      'validate',
      '--placement',
      'caller',
      '--concurrency',
      '1,5',
      '--workers',
      '2',
      '--samples',
      '2',
      '--warmups',
      '1',
    ]);
    expect(s.pipeline).toMatchObject({
      enabled: true,
      from: 'ndjson',
      to: 'ndjson',
      transforms: ['validate'],
      placements: ['caller'],
      concurrency: [1, 5],
      workers: [2],
      samples: 2,
      warmups: 1,
    });
    expect(s.formats).toEqual(['ndjson']);
    expect(s.concurrency).toEqual(DEFAULT_SETTINGS.concurrency);
    expect(settingsFromArgs('pipeline', ['--transform', 'none']).pipeline.transforms).toEqual([]);
    expect(settingsFromArgs('pipeline', ['--placement', 'sharded,caller']).pipeline.placements).toEqual([
      'sharded',
      'caller',
    ]);
    expect(() => settingsFromArgs('pipeline', ['--placement', 'sharded,sharded'])).toThrow(
      /--placement lists sharded twice/,
    );
  });

  it('keeps the default pipeline in all, and leaves it out of file and api', () => {
    expect(settingsFromArgs('all', ['--concurrency', '1,5']).pipeline).toEqual(DEFAULT_SETTINGS.pipeline);
    // Given explicitly, the runs hold for every bench, the pipeline included.
    expect(settingsFromArgs('all', ['--samples', '1', '--warmups', '2']).pipeline).toMatchObject({
      samples: 1,
      warmups: 2,
    });
    expect(settingsFromArgs('file', []).pipeline.enabled).toBe(false);
    expect(settingsFromArgs('api', []).pipeline.enabled).toBe(false);
    expect(() => settingsFromArgs('all', ['--from', 'ndjson'])).toThrow(/unknown option --from/);
  });
});

describe('a pipeline benchmark run on a tiny directory', () => {
  let dir = '';
  let code = -1;
  let stderr = '';
  let file: ResultsFile;
  const scratch = join(DEFAULT_CACHE_ROOT, 'pipeline-runs');
  let before: string[] = [];

  beforeAll(async () => {
    before = await readdir(scratch).catch(() => []);
    dir = await mkdtemp(join(tmpdir(), 'pipeline-bench-'));
    const args = ['pipeline', '--test-size', '120', '--samples', '2', '--warmups', '0'];
    args.push('--concurrency', '4', '--workers', '1', '--output', join(dir, 'p.json'));
    const r = await runCli(args, { timeoutMs: 170_000 });
    code = r.code;
    stderr = r.stderr;
    file = JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')) as ResultsFile;
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and writes a valid results file with one row per ingest setting, per sharded level and both floors', () => {
    expect(code, stderr).toBe(0);
    expect(validateResults(file).errors).toEqual([]);
    expect(file.results.map((r) => r.key).sort()).toEqual([
      'pipeline/120/caller/ingest=concurrent:4/4',
      'pipeline/120/caller/ingest=sequential:1/1',
      'pipeline/120/caller/ingest=worker-threads:1/1',
      'pipeline/120/sharded/1',
      'pipeline/120/transform-only/update+validate/1',
      'pipeline/120/write-only/pre-serialized/1',
    ]);
  });

  it('measures real work: every Item through the stages, each stage timed', () => {
    for (const r of file.results) {
      expect(r.error, r.key).toBeNull();
      expect(r.items_processed, r.key).toBe(120);
      expect(r.failures, r.key).toBe(0);
    }
    for (const r of file.results.filter((x) => x.kind === 'ingest')) {
      const s = r.pipeline!.stage_seconds!;
      expect(s.read_parse).toBeGreaterThan(0);
      expect(s.transform).toBeGreaterThan(0);
      expect(s.serialize).toBeGreaterThan(0);
      expect(s.write).toBeGreaterThan(0);
      // Sharded stage seconds are every worker's, summed: at most the run's time per worker.
      const threads = r.strategy === 'sharded' ? r.concurrency : 1;
      expect(s.read_parse + s.transform + s.serialize + s.write).toBeLessThanOrEqual(
        r.duration_stats!.max * threads,
      );
      expect(r.pipeline).toMatchObject({
        source: 'directory',
        transforms: ['update', 'validate'],
        sink: 'directory',
      });
    }
  });

  it('names the bottleneck stage and an ingest setting in its finding', () => {
    const f = file.findings.find((x) => x.scenario === 'pipeline')!;
    expect(f.pipeline?.placement).toBe('caller');
    expect(['read_parse', 'transform', 'serialize', 'write']).toContain(f.pipeline?.bottleneck_stage);
    expect(['sequential', 'concurrent', 'worker-threads']).toContain(f.best_strategy);
    expect(f.summary).toContain('the ceiling of the caller placement is');
    expect(f.summary).toMatch(
      /the ceiling of the sharded placement is B = \d+ cores \/ [\d.,]+ µs = [\d,]+ items\/s/,
    );
    expect(f.summary).toMatch(
      /on N cores: caller ≤ [\d,]+ items\/s \(more cores do not lift it\), sharded ≤ N × [\d,]+ items\/s on CPU alone/,
    );
  });

  it('reports the stage breakdown and its chart beside the results', async () => {
    const md = await readFile(join(dir, 'p_report.md'), 'utf8');
    expect(md).toContain('| Setting | read+parse | transform | serialize | write | Other | µs / Item |');
    expect(await readdir(dir)).toContain('p_pipeline-120_stages.svg');
  });

  it('leaves no output folder of its runs behind', async () => {
    expect(await readdir(scratch).catch(() => [])).toEqual(before);
  });
});
