import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseIngestArgs, run } from '../../src/cli/commands/ingest.js';
import { ids, makeItems, tempDir, writeHostileFiles, writeItemsDir } from '../support/ingest-data.js';

const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');

let root: string;
let remove: () => Promise<void>;
let dir: string;
let big: string;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  dir = join(root, 'dir');
  await writeItemsDir(dir, makeItems(50));
  await writeHostileFiles(dir);
  big = join(root, 'big.ndjson');
  await writeFile(
    big,
    `${makeItems(3000)
      .map((i) => JSON.stringify(i))
      .join('\n')}\n`,
  );
});
afterAll(() => remove());

/** Runs the real command line; resolves with exit code, stdout and stderr. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('benchmark-ingest ingest', () => {
  it('writes one JSON item per line to --output and a summary with the failure count on stderr', async () => {
    const output = join(root, 'out.ndjson');
    const err = capture();
    const code = await run([dir, '--strategy', 'concurrent', '--concurrency', '4', '--output', output], {
      stdout: capture().stream,
      stderr: err.stream,
    });
    expect(code).toBe(0);
    const lines = (await readFile(output, 'utf8')).trimEnd().split('\n');
    expect(ids(lines.map((l) => JSON.parse(l)))).toEqual(ids(makeItems(50)));
    expect(err.text()).toMatch(
      /^ingested 50 items from .* \(concurrent x4\) in [\d.]+ s, \d+ items\/s, 9 failures\n/,
    );
    expect(err.text()).toContain(`${join(dir, 'binary.json')}: binary content, not JSON`);
    expect(err.text()).toMatch(/\.\.\. and 4 more\n$/);
  });

  it('writes progress lines to stderr while it runs with --progress, then the summary', async () => {
    const err = capture();
    const code = await run([dir, '--progress'], { stdout: capture().stream, stderr: err.stream }, 1);
    expect(code).toBe(0);
    const lines = err.text().trimEnd().split('\n');
    // The directory's listing gives the total: its Item files and the hostile ones alike.
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).length;
    const total = new RegExp(`^\\d+ of ${files} items \\(\\d+%\\), \\d+ failures, \\d+ items/s, ETA \\S+$`);
    const progress = lines.filter((l) => total.test(l));
    expect(progress.length).toBeGreaterThan(0);
    expect(lines.indexOf(progress.at(-1)!)).toBeLessThan(
      lines.findIndex((l) => l.startsWith('ingested 50 items')),
    );
  });

  it('writes no progress lines when stderr is not a terminal and --progress is not given', async () => {
    const err = capture();
    await run([dir], { stdout: capture().stream, stderr: err.stream }, 1);
    expect(err.text()).toMatch(/^ingested 50 items/);
  });

  it('writes to stdout by default and honours --max-items', async () => {
    const out = capture();
    const code = await run([dir, '--max-items', '7', '--strategy', 'worker-threads'], {
      stdout: out.stream,
      stderr: capture().stream,
    });
    expect(code).toBe(0);
    expect(out.text().trimEnd().split('\n')).toHaveLength(7);
  });

  it('reads the options into ingest options, and rejects mistakes as usage errors', () => {
    expect(
      parseIngestArgs(['s', '--strategy', 'worker-threads', '--concurrency', '2', '--format', 'ndjson']),
    ).toEqual({
      source: 's',
      options: { strategy: 'worker-threads', concurrency: 2, format: 'ndjson' },
    });
    expect(() => parseIngestArgs([])).toThrow(UsageError);
    expect(() => parseIngestArgs(['a', 'b'])).toThrow(/one SOURCE expected/);
    expect(() => parseIngestArgs(['a', '--strategy', 'fast'])).toThrow(/--strategy must be one of/);
    expect(() => parseIngestArgs(['a', '--concurrency', '0'])).toThrow(/--concurrency must be >= 1/);
    expect(() => parseIngestArgs(['a', '--max-items', 'x'])).toThrow(/--max-items must be a whole number/);
    expect(() => parseIngestArgs(['a', '--speed', '3'])).toThrow(/unknown option --speed/);
    expect(() => parseIngestArgs(['a', '--variant', 'fast'])).toThrow(/--variant: 'fast' is unknown/);
    expect(parseIngestArgs(['a', '--variant', 'parse-in-worker']).options.variant).toBe('parse-in-worker');
  });

  it('exits 0 on the real command line, items on stdout, summary on stderr', async () => {
    const r = await cli(['ingest', dir, '--strategy', 'sequential']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(50);
    expect(r.stderr).toMatch(/^ingested 50 items .* 9 failures/);
  });

  it('exits 1 with one line naming the path when the source cannot be read', async () => {
    const missing = join(root, 'missing-dir');
    const r = await cli(['ingest', missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`benchmark-ingest ingest: error: ${missing}: no such file or directory\n`);
  });

  it('exits 1 with the summary when every input failed and nothing was ingested', async () => {
    const broken = join(root, 'only-broken');
    await mkdir(broken);
    await writeHostileFiles(broken);
    const err = capture();
    const code = await run([broken], { stdout: capture().stream, stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/^ingested 0 items from .* 9 failures\n/);
  });

  it('exits 2 with one line for a usage error', async () => {
    const r = await cli(['ingest', dir, '--concurrency', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--concurrency must be a whole number/);
  });

  it('treats a reader that closes the pipe early (| head) as normal: exit 0, no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'ingest', big, '--strategy', 'concurrent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.split('\n').length > 3) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/Error|at /);
    expect(stderr).toMatch(/output closed early|ingested/);
  });
});
