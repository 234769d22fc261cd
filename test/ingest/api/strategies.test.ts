import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiIngestOptions,
  closeApiWorkers,
  ingestApi,
  newApiReport,
} from '../../../src/ingest/api/index.js';
import {
  boundariesOf,
  DuplicateFilter,
  equalSlices,
  type Partition,
  partitionDatetime,
  subdivide,
  type TimeRange,
} from '../../../src/ingest/api/partition.js';
import { itemTimeRange } from '../../../src/ingest/api/time.js';
import type { HttpStats, StrategyName } from '../../../src/ingest/types.js';
import { generatedSource } from '../../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../../src/mock-api/server.js';
import type { StacItem } from '../../../src/stac/item.js';

const RUNS: [StrategyName, number][] = [
  ['sequential', 1],
  ['concurrent', 4],
  ['worker-threads', 2],
];

async function collect(url: string, options: ApiIngestOptions): Promise<StacItem[]> {
  const items: StacItem[] = [];
  for await (const item of ingestApi(url, { collectionId: 'gen', backoffMs: 20, ...options }))
    items.push(item);
  return items;
}

const sortedIds = (items: StacItem[]) => items.map((i) => i.id).sort();
const newHttp = (): HttpStats => ({ requests: 0, retries: 0, peak_in_flight: 0 });

function item(id: string, time: string | [string, string]): StacItem {
  const properties = Array.isArray(time)
    ? { datetime: null, start_datetime: time[0], end_datetime: time[1] }
    : { datetime: time };
  return { type: 'Feature', stac_version: '1.1.0', id, geometry: null, properties, links: [], assets: {} };
}

afterAll(() => closeApiWorkers());

describe('API strategies against the local STAC API', () => {
  let api: StacApi;
  let expected: string[];
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 900, seed: 9 })],
      pageSize: 40,
    });
    expected = sortedIds(await collect(api.url, { strategy: 'sequential' }));
  });
  afterAll(() => api.close());

  it('sequential yields every item of the collection once', () => {
    expect(expected).toHaveLength(900);
    expect(new Set(expected).size).toBe(900);
  });

  it.each(RUNS)('%s at %i yields the same items as sequential, each once', async (strategy, concurrency) => {
    const report = newApiReport();
    const items = await collect(api.url, { strategy, concurrency, report });
    expect(sortedIds(items)).toEqual(expected);
    if (strategy !== 'sequential') expect(report.partitions.length).toBeGreaterThan(1);
    const crawled = report.partitions.reduce((s, p) => s + p.items, 0);
    expect(crawled - report.duplicatesDropped).toBe(900);
  });

  it.each(RUNS)(
    '%s at %i keeps items with only start/end datetimes, neither lost nor doubled',
    async (strategy, concurrency) => {
      const items = await collect(api.url, { strategy, concurrency });
      const ranged = items.filter((i) => i.properties.datetime === null);
      expect(ranged.length).toBeGreaterThan(3);
      const all = await collect(api.url, { strategy: 'sequential' });
      expect(sortedIds(ranged)).toEqual(sortedIds(all.filter((i) => i.properties.datetime === null)));
    },
  );

  it.each(RUNS)('%s at %i yields exactly maxItems matching items', async (strategy, concurrency) => {
    const items = await collect(api.url, { strategy, concurrency, maxItems: 123 });
    expect(items).toHaveLength(123);
    expect(new Set(items.map((i) => i.id)).size).toBe(123);
    expect(items.every((i) => expected.includes(i.id))).toBe(true);
  });

  it.each(RUNS)(
    '%s at %i passes a datetime search through and partitions within it',
    async (strategy, concurrency) => {
      const datetime = '2022-03-01T00:00:00Z/2023-09-30T23:59:59Z';
      const [lo, hi] = datetime.split('/').map((t) => Date.parse(t)) as [number, number];
      const report = newApiReport();
      const items = await collect(api.url, { strategy, concurrency, search: { datetime }, report });
      const want = (await collect(api.url, { strategy: 'sequential', search: { datetime } }))
        .map((i) => i.id)
        .sort();
      expect(want.length).toBeGreaterThan(50);
      expect(sortedIds(items)).toEqual(want);
      for (const i of items) {
        const { start, end } = itemTimeRange(i);
        expect(start <= hi && end >= lo).toBe(true);
      }
    },
  );
});

