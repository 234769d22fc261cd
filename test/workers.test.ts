import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { squareInWorker } from '../src/workers/probe.js';

const run = promisify(execFile);

describe('worker threads started by library code', () => {
  it('run TypeScript worker code under vitest run', async () => {
    expect(await squareInWorker(7)).toBe(49);
  });

  it('run TypeScript worker code in a process started through tsx, as the CLI is', async () => {
    const script =
      "import('./src/workers/probe.ts').then(async (m) => console.log(await m.squareInWorker(9)))";
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd() });
    expect(stdout.trim()).toBe('81');
  });
});
