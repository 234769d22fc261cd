import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsFile, row } from '../support/analysis-fixtures.js';
import { lines, runCli } from '../support/cli-helpers.js';

let dir = '';
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-compare-'));
  const make = (tp: number) =>
    resultsFile([
      row({ strategy: 'sequential', tp: 2500, rme: 5 }),
      row({ strategy: 'concurrent', concurrency: 5, tp, rme: 5 }),
    ]);
  await writeFile(path('base.json'), JSON.stringify(make(6000)));
  await writeFile(path('same.json'), JSON.stringify(make(6000)));
  await writeFile(path('slow.json'), JSON.stringify(make(3600)));
  await writeFile(path('broken.json'), '{"schema_version": 1,');
  await writeFile(path('other.json'), JSON.stringify({ hello: 'world' }));
  await writeFile(path('text.json'), 'secret words, not JSON');
  await writeFile(path('empty.json'), '');
  await writeFile(path('v9.json'), JSON.stringify({ ...make(6000), schema_version: 9 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('benchmark-ingest compare', () => {
  it('exits 0 for two runs without a regression and prints the table', async () => {
    const r = await runCli(['compare', path('base.json'), path('same.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('directory/10000/concurrent/5');
    expect(r.stdout).toContain('no regression beyond noise (2 rows compared)');
    expect(r.stderr).toBe('');
  });

  it('exits 3 naming the row whose throughput dropped 40%', async () => {
    const r = await runCli(['compare', path('base.json'), path('slow.json')]);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([
      'benchmark-ingest compare: regressed beyond noise: directory/10000/concurrent/5 (throughput -40.0% (beyond noise))',
    ]);
  });

  it('prints Markdown for a job summary that states the verdict first, with the same exit codes', async () => {
    const same = await runCli(['compare', path('base.json'), path('same.json'), '--format', 'markdown']);
    expect(same.code).toBe(0);
    expect(lines(same.stdout)[0]).toBe('**No regression** beyond noise (2 rows compared)');
    expect(same.stdout).toContain('| directory/10000/concurrent/5 | 6,000 | 6,000 |');
    expect(same.stdout).not.toContain('no regression beyond noise (2 rows compared)\n');
    const slow = await runCli(['compare', path('base.json'), path('slow.json'), '--format', 'markdown']);
    expect(slow.code).toBe(3);
    expect(lines(slow.stdout)[0]).toBe(
      '**Regression** beyond noise in 1 row(s): `directory/10000/concurrent/5`',
    );
    expect(slow.stdout).toMatch(
      /\| directory\/10000\/concurrent\/5 \| 6,000 \| 3,600 \| -40\.0% .*\| regressed: /,
    );
  });

  it('prints JSON with a verdict per key and overall, with the same exit codes', async () => {
    const same = await runCli(['compare', path('base.json'), path('same.json'), '--format', 'json']);
    expect(same.code).toBe(0);
    const ok = JSON.parse(same.stdout);
    expect(ok.verdict).toBe('no regression');
    expect(ok.rows.map((r: { key: string; verdict: string }) => [r.key, r.verdict])).toEqual([
      ['directory/10000/sequential/1', 'unchanged'],
      ['directory/10000/concurrent/5', 'unchanged'],
    ]);
    const slow = await runCli(['compare', path('base.json'), path('slow.json'), '--format', 'json']);
    expect(slow.code).toBe(3);
    const bad = JSON.parse(slow.stdout);
    expect(bad.verdict).toBe('regression');
    expect(bad.rows.find((r: { key: string }) => r.key === 'directory/10000/concurrent/5').verdict).toBe(
      'regressed',
    );
  });

  it('passes the same drop when --threshold is above it', async () => {
    const r = await runCli(['compare', path('base.json'), path('slow.json'), '--threshold', '50']);
    expect(r.code).toBe(0);
  });

  it('exits 2 with one line for a missing file, a wrong argument count or a bad threshold', async () => {
    for (const args of [
      ['compare', path('base.json'), path('nope.json')],
      ['compare', path('base.json')],
      ['compare', path('base.json'), path('same.json'), '--threshold', 'abc'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
    }
    const missing = await runCli(['compare', path('base.json'), path('nope.json')]);
    expect(missing.stderr).toContain('nope.json: no such file');
  });

  it.each([
    ['cut short', 'broken.json', 'not valid JSON: it ends early (truncated?)'],
    ['not JSON', 'text.json', 'not valid JSON'],
    ['empty', 'empty.json', 'empty file, expected results JSON'],
    [
      'of an unknown schema_version',
      'v9.json',
      'schema_version 9 is not supported (this version reads 1, 2)',
    ],
  ])(
    'exits 2 with one line naming a file that is %s, never quoting its content',
    async (_, name, problem) => {
      const r = await runCli(['compare', path('base.json'), path(name)]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([`benchmark-ingest compare: ${path(name)}: ${problem}`]);
      expect(r.stderr).not.toMatch(/secret|schema_version":/);
    },
  );

  it('exits 2 with one line naming a JSON file that is not a results file', async () => {
    const other = await runCli(['compare', path('base.json'), path('other.json')]);
    expect(other.code).toBe(2);
    expect(lines(other.stderr)).toHaveLength(1);
    expect(other.stderr).toMatch(/other\.json: not a results file: /);
  });
});
