import { link, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateResults } from '../../src/profiling/schema.js';
import { renderMarkdown, TABLE_HEADER } from '../../src/report/markdown.js';
import { writeReport } from '../../src/report/write.js';
import { resultsFile, row } from '../support/analysis-fixtures.js';
import { reportFixture } from '../support/report-fixture.js';

describe('renderMarkdown', () => {
  it('renders a fixed results file to the same Markdown every time', async () => {
    await expect(renderMarkdown(reportFixture(), { baseName: 'fixture' })).toMatchFileSnapshot(
      './__snapshots__/report.fixture.md.snap',
    );
  });

  it('opens with the conditions: machine, runtime, samples and warm-ups', () => {
    const md = renderMarkdown(reportFixture());
    const conditions = md.indexOf('## Conditions');
    expect(conditions).toBeGreaterThan(0);
    expect(conditions).toBeLessThan(md.indexOf('## Results'));
    expect(md).toContain('| Machine | 2 × Test CPU @ 2.0GHz, 4,096 MB RAM |');
    expect(md).toContain('| Samples | 5 measured run(s) per bench after 1 warm-up(s) |');
  });

  it('has one table per scenario and dataset with the contract columns, then findings, then charts', () => {
    const md = renderMarkdown(reportFixture(), { baseName: 'run' });
    expect(md.split(TABLE_HEADER).length - 1).toBe(3);
    const order = ['## Results', '## Findings', '## Charts'].map((h) => md.indexOf(h));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(md).toContain('![directory: throughput (10,000 small items)](run_directory-10000_throughput.svg)');
  });

  it('shows a failed row as `error: msg` with its pipes escaped, and no figures', () => {
    const md = renderMarkdown(reportFixture());
    expect(md).toContain(
      '| concurrent | 10 | error: EMFILE: too many open files \\| 3 times | — | — | — | — | — |',
    );
  });

  it('shows the spread, the speedup over sequential, the workers ELU, floors, failures and HTTP figures', () => {
    const md = renderMarkdown(reportFixture());
    expect(md).toContain(
      '| worker-threads | 2 | 2.13 ± 5.0% | 4,700 | 95.0 | 4.04 | 0.45 (workers 0.95) | 1.88× | 0 |',
    );
    expect(md).toContain('| *floor: read-only* | 1 | 0.250 ± 5.0% | 40,000 |');
    expect(md).toContain('| concurrent | 5 | 1.43 ± 5.0% | 7,000 | 40.0 | 0.71 | 0.40 | 4.38× | 100 (5) |');
    expect(md).toContain('| concurrent | 5 | 3.85 ± 5.0% | 2,600 | 48.0 | 4.23 | 0.97 | 1.04× | 2 |');
  });

  it('heads a real API table with the page size and the median round trip its probe measured', () => {
    const real = { scenario: 'api-search' as const, items: 500 };
    const measured = row({
      ...real,
      strategy: 'sequential',
      dataset: { profile: 'real', page_size: 10, latency_ms: 84.5, item_bytes_avg: null },
    });
    expect(renderMarkdown(resultsFile([measured]))).toContain(
      '### STAC API search: 500 real items, 10 per page, 84.5 ms median round trip',
    );
    const unprobed = row({
      ...real,
      strategy: 'sequential',
      dataset: { profile: 'real', page_size: null, latency_ms: null, item_bytes_avg: null },
    });
    expect(renderMarkdown(resultsFile([unprobed]))).toContain(
      '### STAC API search: 500 real items, page size and latency not measured',
    );
  });

  it('heads a local API table with its page size and added latency', () => {
    const local = row({
      scenario: 'api-search',
      items: 500,
      strategy: 'sequential',
      dataset: { page_size: 100, latency_ms: 50, item_bytes_avg: null },
    });
    expect(renderMarkdown(resultsFile([local]))).toContain(
      '### STAC API search: 500 small items, 100 per page, 50 ms latency',
    );
  });

  it('names a variant beside its strategy', () => {
    expect(renderMarkdown(reportFixture())).toContain('| sequential (arrow) | 1 |');
  });

  it('renders a file with no rows without throwing', () => {
    const md = renderMarkdown(resultsFile([]));
    expect(md).toContain('No benchmark rows were recorded.');
    expect(md).not.toContain('## Charts');
  });
});

describe('writeReport', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the validated JSON, the Markdown report and the charts beside each other', async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    const jsonPath = join(dir, 'nested', 'bench.json');
    const written = await writeReport(reportFixture(), jsonPath);
    expect(written.json).toBe(jsonPath);
    expect(written.markdown).toBe(join(dir, 'nested', 'bench_report.md'));
    expect(written.charts).toHaveLength(6);
    const files = (await readdir(join(dir, 'nested'))).sort();
    expect(files).toEqual(
      [
        'bench.json',
        'bench_report.md',
        'bench_directory-10000_memory.svg',
        'bench_directory-10000_throughput.svg',
        'bench_parquet-10000_memory.svg',
        'bench_parquet-10000_throughput.svg',
        'bench_api-search-10000_memory.svg',
        'bench_api-search-10000_throughput.svg',
      ].sort(),
    );
    const json = JSON.parse(await readFile(jsonPath, 'utf8'));
    expect(validateResults(json).valid).toBe(true);
    expect(json).toEqual(reportFixture());
    const md = await readFile(written.markdown, 'utf8');
    for (const c of written.charts) expect(md).toContain(`(${c.slice(c.lastIndexOf('/') + 1)})`);
  });

  it('replaces an earlier results file and report whole, never writing into them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    const jsonPath = join(dir, 'bench.json');
    await writeFile(jsonPath, 'earlier results');
    await writeFile(join(dir, 'bench_report.md'), 'earlier report');
    // A hard link sees any write made into the file itself; a replaced file leaves it alone.
    await link(jsonPath, join(dir, 'kept.json'));
    await link(join(dir, 'bench_report.md'), join(dir, 'kept.md'));
    await writeReport(reportFixture(), jsonPath);
    expect(await readFile(join(dir, 'kept.json'), 'utf8')).toBe('earlier results');
    expect(await readFile(join(dir, 'kept.md'), 'utf8')).toBe('earlier report');
    expect(JSON.parse(await readFile(jsonPath, 'utf8'))).toEqual(reportFixture());
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses an invalid results file, naming the path and the problem, and writes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    const bad = resultsFile([row({ strategy: 'sequential' })]);
    (bad.results[0] as { concurrency: number }).concurrency = 0;
    const jsonPath = join(dir, 'bad.json');
    await expect(writeReport(bad, jsonPath)).rejects.toThrow(/bad\.json: .*\/results\/0\/concurrency/);
    expect(await readdir(dir)).toEqual([]);
  });
});
