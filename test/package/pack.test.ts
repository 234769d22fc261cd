/**
 * The installable package, checked the way a user gets it: `npm pack` (which builds dist/ through
 * `prepack`), the tarball installed into an empty folder with no access to this repository, then
 * the CLI through npx, a small benchmark run, and the library from plain Node and from TypeScript.
 * Dependencies come from npm's cache where it has them (`--prefer-offline`: the cache holds the
 * tarballs after `npm ci`, not the registry's package documents a fresh resolve reads). `npx --no --`
 * runs the installed bin and never fetches a package of that name. Slow by nature: one pack, one
 * install, one small benchmark run.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateResults } from '../../src/profiling/schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE_TYPES = join(ROOT, 'node_modules', '@types');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The child's environment: no loader (tsx) from ours, as a user's shell has none. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The end of a child's output, for a failure message. */
function tail(r: Run): string {
  return `exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`;
}

let scratch = '';
let app = '';
let packed: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'stac-bench-pack-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', scratch], ROOT, 600_000);
  if (pack.code !== 0) throw new Error(`npm pack failed: ${tail(pack)}`);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error('npm pack --json described no package');
  packed = info.files.map((f) => f.path);

  app = join(scratch, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), '{ "name": "pack-check", "private": true, "type": "module" }\n');
  const install = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, info.filename)],
    app,
    600_000,
  );
  if (install.code !== 0) throw new Error(`npm install of the tarball failed: ${tail(install)}`);
}, 1_200_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships compiled JavaScript with declarations, the bench files the CLI runs, and no TypeScript source', () => {
    expect(packed).toContain('bin/benchmark-ingest.mjs');
    expect(packed).toContain('dist/src/index.js');
    expect(packed).toContain('dist/src/index.d.ts');
    expect(packed).toContain('dist/src/workers/worker.js');
    expect(packed).toContain('dist/src/mock-api/process-entry.js');
    expect(packed).toContain('dist/vitest.bench.config.js');
    for (const bench of ['file-io', 'parquet', 'api', 'pipeline']) {
      expect(packed).toContain(`dist/bench/${bench}.bench.js`);
    }
    expect(packed).toContain('dist/schema/results.schema.json');
    const sources = packed.filter((p) => /\.[cm]?ts$/.test(p) && !p.endsWith('.d.ts'));
    expect(sources).toEqual([]);
    expect(packed.filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
  });

  it('installs into an empty folder and answers npx benchmark-ingest --help', async () => {
    const r = await run('npx', ['--no', '--', 'benchmark-ingest', '--help'], app, 120_000);
    expect(r.code, tail(r)).toBe(0);
    expect(r.stdout).toContain('usage: benchmark-ingest <command>');
    expect(r.stdout).toContain('all ');
  }, 180_000);

  it('runs npx benchmark-ingest all --test-size 300 --samples 1 from the installed package and writes a valid results file', async () => {
    const r = await run(
      'npx',
      ['--no', '--', 'benchmark-ingest', 'all', '--test-size', '300', '--samples', '1'],
      app,
      1_200_000,
    );
    expect(r.code, tail(r)).toBe(0);
    // vitest ran the compiled bench files inside the installed package, not this repository's.
    expect(r.stdout + r.stderr).toContain(join('node_modules', 'stac-ingest-bench', 'dist'));
    const results = JSON.parse(await readFile(join(app, 'results', 'benchmark.json'), 'utf8'));
    expect(validateResults(results)).toEqual({ valid: true, errors: [] });
    const scenarios = new Set((results.results as { scenario: string }[]).map((row) => row.scenario));
    expect([...scenarios].sort()).toEqual(
      ['api-search', 'catalog', 'directory', 'feature-collection', 'ndjson', 'parquet', 'pipeline'].sort(),
    );
    expect((results.results as { error: unknown }[]).filter((row) => row.error !== null)).toEqual([]);
    expect(results.environment.package_versions.vitest).toMatch(/^\d+\.\d+\.\d+/);
  }, 1_500_000);

  it('imports ingest and measure from plain Node: ingests a generated NDJSON file through worker threads and measures it', async () => {
    const script = `
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { closeWorkerPool, ingest, measure, writeDataset } from 'stac-ingest-bench';

const dir = mkdtempSync(join(process.cwd(), 'data-'));
const data = await writeDataset({ format: 'ndjson', path: join(dir, 'items.ndjson'), profile: 'small', count: 40, seed: 3 });
const ids = new Set();
const m = await measure(async () => {
  for await (const item of ingest(data.path, { strategy: 'worker-threads', concurrency: 2 })) ids.add(item.id);
  return ids.size;
}, { peakMethod: 'sampler' });
await closeWorkerPool();
console.log(JSON.stringify({ items: m.result, wall: m.wall_seconds, cpu: m.cpu_seconds, method: m.peak_method }));
`;
    await writeFile(join(app, 'use.mjs'), script);
    const r = await run(process.execPath, ['use.mjs'], app, 120_000);
    expect(r.code, tail(r)).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { items: number; wall: number; cpu: number; method: string };
    expect(out.items).toBe(40);
    expect(out.wall).toBeGreaterThan(0);
    expect(out.cpu).toBeGreaterThan(0);
    // The sampler is a worker thread too: it started from the compiled dist/.
    expect(out.method).toBe('sampler');
  }, 180_000);

  it('gives TypeScript users the declarations: a typed use compiles and a wrong strategy name does not', async () => {
    const source = `
import { type IngestOptions, ingest, type Measured, measure, type StacItem } from 'stac-ingest-bench';

const options: IngestOptions = { strategy: 'concurrent', concurrency: 4 };
export async function count(path: string): Promise<Measured<number>> {
  return measure(async () => {
    let n = 0;
    for await (const item of ingest(path, options)) n += (item satisfies StacItem).id ? 1 : 0;
    return n;
  });
}
`;
    const wrong = `
import { ingest } from 'stac-ingest-bench';
export const items = ingest('items.ndjson', { strategy: 'fastest' });
`;
    await writeFile(join(app, 'typed.mts'), source);
    await writeFile(join(app, 'wrong.mts'), wrong);
    const tscArgs = (file: string) => [
      TSC,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2023',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      NODE_TYPES,
      file,
    ];
    const typed = await run(process.execPath, tscArgs('typed.mts'), app, 180_000);
    expect(typed.code, tail(typed)).toBe(0);
    const bad = await run(process.execPath, tscArgs('wrong.mts'), app, 180_000);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/wrong\.mts.*'"fastest"' is not assignable to type 'StrategyName/);
  }, 400_000);
});
