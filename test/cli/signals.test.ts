import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, isRunning } from '../../src/cli/signals.js';
import { tempDir } from '../support/ingest-data.js';

const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Polls `check` every 50 ms until it answers true or `ms` passed; the last answer. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(50);
  return check();
}

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

// Child processes are found through /proc.
describe.skipIf(!existsSync('/proc/self/stat'))('a bench run interrupted by a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'sent %s to the CLI process alone, it stops the bench fork and the local STAC API process, and exits %i',
    async (signal, code) => {
      const args = ['api', '--test-size', '300', '--latency-ms', '50', '--samples', '5', '--warmups', '0'];
      args.push('--concurrency', '1', '--workers', '1', '--output', join(root, `${signal}.json`));
      // stdin a pipe, not a terminal, and CI set: as under a CI runner.
      const cli = spawn(process.execPath, [BIN, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, CI: 'true' },
      });
      let stderr = '';
      cli.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      cli.stdout.resume();
      const exited = once(cli, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const pid = cli.pid!;
      let before: { pid: number; cmd: string }[] = [];
      try {
        const children = () => descendants(pid).map((p) => ({ pid: p, cmd: commandLine(p) }));
        // Benches running: the first one has reported ([1/N] on stderr), the fork and the API are up.
        const ready = await waitFor(() => {
          const cmds = children().map((c) => c.cmd);
          return (
            /^\[1\/\d+/m.test(stderr) &&
            cmds.some((c) => c.includes('process-entry')) &&
            cmds.some((c) => c.includes('forks'))
          );
        }, 60_000);
        expect(ready, stderr).toBe(true);
        before = children();
        process.kill(pid, signal);
        const [exitCode] = await exited;
        expect(exitCode).toBe(code);
        const stillRunning = () => before.filter((c) => isRunning(c.pid));
        expect(await waitFor(() => stillRunning().length === 0, 5000), JSON.stringify(stillRunning())).toBe(
          true,
        );
        expect(stderr).toMatch(new RegExp(`interrupted by ${signal}; stopped \\d+ child process`));
      } finally {
        if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
        for (const c of [...before, ...descendants(pid).map((p) => ({ pid: p }))]) {
          if (isRunning(c.pid)) process.kill(c.pid, 'SIGKILL');
        }
      }
    },
  );
});