describe('a search of one page', () => {
  it.each([...RUNS, ['concurrent', 10]] as [StrategyName, number][])(
    'is not partitioned by %s at %i: the landing page, the collection and that page',
    async (strategy, concurrency) => {
      // sentinel-2 Items make the page slow to serve: nothing may be sent while it is on its way.
      const api = await startStacApi({
        collections: [generatedSource({ id: 'gen', count: 100, profile: 'sentinel-2' })],
        pageSize: 100,
        latencyMs: 20,
      });
      try {
        const report = newApiReport();
        const http = newHttp();
        const items = await collect(api.url, { strategy, concurrency, report, http });
        expect(sortedIds(items)).toEqual(sortedIds(await collect(api.url, { strategy: 'sequential' })));
        expect(items).toHaveLength(100);
        expect(report.probes).toBe(0);
        expect(report.partitions.map((p) => p.pages)).toEqual([1]);
        expect(http.requests).toBe(3);
      } finally {
        await api.close();
      }
    },
  );
});

describe('requests in flight', () => {
  let api: StacApi;
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 600, seed: 4 })],
      pageSize: 20,
      latencyMs: 40,
      jitterMs: 5,
    });
  });
  afterAll(() => api.close());

  it.each([
    ['concurrent', 5],
    ['worker-threads', 3],
  ] as [StrategyName, number][])(
    '%s at %i never has more requests in flight than its concurrency, and reaches it',
    async (strategy, concurrency) => {
      api.resetMetrics();
      const http = newHttp();
      const items = await collect(api.url, { strategy, concurrency, http });
      expect(items).toHaveLength(600);
      expect(http.peak_in_flight).toBe(concurrency);
      expect(api.metrics().peakInFlight).toBe(concurrency);
      expect(http.requests).toBe(api.metrics().requests);
    },
  );

  it('concurrent at 1 runs the sequential crawl: the same requests, one at a time, no partitions', async () => {
    const runs = [];
    for (const strategy of ['sequential', 'concurrent'] as StrategyName[]) {
      api.resetMetrics();
      const http = newHttp();
      const report = newApiReport();
      await collect(api.url, { strategy, concurrency: 1, http, report });
      runs.push({
        http,
        partitions: report.partitions.length,
        probes: report.probes,
        routes: api.metrics().byRoute,
      });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[1]!.http.peak_in_flight).toBe(1);
    expect(runs[1]!.partitions).toBe(1);
  });

  it('sequential has one request in flight at a time', async () => {
    api.resetMetrics();
    const http = newHttp();
    await collect(api.url, { strategy: 'sequential', http });
    expect(http.peak_in_flight).toBe(1);
    expect(api.metrics().peakInFlight).toBe(1);
  });

  it.each([
    ['concurrent', 4],
    ['worker-threads', 3],
  ] as [StrategyName, number][])(
    '%s at %i: a consumer that stops pulling stops the crawl after the requests in flight',
    async (strategy, concurrency) => {
      api.resetMetrics();
      const http = newHttp();
      let n = 0;
      let sentAtStop = 0;
      for await (const _ of ingestApi(api.url, { collectionId: 'gen', strategy, concurrency, http })) {
        if (++n === 30) {
          sentAtStop = http.requests;
          break;
        }
      }
      // The final count (filled once everything stopped) adds at most the requests then in flight.
      const sent = http.requests;
      expect(sent - sentAtStop).toBeLessThanOrEqual(concurrency);
      // Requests already on the wire may reach the (busy) server a little later (aborted ones may
      // never reach it); after that, nothing more arrives.
      await new Promise((r) => setTimeout(r, 600));
      const seen = api.metrics().requests;
      expect(seen).toBeLessThanOrEqual(sent);
      await new Promise((r) => setTimeout(r, 400));
      expect(api.metrics().requests).toBe(seen);
      expect(http.requests).toBe(sent);
      expect(api.metrics().inFlight).toBe(0);
      expect(sent).toBeLessThan(40);
    },
  );
});

