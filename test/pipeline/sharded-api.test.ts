import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApiWorkers } from '../../src/ingest/api/index.js';
import { FailureCollector, type IngestOptions } from '../../src/ingest/index.js';
import type { HttpStats } from '../../src/ingest/types.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, type StacApiOptions, startStacApi } from '../../src/mock-api/server.js';
import { MARKER } from '../../src/output/index.js';
import { closePipelinePool, PipelineError, runPipeline } from '../../src/pipeline/index.js';
import type { StacItem } from '../../src/stac/item.js';
import { tempDir } from '../support/ingest-data.js';
import { contentList, killSecondWorkerAfter, readOutput } from '../support/pipeline-output.js';

const COUNT = 1200;
/** Features the local API serves that are not Items (each a failure of the ingest, not a run error). */
const NOT_ITEMS = 3;

let root: string;
let remove: () => Promise<void>;
let items: StacItem[];

async function generated(count: number): Promise<StacItem[]> {
  const out: StacItem[] = [];
  for await (const item of generatedSource({ id: 'gen', count, seed: 5 }).items) out.push(item);
  return out;
}

function serve(extra: StacApiOptions = {}): Promise<StacApi> {
  return startStacApi({ collections: [{ id: 'gen', items }], pageSize: 40, ...extra });
}

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  items = await generated(COUNT);
  // Items whose time range spans the whole collection: every slice returns them (copies to drop).
  const times = items.map((i) => Date.parse(String(i.properties.datetime))).sort((a, b) => a - b);
  for (const at of [100, 700]) {
    const { datetime: _, ...properties } = items[at]!.properties;
    items[at] = {
      ...items[at]!,
      properties: {
        ...properties,
        datetime: null,
        start_datetime: new Date(times[0]!).toISOString(),
        end_datetime: new Date(times[times.length - 1]!).toISOString(),
      },
    };
  }
  // Spread over the time range, so some land in the probed pages and some in the slices crawled.
  for (let i = 0; i < NOT_ITEMS; i++) {
    const at = Math.floor(((i + 1) * COUNT) / (NOT_ITEMS + 1));
    items[at] = { ...items[at]!, type: 'Thing' as 'Feature' };
  }
});

afterAll(async () => {
  await closePipelinePool();
  await closeApiWorkers();
  await remove();
});

let n = 0;
const outPath = () => join(root, `out-${++n}`);
const newHttp = (): HttpStats => ({ requests: 0, retries: 0, peak_in_flight: 0 });

const common = (api: StacApi, ingestOptions: IngestOptions = {}) => ({
  source: api.url,
  collectionId: 'gen',
  transforms: ['update', 'validate'],
  transformOptions: { baseUrl: 'https://stac.example.org/out' },
  ingestOptions: { backoffMs: 5, ...ingestOptions },
  to: { kind: 'directory' as const, path: outPath() },
});

