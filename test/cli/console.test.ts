import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { settingsFromArgs } from '../../src/cli/bench-options.js';
import { benchFilesFor, noColourOffTerminal } from '../../src/cli/run-bench.js';
import { lines, runCli } from '../support/cli-helpers.js';

/** The environment without what forces colour: the children run with pipes, not a terminal. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['FORCE_COLOR', 'NO_COLOR', 'CI']) delete env[key];
  return env;
}
const small = [
  '--test-size',
  '40',
  '--samples',
  '1',
  '--warmups',
  '0',
  '--concurrency',
  '1',
  '--workers',
  '1',
];

describe('--only', () => {
  it('narrows the data, the API and the bench files to the named scenarios', () => {
    const s = settingsFromArgs('all', ['--only', 'directory,api-search']);
    expect(s.only).toEqual(['directory', 'api-search']);
    expect(s.formats).toEqual(['directory']);
    expect(s.api.enabled).toBe(true);
    expect(s.pipeline.enabled).toBe(false);
    expect(benchFilesFor('all', s)).toEqual(['bench/file-io.bench.ts', 'bench/api.bench.ts']);
  });

  it('keeps the pipeline source data for --only pipeline, but no file bench', () => {
    const s = settingsFromArgs('all', ['--only', 'pipeline']);
    expect(s.formats).toEqual(['directory']);
    expect(benchFilesFor('all', s)).toEqual(['bench/pipeline.bench.ts']);
  });

  it('refuses an unknown name or one the mode cannot run, listing the valid names', () => {
    expect(() => settingsFromArgs('all', ['--only', 'directory,bogus'])).toThrow(
      /^--only takes directory, .*api-search, pipeline, sequential, .*sharded; got 'bogus'$/,
    );
    expect(() => settingsFromArgs('file', ['--only', 'api-search'])).toThrow(UsageError);
  });

  it('exits 2 with one line for an unknown name', async () => {
    const r = await runCli(['file', '--only', 'nope']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--only takes directory, feature-collection, ndjson, catalog, parquet/);
  });
});

describe('STAC_BENCH_SETTINGS that cannot be used', () => {
  it('is one line and exit 2 from the CLI, before any benchmark', async () => {
    const r = await runCli(['file', ...small], { env: { STAC_BENCH_SETTINGS: '{"format":["ndjson"]}' } });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "benchmark-ingest file: STAC_BENCH_SETTINGS: unknown key 'format' (did you mean 'formats'?)",
    ]);
  });

  it('is one line and exit 2 from vitest bench run directly, not a stack trace', async () => {
    const { execFile } = await import('node:child_process');
    const vitest = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [vitest, 'bench', '--run', '--config', 'vitest.bench.config.ts'],
        { env: { ...process.env, STAC_BENCH_SETTINGS: '{"testSize":' }, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(r.code).toBe(2);
    // After vitest's own banner (benchmarking is experimental): the one line, and no stack trace.
    expect(lines(r.stderr).at(-1)).toMatch(/^STAC_BENCH_SETTINGS is not valid JSON \(/);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  }, 90_000);
});

describe('a bench run with --json, and one with --quiet', () => {
  let dir = '';
  let json = { code: -1, stdout: '', stderr: '' };
  let quiet = { code: -1, stdout: '', stderr: '' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-'));
    const args = ['file', ...small, '--only', 'ndjson,sequential'];
    json = await runCli([...args, '--json', '--output', join(dir, 'json.json')], {
      env: plainEnv(),
      timeoutMs: 180_000,
      replaceEnv: true,
    });
    quiet = await runCli([...args, '--quiet', '--output', join(dir, 'quiet.json')], {
      env: plainEnv(),
      timeoutMs: 180_000,
      replaceEnv: true,
    });
  }, 400_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--json prints the results file, and nothing else, on stdout', async () => {
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(await readFile(join(dir, 'json.json'), 'utf8')));
    expect(json.stderr).toContain('Findings:');
  });

  it('--only runs only the named scenario and strategy, with its floors', () => {
    const rows = (
      JSON.parse(json.stdout) as { results: { scenario: string; strategy: string; kind: string }[] }
    ).results;
    expect(new Set(rows.map((r) => r.scenario))).toEqual(new Set(['ndjson']));
    expect(new Set(rows.filter((r) => r.kind !== 'floor').map((r) => r.strategy))).toEqual(
      new Set(['sequential']),
    );
  });

  it("counts every bench from the first progress line, and shows vitest's tables without its BENCH Summary", () => {
    const rows = (JSON.parse(json.stdout) as { results: unknown[] }).results.length;
    const progress = lines(json.stderr).filter((l) => /^\[\d+\/\d+/.test(l));
    expect(progress).toHaveLength(rows);
    expect(progress.every((l) => l.startsWith('[') && l.includes(`/${rows}]`))).toBe(true);
    expect(json.stderr).toMatch(/\bhz\b/);
    expect(json.stderr).not.toContain('BENCH');
  });

  it('writes no colour codes when the output is not a terminal', () => {
    expect(`${json.stdout}${json.stderr}${quiet.stdout}${quiet.stderr}`).not.toContain('\x1b[');
  });

  it('--quiet prints the summary and findings only: no tables, no progress or setup lines', () => {
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toContain('Findings:');
    expect(quiet.stdout).not.toMatch(/\bhz\b/);
    expect(`${quiet.stdout}${quiet.stderr}`).not.toMatch(/^\[(\d+\/|setup\])/m);
  });
});

describe('noColourOffTerminal', () => {
  it('turns colour off for a pipe, leaves a terminal alone, and honours NO_COLOR and FORCE_COLOR', () => {
    const pipe = { write: () => true };
    const tty = { write: () => true, isTTY: true };
    const env: NodeJS.ProcessEnv = {};
    noColourOffTerminal(pipe, env);
    expect(env.NO_COLOR).toBe('1');
    const onTerminal: NodeJS.ProcessEnv = {};
    noColourOffTerminal(tty, onTerminal);
    expect(onTerminal).toEqual({});
    const forced: NodeJS.ProcessEnv = { FORCE_COLOR: '1' };
    noColourOffTerminal(pipe, forced);
    expect(forced).toEqual({ FORCE_COLOR: '1' });
  });
});
