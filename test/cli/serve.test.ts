import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseServeArgs } from '../../src/cli/commands/serve.js';
import { generateItems } from '../../src/fixtures/profiles.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';

const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');

interface Running {
  child: ChildProcess;
  url: string;
  firstLine: string;
  stderr: () => string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `serve` and resolves with its first stdout line (bounded by 30 s). */
async function serve(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [firstLine] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`serve exited before printing its URL: ${err}`);
    }),
  ])) as [string];
  clearTimeout(timer);
  return { child, url: firstLine.trim(), firstLine, stderr: () => err };
}

async function stop(r: Running, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(r.child, 'exit');
  r.child.kill(signal);
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

describe('benchmark-ingest serve', () => {
  it('prints its URL on the first line, serves the generated collection, and exits 0 on SIGTERM', async () => {
    const r = await serve(['--port', '0', '--items', '30', '--collection-id', 'demo', '--page-size', '10']);
    expect(r.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = (await (await fetch(`${r.url}/collections/demo/items`)).json()) as { numberMatched: number };
    expect(page.numberMatched).toBe(30);
    expect(await stop(r, 'SIGTERM')).toBe(0);
    expect(r.stderr()).toMatch(/stopped: 1 requests/);
  });

  it('exits 0 on SIGINT too', async () => {
    const r = await serve(['--items', '5']);
    expect(await stop(r, 'SIGINT')).toBe(0);
  });

  it('serves a file source given with --data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-data-'));
    try {
      const items = [...generateItems({ profile: 'small', count: 12, seed: 1, collectionId: 'from-file' })];
      const file = join(dir, 'items.ndjson');
      await writeFile(file, `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);
      const r = await serve(['--data', file]);
      const page = (await (await fetch(`${r.url}/collections/from-file/items`)).json()) as {
        features: { id: string }[];
      };
      expect(page.features.map((f) => f.id).sort()).toEqual(items.map((i) => i.id).sort());
      expect(await stop(r, 'SIGTERM')).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad option with one line and exit code 2', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'serve', '--fail-rate', '3'],
        { timeout: 30_000 },
        (error, _o, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--fail-rate must be <= 1/);
  });

  it('parses every knob', () => {
    const o = parseServeArgs(
      '--host 0.0.0.0 --port 8123 --items 7 --latency-ms 50 --jitter-ms 2 --page-size 25 --max-page-size 60 --rate-limit 20 --fail-rate 0.1 --gzip --profile sentinel-2'.split(
        ' ',
      ),
    );
    expect(o).toMatchObject({
      host: '0.0.0.0',
      port: 8123,
      items: 7,
      latencyMs: 50,
      jitterMs: 2,
      pageSize: 25,
      maxPageSize: 60,
      rateLimit: 20,
      failRate: 0.1,
      gzip: true,
      profile: 'sentinel-2',
    });
    expect(() => parseServeArgs(['--items', '3', '--data', 'x'])).toThrow(UsageError);
    expect(() => parseServeArgs(['--rate-limit', '0'])).toThrow(/--rate-limit/);
  });
});

describe('benchmark-ingest ingest URL', () => {
  let api: StacApi | null = null;
  afterEach(async () => {
    await api?.close();
    api = null;
  });

  it.each(['sequential', 'concurrent', 'worker-threads'])(
    'streams NDJSON from a STAC API with --strategy %s and exits',
    async (strategy) => {
      api = await startStacApi({ items: 140, collectionId: 'c', pageSize: 30 });
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
        (resolve) => {
          execFile(
            process.execPath,
            [BIN, 'ingest', api!.url, '--collection-id', 'c', '--strategy', strategy, '--concurrency', '3'],
            { timeout: 60_000, maxBuffer: 64 << 20 },
            (error, out, err) => resolve({ code: error ? 1 : 0, stdout: out, stderr: err }),
          );
        },
      );
      expect(stderr).not.toMatch(/error/i);
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(140);
      expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(140);
    },
  );

  it('exits 1 naming the missing collection', async () => {
    api = await startStacApi({ items: 3, collectionId: 'c' });
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'ingest', api!.url, '--collection-id', 'nope'],
        { timeout: 30_000 },
        (e, _o, err) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stderr: err }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`collection 'nope' not found at ${api.url}`);
  });
});
