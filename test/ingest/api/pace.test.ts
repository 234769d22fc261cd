import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApiWorkers, ingestApi } from '../../../src/ingest/api/index.js';
import { newPace, Pacer } from '../../../src/ingest/api/pace.js';
import { ingest } from '../../../src/ingest/index.js';
import type { HttpStats, StrategyName } from '../../../src/ingest/types.js';
import { generatedSource } from '../../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../../src/mock-api/server.js';
import { makeItems } from '../../support/ingest-data.js';

afterAll(() => closeApiWorkers());

describe('Pacer', () => {
  it('hands out starts one interval apart to callers asking at the same moment', () => {
    const state = newPace(4);
    const now = 1_000_000n;
    const pacer = new Pacer(state, () => now);
    const interval = BigInt(state.intervalUs);
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([
      now,
      now + interval,
      now + 2n * interval,
    ]);
  });

  it('continues one schedule across pacers on the same state (as a worker thread sees it)', () => {
    const state = newPace(10);
    const now = 5_000_000n;
    const main = new Pacer(state, () => now);
    const worker = new Pacer(structuredClone(state), () => now);
    const interval = BigInt(state.intervalUs);
    expect([main.reserve(), worker.reserve(), main.reserve()]).toEqual([
      now,
      now + interval,
      now + 2n * interval,
    ]);
  });

  it('starts at once after a pause longer than the interval (no credit is saved up)', () => {
    const state = newPace(10);
    let now = 0n;
    const pacer = new Pacer(state, () => now);
    pacer.reserve();
    now = 10_000_000n;
    expect(pacer.reserve()).toBe(now);
    expect(pacer.reserve()).toBe(now + BigInt(state.intervalUs));
  });

  it('refuses a rate that is not a number > 0', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => newPace(bad)).toThrow(`maxRps must be a number > 0, got ${bad}`);
    }
  });
});

describe('maxRps against the local STAC API', () => {
  let api: StacApi;
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 240, seed: 3 })],
      pageSize: 20,
    });
    // Workers started and warm: their start-up would otherwise fill the time the bound asks for.
    for await (const _ of ingestApi(api.url, {
      collectionId: 'gen',
      strategy: 'worker-threads',
      concurrency: 2,
    }));
  });
  afterAll(() => api.close());

  const MAX_RPS = 25;
  const RUNS: [StrategyName, number][] = [
    ['sequential', 1],
    ['concurrent', 4],
    ['worker-threads', 2],
  ];

  it.each(RUNS)(
    '%s at %i takes at least the time its requests need at the cap, and yields every item',
    async (strategy, concurrency) => {
      const http: HttpStats = { requests: 0, retries: 0, peak_in_flight: 0 };
      const started = performance.now();
      let items = 0;
      for await (const _ of ingestApi(api.url, {
        collectionId: 'gen',
        strategy,
        concurrency,
        maxRps: MAX_RPS,
        http,
      }))
        items++;
      const elapsedMs = performance.now() - started;
      expect(items).toBe(240);
      expect(http.requests).toBeGreaterThan(2);
      // n requests started one interval apart: the last starts (n - 1) intervals after the first.
      // 1 ms covers the rounding of the schedule to microseconds.
      expect(elapsedMs).toBeGreaterThanOrEqual(((http.requests - 1) * 1000) / MAX_RPS - 1);
    },
  );

  it('refuses a maxRps that is not a number > 0, naming the option', () => {
    expect(() => ingest(api.url, { collectionId: 'gen', maxRps: 0 })).toThrow(
      new TypeError('maxRps must be a number > 0, got 0'),
    );
    expect(() => ingestApi(api.url, { collectionId: 'gen', maxRps: -2 })).toThrow(
      'maxRps must be a number > 0, got -2',
    );
  });
});

describe('maxRps on a static catalog served over http', () => {
  it('spaces the document requests of a concurrent crawl by the cap, and reads every Item', async () => {
    const items = makeItems(12);
    const docs = new Map<string, unknown>(items.map((i) => [`/items/${i.id}.json`, i]));
    docs.set('/catalog.json', {
      type: 'Catalog',
      stac_version: '1.1.0',
      id: 'paced',
      description: 'paced',
      links: items.map((i) => ({ rel: 'item', href: `items/${i.id}.json` })),
    });
    let served = 0;
    const server = createServer((req, res) => {
      served++;
      const doc = docs.get(req.url ?? '');
      if (doc === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const maxRps = 30;
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog.json`;
      const started = performance.now();
      let count = 0;
      for await (const _ of ingest(url, { strategy: 'concurrent', concurrency: 4, maxRps })) count++;
      const elapsedMs = performance.now() - started;
      expect(count).toBe(items.length);
      expect(served).toBe(items.length + 1);
      expect(elapsedMs).toBeGreaterThanOrEqual(((served - 1) * 1000) / maxRps - 1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
