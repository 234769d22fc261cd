import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseGenerateArgs, progressReporter } from '../../src/cli/commands/generate.js';
import { MARKER } from '../../src/cli/generate-output.js';
import { generateItems } from '../../src/fixtures/profiles.js';

const exec = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');

/** Runs the real CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'generate-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('benchmark-ingest generate', () => {
  it('writes the requested dataset and prints a one-line summary', async () => {
    const out = join(root, 'items.ndjson');
    const r = await cli([
      'generate',
      '--output',
      out,
      '--count',
      '25',
      '--format',
      'ndjson',
      '--profile',
      'sentinel-2',
      '--seed',
      '3',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(
      /^generated 25 sentinel-2 items as ndjson \(seed 3\) at .*items\.ndjson: [\d.]+ MB in/,
    );
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    const expected = [...generateItems({ profile: 'sentinel-2', count: 25, seed: 3 })].map((i) =>
      JSON.stringify(i),
    );
    expect(lines).toEqual(expected);
  });

  it('exits 2 with one line on stderr for a bad --count', async () => {
    const r = await cli(['generate', '--output', join(root, 'x'), '--count', 'ten', '--format', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "benchmark-ingest generate: --count must be a whole number, got 'ten'",
    ]);
  });

  it('exits 2 with one line on stderr for an unknown --format', async () => {
    const r = await cli(['generate', '--output', join(root, 'x'), '--count', '5', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /--format must be one of directory, feature-collection, ndjson, catalog, parquet, got 'csv'/,
    );
  });
});

/** Every file under `dir` with its content, to show that nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

let n = 0;
/** A new folder under the test root. */
async function fresh(): Promise<string> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir);
  return dir;
}

