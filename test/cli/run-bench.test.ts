import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeSettings } from '../../src/bench/settings.js';
import { formatElapsed, runBench, samplesWarning } from '../../src/cli/run-bench.js';
import { validateResults } from '../../src/profiling/schema.js';

// The real wiring of a benchmark command (preflight -> vitest bench from code -> the project's
// reporter -> summary and exit code) on the plumbing self-test bench, with one bench that fails.
let dir = '';
let code = -1;
let out = '';
let err = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-bench-'));
  const settings = mergeSettings({ formats: [], samples: 2, warmups: 1, output: join(dir, 'run.json') });
  settings.api.enabled = false;
  const savedEnv = process.env.STAC_BENCH_SELF_TEST;
  process.env.STAC_BENCH_SELF_TEST = 'fail';
  try {
    code = await runBench('file', settings, {
      files: ['bench/trivial.bench.ts'],
      out: {
        write: (s: string) => {
          out += s;
          return true;
        },
      },
      err: {
        write: (s: string) => {
          err += s;
          return true;
        },
      },
    });
  } finally {
    if (savedEnv === undefined) delete process.env.STAC_BENCH_SELF_TEST;
    else process.env.STAC_BENCH_SELF_TEST = savedEnv;
  }
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runBench', () => {
  it('exits 1 with one line naming the errored benches when a bench fails', () => {
    expect(code).toBe(1);
    const own = err.split('\n').filter((l) => l.startsWith('benchmark-ingest'));
    expect(own).toHaveLength(2);
    expect(own[0]).toMatch(/^benchmark-ingest file: warning: --samples 2: below 3 samples per bench/);
    expect(own[1]).toBe('benchmark-ingest file: 2 bench(es) errored');
  });

  it("captures vitest's output and the progress lines: the failures on purpose print no unhandled rejection or failed suite", () => {
    expect(err).toMatch(/^\[\d+\/\d+\] .*FAILED: Error: measured run failed on purpose/m);
    expect(`${out}${err}`).not.toMatch(/Unhandled|PromiseRejectionHandled|\bFAIL\b/);
  });

  it('leaves a valid results file with the settings of the run, and a report beside it', async () => {
    const json = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(validateResults(json).errors).toEqual([]);
    expect(json.config).toMatchObject({ samples: 2, warmups: 1 });
    expect(json.results.filter((r: { error: string | null }) => r.error !== null)).toHaveLength(2);
    expect(await readFile(join(dir, 'run_report.md'), 'utf8')).toContain('| Strategy | Concurrency |');
  });

  it('prints the summary table with the failed rows and where the files are', () => {
    expect(out).toMatch(/Scenario\s+Items\s+Strategy/);
    expect(out).toMatch(/error: .*failed on purpose/);
    expect(out).toContain(`Results: ${join(dir, 'run.json')}`);
    expect(out).toContain(`Report:  ${join(dir, 'run_report.md')}`);
    expect(out).toMatch(/Finished in (\d+m)?\d+s\.\n$/);
  });
});

describe('formatElapsed', () => {
  it('warns about fewer than 3 samples, and only then', () => {
    expect(samplesWarning(1)).toMatch(/cannot judge noise/);
    expect(samplesWarning(2)).toMatch(/advice is weaker/);
    expect(samplesWarning(3)).toBeNull();
  });

  it('prints seconds, and minutes with two-digit seconds', () => {
    expect(formatElapsed(4_400)).toBe('4s');
    expect(formatElapsed(83_000)).toBe('1m23s');
    expect(formatElapsed(360_000)).toBe('6m00s');
  });
});
