/** `--export` on a real benchmark run, its argument errors, and `benchmark-ingest report`. */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { benchOutputs, checkExports, takeExports } from '../../src/cli/export-option.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { lines, runCli } from '../support/cli-helpers.js';
import { actionBenchmarkProblems, bmfProblems } from '../support/export-formats.js';
import { reportFixture } from '../support/report-fixture.js';

let dir = '';
const path = (...names: string[]) => join(dir, ...names);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--export on a benchmark run', () => {
  it('writes BMF and both github-action-benchmark files from the run, named by its keys', async () => {
    const out = path('run');
    const args = ['api', '--test-size', '100', '--latency-ms', '0', '--samples', '2', '--warmups', '0'];
    args.push('--concurrency', '1', '--workers', '1', '--output', join(out, 'api.json'));
    args.push('--export', `bmf=${join(out, 'exports', 'bmf.json')}`);
    args.push(`--export=github-action-benchmark=${join(out, 'gab.json')}`);
    args.push('--export', `github-action-benchmark-memory=${join(out, 'gab-memory.json')}`);
    const r = await runCli(args, { timeoutMs: 150_000 });
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'api.json'), 'utf8')) as ResultsFile;
    const keys = results.results.filter((x) => x.error === null).map((x) => x.key);
    expect(keys.length).toBeGreaterThan(0);

    const bmf = JSON.parse(await readFile(join(out, 'exports', 'bmf.json'), 'utf8'));
    expect(bmfProblems(bmf)).toEqual([]);
    expect(Object.keys(bmf)).toEqual(keys);
    for (const key of keys) {
      const row = results.results.find((x) => x.key === key)!;
      expect(bmf[key].latency.value).toBe(Math.round(row.duration_seconds! * 1e9));
      expect(bmf[key].latency.lower_value).toBe(Math.round(Math.min(...row.duration_samples!) * 1e9));
      expect(bmf[key].throughput.lower_value).toBeLessThanOrEqual(bmf[key].throughput.value);
    }
    const gab = JSON.parse(await readFile(join(out, 'gab.json'), 'utf8'));
    expect(actionBenchmarkProblems(gab)).toEqual([]);
    expect(gab.map((e: { name: string }) => e.name)).toEqual(keys);
    const memory = JSON.parse(await readFile(join(out, 'gab-memory.json'), 'utf8'));
    expect(actionBenchmarkProblems(memory)).toEqual([]);
    expect(memory.every((e: { unit: string }) => e.unit === 'MB')).toBe(true);
    expect(lines(r.stderr).filter((l) => l.includes('exported'))).toHaveLength(3);
    // Written into place by rename: no temporary sibling stays behind.
    expect((await readdir(out)).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 180_000);

  it('exits 2 with one line for an unknown export format, before any benchmark', async () => {
    const r = await runCli([
      'file',
      '--test-size',
      '10',
      '--output',
      path('never', 'f.json'),
      '--export',
      'foo=x',
    ]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      "benchmark-ingest file: --export takes FORMAT=PATH with FORMAT one of bmf, github-action-benchmark, github-action-benchmark-memory, got 'foo=x'",
    ]);
    await expect(stat(path('never'))).rejects.toThrow();
  });

  it('refuses an export over the results file before the run (exit 2), writing nothing', async () => {
    const output = path('refuse', 'r.json');
    const r = await runCli([
      'pipeline',
      '--test-size',
      '10',
      '--output',
      output,
      '--export',
      `bmf=${output}`,
    ]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `benchmark-ingest pipeline: --export ${output}: is a file this command reads or writes; choose another path`,
    ]);
    await expect(stat(path('refuse'))).rejects.toThrow('ENOENT');
  });
});

describe('takeExports and checkExports', () => {
  it('takes every --export out of the arguments and leaves the rest in order', () => {
    const { exports, rest } = takeExports([
      '--samples',
      '3',
      '--export',
      'bmf=a.json',
      '--export=github-action-benchmark-memory=b.json',
      '--quiet',
    ]);
    expect(exports).toEqual([
      { format: 'bmf', path: resolve('a.json') },
      { format: 'github-action-benchmark-memory', path: resolve('b.json') },
    ]);
    expect(rest).toEqual(['--samples', '3', '--quiet']);
  });

  it.each([
    ['an unknown format', ['--export', 'foo=x.json'], /FORMAT one of bmf, .*got 'foo=x.json'/],
    ['a format without a path', ['--export', 'bmf'], /--export bmf needs a file: bmf=PATH/],
    ['a format with an empty path', ['--export=bmf='], /--export bmf needs a file: bmf=PATH/],
    ['no value', ['--export'], /--export needs FORMAT=PATH/],
    ['an option for a value', ['--export', '--samples'], /--export needs FORMAT=PATH/],
    [
      'one path twice',
      ['--export', 'bmf=a.json', '--export', 'github-action-benchmark=a.json'],
      /given twice/,
    ],
  ])('refuses %s with a usage error', (_, args, message) => {
    expect(() => takeExports(args)).toThrow(UsageError);
    expect(() => takeExports(args)).toThrow(message);
  });

  it('refuses an export over a file the command writes, or a folder, and makes a missing folder', async () => {
    await mkdir(path('check', 'folder'), { recursive: true });
    const output = path('check', 'r.json');
    const reserved = benchOutputs(output);
    const at = (p: string) => [{ format: 'bmf' as const, path: p }];
    for (const p of [output, path('check', 'r_report.md'), path('check', 'r.rejected.json')]) {
      await expect(checkExports(at(p), reserved)).rejects.toThrow('is a file this command reads or writes');
    }
    await expect(checkExports(at(path('check', 'folder')), reserved)).rejects.toThrow('is a directory');
    await checkExports(at(path('check', 'new', 'bmf.json')), reserved);
    expect(await readdir(path('check', 'new'))).toEqual([]);
  });
});