describe('time partitions', () => {
  const range: TimeRange = { outer: { start: -Infinity, end: Infinity }, lo: 0, hi: 1000 };

  it('cuts a slice holding far more than a balanced share into pieces of about that share, and keeps the others whole', () => {
    // 90% of the items in the last quarter of the range (spread evenly there).
    const times = [
      ...Array.from({ length: 100 }, (_, i) => i * 7.4),
      ...Array.from({ length: 900 }, (_, i) => 751 + i / 3.6),
    ];
    const count = (p: Partition) => times.filter((t) => t >= p.start && t <= p.end).length;
    const slices = equalSlices(range, 4).map((p) => ({ ...p, matched: count(p) }));
    const target = 1000 / 8;
    const plans = slices.map((s) => subdivide(range, s, target, 1.5));
    expect(plans.slice(0, 3)).toEqual([null, null, null]);
    const pieces = plans[3]!;
    expect(pieces.length).toBe(Math.ceil(count(slices[3]!) / target));
    expect(pieces[0]!.start).toBe(slices[3]!.start);
    expect(pieces.at(-1)!.end).toBe(Infinity);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.start).toBe(pieces[i - 1]!.end);
    const sizes = pieces.map(count);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(count(slices[3]!));
    expect(Math.max(...sizes)).toBeLessThan(250);
    expect(Math.max(...slices.map(count))).toBeGreaterThan(800);
  });

  it('keeps a slice whole when its count is unknown, within the tolerance, or too short to cut', () => {
    const slice: Partition = { start: 100, end: 200, matched: null };
    expect(subdivide(range, slice, 10, 1.5)).toBeNull();
    expect(subdivide(range, { ...slice, matched: 15 }, 10, 1.5)).toBeNull();
    expect(subdivide(range, { start: 100, end: 101, matched: 500 }, 10, 1.5)).toBeNull();
    expect(subdivide(range, { ...slice, matched: 16 }, 10, 1.5)).toHaveLength(2);
  });

  it('covers the whole outer range with contiguous inclusive slices, open ends kept open', () => {
    const parts = equalSlices(range, 5);
    expect(parts[0]!.start).toBe(-Infinity);
    expect(parts.at(-1)!.end).toBe(Infinity);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end);
    expect(parts.map((p) => p.end)).toEqual([200, 400, 600, 800, Infinity]);
    expect(partitionDatetime(parts[0]!)).toMatch(/^\.\.\//);
  });

  it('drops exactly the duplicates that inclusive boundaries create, ranges spanning several partitions included', () => {
    const parts: Partition[] = [
      { start: -Infinity, end: Date.parse('2020-01-01T00:00:00Z'), matched: null },
      { start: Date.parse('2020-01-01T00:00:00Z'), end: Date.parse('2021-01-01T00:00:00Z'), matched: null },
      { start: Date.parse('2021-01-01T00:00:00Z'), end: Infinity, matched: null },
    ];
    const items = [
      item('on-boundary', '2020-01-01T00:00:00Z'),
      item('inside', '2020-06-01T00:00:00Z'),
      item('spans-all', ['2019-06-01T00:00:00Z', '2021-06-01T00:00:00Z']),
      item('ends-on-boundary', ['2020-10-01T00:00:00Z', '2021-01-01T00:00:00Z']),
      item('near-boundary', '2020-01-01T00:00:00.002Z'),
    ];
    // What an inclusive server returns per partition.
    const returned = parts.flatMap((p) =>
      items.filter((i) => {
        const { start, end } = itemTimeRange(i);
        return start <= p.end && end >= p.start;
      }),
    );
    expect(returned.length).toBeGreaterThan(items.length);
    const filter = new DuplicateFilter(boundariesOf(parts));
    const kept = returned.filter((i) => filter.keep(i));
    expect(kept.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(filter.dropped).toBe(returned.length - items.length);
  });

  it('crawls items sitting exactly on partition boundaries once through the real server', async () => {
    // Items every 3 hours and one range spanning the year: boundaries cut through both.
    const start = Date.parse('2020-01-01T00:00:00Z');
    const list = Array.from({ length: 300 }, (_, i) =>
      item(`t${i}`, new Date(start + i * 10_800_000).toISOString()),
    );
    list.push(item('span', ['2020-01-01T00:00:00Z', '2020-12-31T00:00:00Z']));
    const api = await startStacApi({ collections: [{ id: 'gen', items: list }], pageSize: 10 });
    try {
      for (const [strategy, concurrency] of RUNS) {
        const report = newApiReport();
        const got = await collect(api.url, { strategy, concurrency, report });
        expect(sortedIds(got), strategy).toEqual(sortedIds(list));
        if (strategy !== 'sequential') expect(report.duplicatesDropped, strategy).toBeGreaterThan(0);
      }
    } finally {
      await api.close();
    }
  });
});

