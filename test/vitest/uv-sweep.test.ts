import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeSettings } from '../../src/bench/settings.js';
import { runBench } from '../../src/cli/run-bench.js';
import { uvThreadpoolSize } from '../../src/profiling/environment.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';

// A real `file --uv-threadpool N` run on a tiny directory: the main run, then one more vitest run
// whose processes have a libuv pool of N threads (the bench file checks it and fails otherwise).
// A size other than this process's own (the sweep skips that one).
const own = uvThreadpoolSize(process.env);
const other = own === 1 ? 2 : 1;
let dir = '';
let code = -1;
let json: ResultsFile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uv-sweep-'));
  const settings = mergeSettings({
    testSize: 40,
    formats: ['directory'],
    concurrency: [2],
    workers: [1],
    samples: 1,
    warmups: 0,
    uvThreadpool: [other],
    output: join(dir, 'run.json'),
  });
  settings.api.enabled = false;
  const quiet = { write: () => true };
  code = await runBench('file', settings, { files: ['bench/file-io.bench.ts'], out: quiet, err: quiet });
  json = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as ResultsFile;
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--uv-threadpool', () => {
  it('adds the directory concurrent rows measured with each other pool size, as variant uv-threadpool-N', () => {
    expect(code).toBe(0);
    expect(validateResults(json).errors).toEqual([]);
    const swept = json.results.filter((r) => r.variant === `uv-threadpool-${other}`);
    expect(swept.map((r) => [r.scenario, r.strategy, r.concurrency, r.error])).toEqual([
      ['directory', 'concurrent', 2, null],
    ]);
    expect(swept[0]!.items_processed).toBe(40);
    // The main run's rows are all still there, measured with the process's own pool size.
    expect(json.results.some((r) => r.strategy === 'concurrent' && r.variant === null)).toBe(true);
    expect(json.environment.uv_threadpool_size).toBe(own);
  });

  it('shows the swept rows in the report', async () => {
    expect(await readFile(join(dir, 'run_report.md'), 'utf8')).toContain(
      `concurrent (uv-threadpool-${other})`,
    );
  });
});
