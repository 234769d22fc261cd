import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerateArgs, progressReporter } from '../src/cli/commands/generate.js';
import { UsageError } from '../src/cli/args.js';
import { generateItems } from '../src/fixtures/profiles.js';

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

describe('parseGenerateArgs', () => {
  it('fills in the small profile and the default seed', () => {
    const a = parseGenerateArgs(['--output', 'd', '--count', '0', '--format', 'catalog']);
    expect(a).toMatchObject({ count: 0, format: 'catalog', profile: 'small', seed: 42 });
  });

  it.each([
    [['--count', '5', '--format', 'ndjson'], /--output is required/],
    [['--output', 'o', '--format', 'ndjson'], /--count is required/],
    [['--output', 'o', '--count', '5'], /--format is required/],
    [['--output', 'o', '--count', '-1', '--format', 'ndjson'], /--count must be >= 0/],
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
