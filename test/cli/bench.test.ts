import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/bench/settings.js';
import { UsageError } from '../../src/cli/args.js';
import {
  API_SCALING_MAX_ITEMS,
  checkCatalog,
  checkCollection,
  checkOutput,
  settingsFromArgs,
} from '../../src/cli/bench-options.js';
import { BENCH_FILES, benchFilesFor } from '../../src/cli/run-bench.js';
import { lines, runCli } from '../support/cli-helpers.js';

describe('benchmark commands: argument errors exit 2 with exactly one stderr line, before any benchmark', () => {
  const cases: [string, string[], RegExp][] = [
    ['--concurrency 0', ['file', '--concurrency', '0'], /--concurrency must be >= 1, got 0/],
    [
      '--concurrency abc',
      ['file', '--concurrency', 'abc'],
      /--concurrency must be a whole number, got 'abc'/,
    ],
    ['an unknown option', ['all', '--bogus', '1'], /unknown option --bogus/],
    ['a --workers list with a hole', ['api', '--workers', '1,,2'], /--workers must be a list/],
    [
      'an unreachable catalog URL',
      ['api', '--catalog-url', 'http://127.0.0.1:1/'],
      /--catalog-url http:\/\/127\.0\.0\.1:1\/: unreachable/,
    ],
    [
      'a catalog URL that is not http',
      ['api', '--catalog-url', 'ftp://example.org'],
      /must be an http\(s\) URL/,
    ],
    [
      'an unwritable output path',
      ['file', '--output', 'package.json/out.json'],
      /--output .*package\.json\/out\.json: .*package\.json is not a directory/,
    ],
    [
      'an output folder where no file can be created',
      ['file', '--output', '/proc/stac-bench.json'],
      /--output \/proc\/stac-bench\.json: cannot write in \/proc \(ENOENT\)/,
    ],
    [
      'an output folder that cannot be created',
      ['all', '--output', '/proc/stac-bench-results/'],
      /--output .*stac-bench-results\/benchmark\.json: cannot create its folder/,
    ],
    [
      'a --test-size list with a word',
      ['file', '--test-size', '10,abc'],
      /--test-size must be a whole number, got 'abc'/,
    ],
    [
      'a --test-size list with a size twice',
      ['all', '--test-size', '100,50,100'],
      /--test-size lists 100 twice/,
    ],
    ['a --test-size list with a zero', ['file', '--test-size', '0,1000'], /--test-size must be >= 1, got 0/],
    [
      'a --test-size list with a hole',
      ['file', '--test-size', '1000,,2000'],
      /--test-size must be a size or a list/,
    ],
    [
      '--directory with several sizes',
      ['file', '--directory', 'test', '--test-size', '100,200'],
      /--directory and --test-size exclude each other/,
    ],
    [
      'a --test-size list in api mode',
      ['api', '--test-size', '100,200'],
      /--test-size takes one size in api mode/,
    ],
    [
      'a missing --directory',
      ['file', '--directory', 'no/such/dir'],
      /--directory .*no\/such\/dir: no such directory/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await runCli(args, { timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('exits 1 with one line for a --directory with no item files (nothing can be ingested)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'empty-items-'));
    try {
      const r = await runCli(['file', '--directory', dir], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([
        `benchmark-ingest file: error: --directory ${dir}: no .json item files in it`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints the usage of a benchmark command with --help and exits 0', async () => {
    const r = await runCli(['api', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: benchmark-ingest api');
  });

  it('prints the usage of every other command with --help or -h and exits 0', async () => {
    const runs = await Promise.all(
      ['ingest', 'generate', 'serve', 'file', 'all', 'compare', 'report'].map(async (c) => ({
        c,
        r: await runCli([c, c === 'serve' ? '-h' : '--help']),
      })),
    );
    for (const { c, r } of runs) {
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain(`usage: benchmark-ingest ${c}`);
      expect(r.stderr, c).toBe('');
    }
    const ingest = runs.find((x) => x.c === 'ingest')!.r.stdout;
    expect(ingest).toContain('--strategy sequential|concurrent|worker-threads');
    expect(ingest).toContain('parse-in-worker');
    for (const c of ['file', 'all', 'report']) {
      expect(runs.find((x) => x.c === c)!.r.stdout, c).toContain('[--export FORMAT=PATH ...]');
    }
  });
});

describe('an api run whose --test-size is the size of the small collection', () => {
  it('measures one dataset, writes its results with unique keys and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'api-same-size-'));
    try {
      const output = join(dir, 'api.json');
      const small = String(DEFAULT_SETTINGS.api.smallItems);
      const args = ['api', '--test-size', small, '--latency-ms', '0', '--samples', '1', '--warmups', '0'];
      args.push('--concurrency', '1', '--workers', '1', '--output', output);
      const r = await runCli(args, { timeoutMs: 120_000 });
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/Unhandled Error|\n\s+at /);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(await readFile(output, 'utf8')) as {
        results: { key: string; dataset: { items: number } }[];
      };
      const keys = json.results.map((x) => x.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(json.results.map((x) => x.dataset.items))).toEqual(new Set([Number(small)]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('settingsFromArgs', () => {
  it('builds file-mode settings: every format, no API, the given levels, samples and output', () => {
    const s = settingsFromArgs('file', [
      '--test-size',
      '500',
      '--concurrency',
      '1,5',
      '--workers',
      '2',
      '--samples',
      '2',
      '--warmups',
      '0',
      '--output',
      'out/f.json',
    ]);
    expect(s).toMatchObject({
      testSize: 500,
      concurrency: [1, 5],
      workers: [2],
      samples: 2,
      warmups: 0,
      directory: null,
    });
    expect(s.formats).toEqual(DEFAULT_SETTINGS.formats);
    expect(s.api.enabled).toBe(false);
    expect(s.output).toBe(resolve('out/f.json'));
  });

  it('benchmarks only the items directory a user names', () => {
    const s = settingsFromArgs('file', ['--directory', 'test_data/items_10k']);
    expect(s.directory).toBe(resolve('test_data/items_10k'));
    expect(s.formats).toEqual(['directory']);
    expect(benchFilesFor('file', s)).toEqual(['bench/file-io.bench.ts']);
    expect(() => settingsFromArgs('file', ['--directory', 'x', '--test-size', '5'])).toThrow(UsageError);
  });

  it('builds api-mode settings: no file formats, a real catalog with the default budget and no rate cap', () => {
    const s = settingsFromArgs('api', ['--catalog-url', 'http://127.0.0.1:9/stac', '--collection-id', 'c1']);
    expect(s.formats).toEqual([]);
    expect(s.api).toMatchObject({
      enabled: true,
      catalogUrl: 'http://127.0.0.1:9/stac',
      collectionId: 'c1',
      // Bounded to REAL_API_MAX_ITEMS by the checks before the run (see the budget tests).
      maxItems: null,
      maxRps: null,
      requestBudget: DEFAULT_SETTINGS.api.requestBudget,
      overBudget: false,
    });
    expect(settingsFromArgs('api', ['--latency-ms', '5', '--test-size', '300']).api).toMatchObject({
      catalogUrl: null,
      latencyMs: 5,
      largeItems: 300,
      maxItems: null,
    });
    expect(s.output).toBe(resolve('results/api_benchmark.json'));
  });

  it('treats the output of `all` as a directory unless it names a .json file', () => {
    expect(settingsFromArgs('all', ['--output', 'results/']).output).toBe(resolve('results/benchmark.json'));
    expect(settingsFromArgs('all', ['--output', 'x/run.json']).output).toBe(resolve('x/run.json'));
    expect(settingsFromArgs('all', []).output).toBe(resolve('results/benchmark.json'));
    expect(() => settingsFromArgs('file', ['--output', 'results/'])).toThrow(
      /--output must name a \.json file/,
    );
  });

  it('includes only the bench files of the mode', () => {
    expect(BENCH_FILES.file).toEqual(['bench/file-io.bench.ts', 'bench/parquet.bench.ts']);
    expect(BENCH_FILES.api).toEqual(['bench/api.bench.ts']);
    expect(BENCH_FILES.pipeline).toEqual(['bench/pipeline.bench.ts']);
    expect(BENCH_FILES.all).toEqual([...BENCH_FILES.file, ...BENCH_FILES.api, ...BENCH_FILES.pipeline]);
  });

  it('asks for --catalog-url when options of a real catalog are given without it', () => {
    expect(() => settingsFromArgs('api', ['--collection-id', 'x'])).toThrow(
      /--collection-id needs --catalog-url/,
    );
    expect(() => settingsFromArgs('all', ['--max-items', '5'])).toThrow(/--max-items needs --catalog-url/);
    expect(() => settingsFromArgs('api', ['--max-rps', '5'])).toThrow(/--max-rps needs --catalog-url/);
    expect(() => settingsFromArgs('all', ['--request-budget', '5'])).toThrow(
      /--request-budget needs --catalog-url/,
    );
  });

  it('takes --max-rps, --request-budget and --yes for a real catalog, in api and all modes', () => {
    const remote = ['--catalog-url', 'https://stac.example.com', '--collection-id', 'c'];
    for (const mode of ['api', 'all'] as const) {
      const s = settingsFromArgs(mode, [...remote, '--max-rps', '2.5', '--request-budget', '300', '--yes']);
      expect(s.api).toMatchObject({ maxRps: 2.5, requestBudget: 300, overBudget: true });
    }
    expect(() => settingsFromArgs('api', [...remote, '--max-rps', '0'])).toThrow(
      /--max-rps must be >= 0\.01, got 0/,
    );
    expect(() => settingsFromArgs('api', [...remote, '--request-budget', 'many'])).toThrow(
      /--request-budget must be a whole number, got 'many'/,
    );
    expect(() => settingsFromArgs('api', [...remote, '--yes=1'])).toThrow(/--yes takes no value/);
    expect(() => settingsFromArgs('file', ['--yes'])).toThrow(/unknown option --yes/);
  });

  it('takes other libuv pool sizes to measure file reads with, in file and all modes only', () => {
    expect(settingsFromArgs('file', ['--uv-threadpool', '1,16']).uvThreadpool).toEqual([1, 16]);
    expect(settingsFromArgs('all', ['--uv-threadpool', '2']).uvThreadpool).toEqual([2]);
    expect(settingsFromArgs('file', []).uvThreadpool).toEqual([]);
    expect(() => settingsFromArgs('file', ['--uv-threadpool', '0'])).toThrow(/--uv-threadpool must be >= 1/);
    expect(() => settingsFromArgs('api', ['--uv-threadpool', '2'])).toThrow(/unknown option --uv-threadpool/);
  });

  it('takes several sizes for file and all, ascending, and keeps one size a plain run', () => {
    const file = settingsFromArgs('file', ['--test-size', '10000,1000,100000']);
    expect(file.testSizes).toEqual([1000, 10_000, 100_000]);
    expect(file.testSize).toBe(1000);
    const one = settingsFromArgs('file', ['--test-size', '5000']);
    expect(one.testSize).toBe(5000);
    expect(one.testSizes).toBeUndefined();
    expect(settingsFromArgs('file', []).testSizes).toBeUndefined();
  });

  it('runs the API of `all` once with several sizes: its large collection the largest size, capped', () => {
    const capped = settingsFromArgs('all', ['--test-size', '1000,10000,100000']);
    expect(capped.testSizes).toEqual([1000, 10_000, 100_000]);
    expect(capped.api.largeItems).toBe(API_SCALING_MAX_ITEMS);
    expect(settingsFromArgs('all', ['--test-size', '50,200']).api.largeItems).toBe(200);
    // One size keeps sizing the API's large collection as it always did.
    expect(settingsFromArgs('all', ['--test-size', '100000']).api.largeItems).toBe(100_000);
  });

  it('rejects a positional argument and options of another mode', () => {
    expect(() => settingsFromArgs('file', ['extra'])).toThrow(/unexpected argument 'extra'/);
    expect(() => settingsFromArgs('file', ['--catalog-url', 'http://x'])).toThrow(
      /unknown option --catalog-url/,
    );
  });
});

describe('checkOutput', () => {
  it('creates the missing folders of the output and leaves nothing else in them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-output-'));
    try {
      await checkOutput(join(dir, 'a', 'b', 'run.json'));
      expect((await stat(join(dir, 'a', 'b'))).isDirectory()).toBe(true);
      expect(await readdir(join(dir, 'a', 'b'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('checkCatalog', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok' || req.url === '/ok/collections/there')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else if (req.url === '/hang') setTimeout(() => res.end('{}'), 2000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('accepts a catalog that answers', async () => {
    await expect(checkCatalog(`${base}/ok`)).resolves.toBeUndefined();
  });

  it('rejects a catalog that answers with an error status, naming it', async () => {
    await expect(checkCatalog(`${base}/missing`)).rejects.toThrow(
      `--catalog-url ${base}/missing: answered HTTP 404`,
    );
  });

  it('rejects a collection the catalog does not have, and accepts one it has', async () => {
    await expect(checkCollection(`${base}/ok`, 'there')).resolves.toBeUndefined();
    await expect(checkCollection(`${base}/ok/`, 'gone')).rejects.toThrow(
      `--collection-id gone: no such collection at ${base}/ok/ (HTTP 404 from ${base}/ok/collections/gone)`,
    );
  });

  it('gives up on a catalog that does not answer in time', async () => {
    await expect(checkCatalog(`${base}/hang`, 200)).rejects.toThrow(
      /unreachable \(no answer within 200 ms\)/,
    );
  });
});
