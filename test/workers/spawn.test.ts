import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { squareInWorker } from '../support/probe.js';

const run = promisify(execFile);

describe('worker threads started by library code', () => {
  it('run TypeScript worker code under vitest run', async () => {
    expect(await squareInWorker(7)).toBe(49);
  });

  it('run TypeScript worker code in a process started through tsx, as the CLI is', async () => {
    const script =
      "import('./test/support/probe.ts').then(async (m) => console.log(await m.squareInWorker(9)))";
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd() });
    expect(stdout.trim()).toBe('81');
  });
});

describe('worker threads started by library code under vitest bench', () => {
  it('run TypeScript worker code in a bench process (the trivial self-test bench)', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'workers-bench-')), 'workers.json');
    const settings = { formats: [], samples: 1, warmups: 0, output, api: { enabled: false } };
    await run(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'bench',
        '--run',
        '--config',
        'vitest.bench.config.ts',
        'bench/trivial.bench.ts',
      ],
      {
        cwd: process.cwd(),
        timeout: 120_000,
        env: { ...process.env, STAC_BENCH_SELF_TEST: '1', STAC_BENCH_SETTINGS: JSON.stringify(settings) },
      },
    );
    const results = JSON.parse(readFileSync(output, 'utf8')).results as Array<Record<string, unknown>>;
    const worker = results.find((r) => r.strategy === 'worker-threads');
    expect(worker).toMatchObject({ error: null, items_processed: 300, samples: 1 });
  }, 150_000);
});