describe('the sharded placement with a STAC API source', () => {
  let api: StacApi;
  let caller: { content: string[]; written: number; failures: number; reasons: string[] };
  beforeAll(async () => {
    api = await serve();
    const options = common(api);
    const failures = new FailureCollector();
    const report = await runPipeline({
      ...options,
      failures,
      placement: 'caller',
      ingest: { strategy: 'worker-threads', concurrency: 2 },
    });
    caller = {
      content: contentList(await readOutput('directory', options.to.path)),
      written: report.written,
      failures: report.failures,
      reasons: failures.failures.map((f) => f.reason).sort(),
    };
  }, 60_000);
  afterAll(() => api.close());

  it.each([1, 2])(
    'at %i worker(s) writes the same Items with the same content (one copy of an Item in several slices), and counts the same failures, as caller',
    async (workers) => {
      const options = common(api);
      const failures = new FailureCollector();
      const report = await runPipeline({ ...options, placement: 'sharded', workers, failures });
      expect(caller.written).toBe(COUNT - NOT_ITEMS);
      expect(caller.failures).toBe(NOT_ITEMS);
      expect(caller.reasons.every((r) => r.endsWith('not a STAC Item (type is "Thing")'))).toBe(true);
      expect(report.written).toBe(caller.written);
      // The spanning Items came in several slices (2 workers): the sink kept one copy of each.
      expect(report.items_in - report.duplicates).toBe(report.written);
      if (workers > 1) expect(report.duplicates).toBeGreaterThan(0);
      expect(report.failures).toBe(caller.failures);
      // The same features refused for the same reason (the page URLs they came in may differ).
      expect(failures.failures.map((f) => f.reason).sort()).toEqual(caller.reasons);
      expect(contentList(await readOutput('directory', options.to.path))).toEqual(caller.content);
      // Every stage ran in the workers (read_parse includes this thread's plan).
      for (const s of Object.values(report.stage_seconds)) expect(s).toBeGreaterThan(0);
    },
    60_000,
  );

  it('writes a search its first page holds whole without partitioning it (one page asked for)', async () => {
    const one = await serve({ maxPageSize: 2000 });
    try {
      const options = common(one, { search: { limit: 2000 } });
      const report = await runPipeline({ ...options, placement: 'sharded', workers: 2 });
      expect(one.metrics().pages).toBe(1);
      expect(report.written).toBe(COUNT - NOT_ITEMS);
      expect(contentList(await readOutput('directory', options.to.path))).toEqual(caller.content);
    } finally {
      await one.close();
    }
  });

  it('refuses a remote catalog document with a reason naming the caller placement', async () => {
    const error = await runPipeline({
      ...common(api),
      source: `${api.url}/catalog.json`,
      placement: 'sharded',
      workers: 2,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /catalog\.json: .*a remote catalog runs with the caller placement/,
    );
  });
});

describe('a sharded run from a STAC API that meets trouble', () => {
  it('retries a server that answers 500 or 503, and then writes every Item', async () => {
    const api = await serve({ failRate: 0.3, seed: 3 });
    try {
      const http = newHttp();
      const options = common(api, { http, retries: 8 });
      const report = await runPipeline({ ...options, placement: 'sharded', workers: 2 });
      expect(api.metrics().faults).toBeGreaterThan(0);
      expect(http.retries).toBeGreaterThan(0);
      expect(report.written).toBe(COUNT - NOT_ITEMS);
      expect(await readOutput('directory', options.to.path)).toHaveLength(COUNT - NOT_ITEMS);
    } finally {
      await api.close();
    }
  }, 60_000);

  it('names the search slice a dead worker was crawling, and says how many Items were written', async () => {
    const api = await serve({ latencyMs: 5 });
    try {
      const error = await runPipeline({
        ...common(api),
        placement: 'sharded',
        workers: 2,
        transforms: [],
        onProgress: killSecondWorkerAfter(500),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PipelineError);
      const e = error as PipelineError;
      expect(e.message).toMatch(
        /^pipeline worker exited \(code 1\) while running shard 1, writing .*the search slice \S+ \(from http:\/\/127\.0\.0\.1:\d+\/search/,
      );
      expect(e.message).toMatch(/; \d+ Items were written before it stopped$/);
      expect(e.written).toBeGreaterThanOrEqual(500);
      expect(e.written).toBeLessThan(COUNT);
    } finally {
      await api.close();
    }
  }, 60_000);

  it('leaves only complete Item files and no temp file when aborted mid-run', async () => {
    const api = await serve({ latencyMs: 5 });
    try {
      const abort = new AbortController();
      const options = common(api);
      const error = await runPipeline({
        ...options,
        placement: 'sharded',
        workers: 2,
        signal: abort.signal,
        onProgress: (written) => {
          if (written >= 300) abort.abort();
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PipelineError);
      const e = error as PipelineError;
      expect(e.message).toMatch(/the run was aborted; \d+ Items were written before it stopped$/);
      expect(e.written).toBeGreaterThanOrEqual(300);
      expect(e.written).toBeLessThan(COUNT - NOT_ITEMS);
      const folder = join(options.to.path, 'gen', 'items');
      const names = await readdir(folder);
      expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
      expect(names).toHaveLength(e.written);
      for (const name of names) {
        const item = JSON.parse(await readFile(join(folder, name), 'utf8')) as StacItem;
        expect(`${item.id}.json`).toBe(name);
      }
      expect((await readdir(options.to.path)).sort()).toEqual([MARKER, 'gen'].sort());
    } finally {
      await api.close();
    }
  }, 60_000);
});