describe('benchmark-ingest report', () => {
  const fixture = reportFixture();
  const text = `${JSON.stringify(fixture, null, 2)}\n`;

  beforeAll(async () => {
    await mkdir(path('rep'), { recursive: true });
    await writeFile(path('rep', 'old.json'), text);
    await writeFile(path('rep', 'other.json'), JSON.stringify({ hello: 'world' }));
  });

  it('renders the report and charts beside the results file without writing the results file', async () => {
    const before = await stat(path('rep', 'old.json'));
    const r = await runCli(['report', path('rep', 'old.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const names = await readdir(path('rep'));
    expect(names).toContain('old_report.md');
    const charts = names.filter((n) => n.startsWith('old_') && n.endsWith('.svg'));
    expect(charts.length).toBeGreaterThan(0);
    const md = await readFile(path('rep', 'old_report.md'), 'utf8');
    for (const c of charts) expect(md).toContain(`(${c})`);
    expect(await readFile(path('rep', 'old.json'), 'utf8')).toBe(text);
    expect((await stat(path('rep', 'old.json'))).mtimeMs).toBe(before.mtimeMs);
    expect(lines(r.stdout)[0]).toBe(
      `wrote ${path('rep', 'old_report.md')} and ${charts.length} charts from old.json`,
    );
  });

  it('renders into --output DIR (made when missing) and exports from the file, without running anything', async () => {
    const out = path('rep', 'ci', 'summary');
    const r = await runCli([
      'report',
      path('rep', 'old.json'),
      '--output',
      out,
      '--export',
      `bmf=${join(out, 'bmf.json')}`,
      '--export',
      `github-action-benchmark=${join(out, 'gab.json')}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(out, 'old_report.md'), 'utf8')).toBe(
      await readFile(path('rep', 'old_report.md'), 'utf8'),
    );
    const bmf = JSON.parse(await readFile(join(out, 'bmf.json'), 'utf8'));
    expect(bmfProblems(bmf)).toEqual([]);
    // The fixture's errored row has no figures: it is the one key left out.
    const errored = fixture.results.filter((x) => x.error !== null).map((x) => x.key);
    expect(errored).toHaveLength(1);
    expect(Object.keys(bmf)).toEqual(fixture.results.map((x) => x.key).filter((k) => !errored.includes(k)));
    expect(actionBenchmarkProblems(JSON.parse(await readFile(join(out, 'gab.json'), 'utf8')))).toEqual([]);
  });

  it.each([
    ['no file', [], 'expected one results file, got 0 (see --help)'],
    ['an unknown option', ['old.json', '--charts'], 'unknown option --charts'],
  ])('exits 2 with one line for %s', async (_, args, message) => {
    const r = await runCli(['report', ...args], { cwd: path('rep') });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`benchmark-ingest report: ${message}`]);
  });

  it.each([
    ['missing', 'nope.json', 'no such file'],
    ['not a results file', 'other.json', 'not a results file: /: must have required property'],
  ])('exits 2 with one line naming a results file that is %s, as compare does', async (_, name, problem) => {
    const r = await runCli(['report', path('rep', name)]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`benchmark-ingest report: ${path('rep', name)}: ${problem}`);
    expect(await readdir(path('rep'))).not.toContain(`${name.replace('.json', '')}_report.md`);
  });

  it('refuses an --output that is a file and an export over the results file (exit 2), leaving both', async () => {
    const asFile = await runCli(['report', path('rep', 'old.json'), '--output', path('rep', 'other.json')]);
    expect(asFile.code).toBe(2);
    expect(lines(asFile.stderr)).toEqual([
      `benchmark-ingest report: --output ${path('rep', 'other.json')}: not a directory`,
    ]);
    const over = await runCli([
      'report',
      path('rep', 'old.json'),
      '--export',
      `bmf=${path('rep', 'old.json')}`,
    ]);
    expect(over.code).toBe(2);
    expect(lines(over.stderr)).toHaveLength(1);
    expect(await readFile(path('rep', 'old.json'), 'utf8')).toBe(text);
  });
});