describe('a server that does not count matches', () => {
  it.each(RUNS)(
    '%s at %i crawls equal time slices whole and yields every item once',
    async (strategy, concurrency) => {
      const api = await startStacApi({
        collections: [generatedSource({ id: 'gen', count: 300, seed: 3 })],
        pageSize: 25,
      });
      // A proxy that removes numberMatched from every answer (and points links at itself).
      const proxy = createServer(async (req, res) => {
        const body = await new Promise<Buffer>((resolve) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => resolve(Buffer.concat(chunks)));
        });
        const upstream = await fetch(`${api.url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
          body: req.method === 'POST' ? body : undefined,
        });
        const text = (await upstream.text())
          .replaceAll(api.url, proxyUrl)
          .replace(/"numberMatched":\d+,/g, '');
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
      });
      proxy.listen(0, '127.0.0.1');
      await once(proxy, 'listening');
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      try {
        const report = newApiReport();
        const items = await collect(proxyUrl, { strategy, concurrency, report });
        expect(sortedIds(items)).toEqual(sortedIds(await collect(api.url, { strategy: 'sequential' })));
        expect(items).toHaveLength(300);
        if (strategy !== 'sequential') {
          expect(report.partitions.some((p) => p.estimated !== null)).toBe(false);
          expect(report.splits).toBe(0);
        }
      } finally {
        proxy.close();
        await api.close();
      }
    },
  );
});

describe('splitting a partition the probes misjudged', () => {
  it('splits a partition far larger than its share and still yields every item once', async () => {
    const year = Date.parse('2020-01-01T00:00:00Z');
    const burst = Date.parse('2020-06-15T10:00:00Z');
    const spread = Array.from({ length: 400 }, (_, i) =>
      item(`s${i}`, new Date(year + i * 78_840_000).toISOString()),
    );
    const dense = Array.from({ length: 400 }, (_, i) =>
      item(`b${i}`, new Date(burst + i * 7_000).toISOString()),
    );
    const ranges = [item('r1', ['2020-06-15T09:00:00Z', '2020-06-15T11:00:00Z'])];
    const list = [...spread, ...dense, ...ranges];
    const api = await startStacApi({ collections: [{ id: 'gen', items: list }], pageSize: 25 });
    try {
      const report = newApiReport();
      const got = await collect(api.url, { strategy: 'concurrent', concurrency: 4, report });
      expect(sortedIds(got)).toEqual(sortedIds(list));
      expect(report.splits).toBeGreaterThan(0);
      const crawled = report.partitions.reduce((s, p) => s + p.items, 0);
      expect(crawled - report.duplicatesDropped).toBe(list.length);
    } finally {
      await api.close();
    }
  });

  it('takes a new boundary and items already yielded into account when judging later copies', () => {
    const a = item('a', '2020-01-01T00:00:00Z');
    const b = item('b', ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z']);
    const filter = new DuplicateFilter([]);
    expect(filter.keep(a)).toBe(true);
    filter.addYielded([a]);
    filter.addBoundary(Date.parse('2020-01-15T00:00:00Z'));
    expect(filter.keep(a)).toBe(false);
    expect(filter.keep(b)).toBe(true);
    expect(filter.keep(b)).toBe(false);
    expect(filter.dropped).toBe(2);
  });
});

describe('under injected faults', () => {
  it('every strategy yields exactly the same items, each once, with 10% failures and a 20 requests/s limit', async () => {
    const api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 240, seed: 21 })],
      pageSize: 20,
      failRate: 0.1,
      rateLimit: 20,
      seed: 3,
    });
    try {
      const results: string[][] = [];
      let retries = 0;
      for (const [strategy, concurrency] of RUNS) {
        const http = newHttp();
        const items = await collect(api.url, { strategy, concurrency, http, retries: 10, backoffMs: 50 });
        expect(new Set(items.map((i) => i.id)).size, strategy).toBe(items.length);
        results.push(sortedIds(items));
        retries += http.retries;
      }
      expect(results[0]).toHaveLength(240);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      expect(retries).toBeGreaterThan(0);
      const m = api.metrics();
      expect(m.faults).toBeGreaterThan(0);
      expect(m.rateLimited).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});
