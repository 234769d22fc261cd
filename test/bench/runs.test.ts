import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchApiInfo } from '../../src/bench/api.js';
import { collectPages, meanItemBytes } from '../../src/bench/api-floor.js';
import { apiCases, fileCases } from '../../src/bench/cases.js';
import { apiRun, checkUvSweep, fileRun, paceFor } from '../../src/bench/runs.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { closeWorkerPool } from '../../src/ingest/index.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  await writeItemsDir(join(root, 'items'), makeItems(20));
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('the runs of the cases', () => {
  it('every directory row, ingest and floor, yields every Item of the data', async () => {
    const settings = mergeSettings({ concurrency: [1, 3], workers: [1] });
    const cases = fileCases(settings, {
      directory: { path: join(root, 'items'), items: 20, itemBytesAvg: null },
    });
    for (const c of cases)
      expect({ name: c.name, items: (await fileRun(c).run()).items }).toEqual({ name: c.name, items: 20 });
  });

  it('a uv-threadpool sweep run refuses a process whose libuv pool is another size', () => {
    const sweep = mergeSettings({ uvSweep: 16 });
    expect(() => checkUvSweep(sweep, { UV_THREADPOOL_SIZE: '8' })).toThrow(
      /UV_THREADPOOL_SIZE is 8 in this process, expected 16/,
    );
    expect(() => checkUvSweep(sweep, { UV_THREADPOOL_SIZE: '16' })).not.toThrow();
    expect(() => checkUvSweep(mergeSettings({}), {})).not.toThrow();
  });
});

describe('the pages floors', () => {
  let api: StacApi;
  const ID = 'floor-items';
  beforeAll(async () => {
    api = await startStacApi({ items: 230, collectionId: ID, pageSize: 50, latencyMs: 5 });
  });
  afterAll(() => api.close());

  const floorCase = (inFlight: number) => {
    const info: BenchApiInfo = {
      url: api.url,
      local: true,
      controlUrl: null,
      collections: [{ id: ID, items: 230 }],
      pageSize: 50,
      latencyMs: 5,
    };
    const cases = apiCases(mergeSettings({ concurrency: [1, 3], workers: [1] }), info);
    return cases.find((c) => c.meta.kind === 'floor' && c.meta.concurrency === inFlight)!;
  };

  it("collect a collection's pages once, in the order of its next chain", async () => {
    const pages = await collectPages(api.url, ID);
    expect(pages.urls).toHaveLength(5);
    expect(pages.urls[0]).toBe(`${api.url}/collections/${ID}/items`);
    expect(new Set(pages.urls).size).toBe(5);
    expect(pages.items).toBe(230);
    expect(meanItemBytes(pages)).toBe(Math.round(pages.bytes / 230));
  });

  it("fetch every page with that many requests in flight and report the collection's Items unparsed", async () => {
    const pages = new Map([[ID, await collectPages(api.url, ID)]]);
    api.resetMetrics();
    const outcome = await apiRun(floorCase(3), new Map(), pages)();
    expect(outcome).toEqual({ items: 230, http: { requests: 5, retries: 0, peak_in_flight: 3 } });
    const m = api.metrics();
    expect(m.pages).toBe(5);
    expect(m.requests).toBe(5);
  });

  it('refuse pages that did not arrive as they were collected', async () => {
    const pages = await collectPages(api.url, ID);
    const changed = new Map([[ID, { ...pages, bytes: pages.bytes + 1 }]]);
    await expect(apiRun(floorCase(1), new Map(), changed)()).rejects.toThrow(
      `fetched ${pages.bytes} bytes, the pages held ${pages.bytes + 1}`,
    );
  });

  it('refuse to run without the pages of their collection', () => {
    expect(() => apiRun(floorCase(1), new Map())).toThrow(`the pages of ${ID} were not collected`);
  });
});

describe('paceFor', () => {
  it('gives every run of a bench process one schedule per cap, so --max-rps holds across runs', () => {
    expect(paceFor(4)).toBe(paceFor(4));
    expect(paceFor(4)).not.toBe(paceFor(8));
  });
});