describe('benchmark-ingest generate never destroys data', () => {
  it('refuses a folder holding a collection.json and other files (catalog format): exit 2, every file kept', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'collection.json'), '{"mine":true}');
    await writeFile(join(dir, 'notes.txt'), 'my notes');
    const before = await snapshot(dir);
    const r = await cli(['generate', '--output', dir, '--count', '3', '--format', 'catalog']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `benchmark-ingest generate: --output ${dir}: is a folder generate did not make and not empty; add --force to replace it`,
    ]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a folder of unrelated *.json files (directory format): exit 2, every file kept', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'package.json'), '{}');
    await writeFile(join(dir, 'tsconfig.json'), '{}');
    const before = await snapshot(dir);
    const r = await cli(['generate', '--output', dir, '--count', '3', '--format', 'directory']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses an existing file for a single-file format: exit 2, the file kept', async () => {
    const path = join(await fresh(), 'items.ndjson');
    await writeFile(path, 'my data\n');
    const r = await cli(['generate', '--output', path, '--count', '3', '--format', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `benchmark-ingest generate: --output ${path}: exists; add --force to replace it`,
    ]);
    expect(await readFile(path, 'utf8')).toBe('my data\n');
  });

  it('refuses a folder where the format writes a file, even with --force', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'keep.txt'), 'x');
    const r = await cli(['generate', '--output', dir, '--count', '3', '--format', 'parquet', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a folder; the parquet format writes a file/);
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });

  it('replaces a folder or a file of other data with --force', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'old.json'), '{}');
    const folder = await cli([
      'generate',
      '--output',
      dir,
      '--count',
      '3',
      '--format',
      'directory',
      '--force',
    ]);
    expect(folder.code).toBe(0);
    const names = await readdir(dir);
    expect(names).not.toContain('old.json');
    expect(names.filter((name) => name.endsWith('.json'))).toHaveLength(3);
    const file = join(await fresh(), 'items.ndjson');
    await writeFile(file, 'my data\n');
    const r = await cli(['generate', '--output', file, '--count', '2', '--format', 'ndjson', '--force']);
    expect(r.code).toBe(0);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('marks the folders it makes and replaces such a folder without --force, leaving no temporary folder', async () => {
    const parent = await fresh();
    const dir = join(parent, 'cat');
    const first = await cli(['generate', '--output', dir, '--count', '3', '--format', 'catalog']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`at ${join(dir, 'collection.json')}:`);
    expect(await readdir(dir)).toContain(MARKER);
    const again = await cli([
      'generate',
      '--output',
      dir,
      '--count',
      '5',
      '--format',
      'catalog',
      '--seed',
      '7',
    ]);
    expect(again.code).toBe(0);
    expect(await readdir(dir)).toHaveLength(5 + 2);
    expect(await readdir(parent)).toEqual(['cat']);
  });

  it('writes into an empty folder', async () => {
    const dir = await fresh();
    const r = await cli(['generate', '--output', dir, '--count', '2', '--format', 'directory']);
    expect(r.code).toBe(0);
    expect(await readdir(dir)).toHaveLength(3);
  });

  it('leaves no partial data set at the output path when interrupted, and the previous one whole', async () => {
    const parent = await fresh();
    const dir = join(parent, 'items');
    expect((await cli(['generate', '--output', dir, '--count', '2', '--format', 'directory'])).code).toBe(0);
    const before = await snapshot(dir);
    const child = spawn(
      process.execPath,
      [BIN, 'generate', '--output', dir, '--count', '1000000', '--format', 'directory', '--force'],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Interrupted once it is writing Items into its temporary folder.
    const giveUp = Date.now() + 20_000;
    for (let seen = 0; seen < 50 && Date.now() < giveUp; ) {
      await new Promise((r) => setTimeout(r, 20));
      const temp = (await readdir(parent)).find((name) => name.startsWith('.items.tmp-'));
      seen = temp ? (await readdir(join(parent, temp))).length : 0;
    }
    child.kill('SIGKILL');
    await exited;
    expect(await snapshot(dir)).toEqual(before);
  });

  it('removes its temporary folder when stopped with SIGINT', async () => {
    const parent = await fresh();
    const child = spawn(
      process.execPath,
      [BIN, 'generate', '--output', join(parent, 'items'), '--count', '1000000', '--format', 'directory'],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const giveUp = Date.now() + 20_000;
    while ((await readdir(parent)).length === 0 && Date.now() < giveUp) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(await readdir(parent)).toEqual([]);
  });

  it('exits 2 for --count 0 and writes nothing', async () => {
    const dir = await fresh();
    const r = await cli(['generate', '--output', join(dir, 'x'), '--count', '0', '--format', 'directory']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['benchmark-ingest generate: --count must be >= 1, got 0']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('lists --force in its usage', async () => {
    const r = await cli(['generate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[--force]');
  });
});

describe('parseGenerateArgs', () => {
  it('fills in the small profile and the default seed', () => {
    const a = parseGenerateArgs(['--output', 'd', '--count', '1', '--format', 'catalog']);
    expect(a).toMatchObject({ count: 1, format: 'catalog', profile: 'small', seed: 42, force: false });
  });

  it.each([
    [['--count', '5', '--format', 'ndjson'], /--output is required/],
    [['--output', 'o', '--format', 'ndjson'], /--count is required/],
    [['--output', 'o', '--count', '5'], /--format is required/],
    [['--output', 'o', '--count', '0', '--format', 'ndjson'], /--count must be >= 1, got 0/],
    [['--output', 'o', '--count', '5', '--format', 'ndjson', '--profile', 'big'], /--profile must be one of/],
    [
      ['--output', 'o', '--count', '5', '--format', 'ndjson', '--seed', '1.5'],
      /--seed must be a whole number/,
    ],
    [['--output', 'o', '--count', '5', '--format', 'ndjson', 'extra'], /unexpected argument 'extra'/],
    [['--output', 'o', '--count', '5', '--format', 'ndjson', '--limit', '3'], /unknown option --limit/],
  ])('raises a UsageError for %j', (argv, message) => {
    expect(() => parseGenerateArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseGenerateArgs(argv as string[])).toThrow(message);
  });
});

describe('progress on stderr', () => {
  it('redraws one line with \\r on a terminal and clears it at the end', () => {
    let t = 0;
    const out: string[] = [];
    const p = progressReporter(100, { isTTY: true, write: (s) => out.push(s) }, () => t);
    t = 500;
    p.update(50);
    t = 550;
    p.update(60); // too soon: skipped
    p.end();
    expect(out).toEqual(['\rgenerate: 50/100 items (50%) 0.5 s', '\r\x1b[K']);
  });

  it('writes a whole line every few seconds when not on a terminal', () => {
    let t = 0;
    const out: string[] = [];
    const p = progressReporter(10, { isTTY: false, write: (s) => out.push(s) }, () => t);
    t = 1000;
    p.update(1);
    t = 3500;
    p.update(5);
    p.end();
    expect(out).toEqual(['generate: 5/10 items (50%) 3.5 s\n']);
  });
});
