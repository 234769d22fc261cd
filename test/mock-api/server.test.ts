import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';
import type { StacItem } from '../../src/stac/item.js';

/** A minimal Item: an instant, or (range) datetime null with start/end. */
function item(id: string, time: string | [string, string], bbox = [10, 40, 11, 41]): StacItem {
  const properties = Array.isArray(time)
    ? { datetime: null, start_datetime: time[0], end_datetime: time[1] }
    : { datetime: time };
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: null,
    bbox,
    properties,
    links: [{ rel: 'license', href: 'https://example.com/license' }],
    assets: {},
  };
}

const TIMED = [
  item('a', '2020-01-01T00:00:00Z'),
  item('b', '2020-06-01T00:00:00Z', [170, -10, 179, 10]),
  item('c', '2021-01-01T00:00:00Z', [-179, -10, -170, 10]),
  item('r', ['2020-05-01T00:00:00Z', '2020-07-01T00:00:00Z']),
  item('z', '2022-01-01T00:00:00.500Z', [0, 0, 1, 1]),
];

interface Fc {
  type: string;
  features: StacItem[];
  numberMatched: number;
  numberReturned: number;
  links: { rel: string; href: string; method?: string; body?: Record<string, unknown>; merge?: boolean }[];
}

async function getJson<T = Fc>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

const post = (url: string, body: unknown): Promise<{ status: number; body: Fc }> =>
  getJson(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

const ids = (fc: Fc) => fc.features.map((f) => f.id).sort();

describe('the local STAC API over loopback', () => {
  let api: StacApi;
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 230, seed: 7 }), { id: 'timed', items: TIMED }],
      pageSize: 50,
      maxPageSize: 80,
    });
  });
  afterAll(() => api.close());

  it('binds 127.0.0.1 on a free port and names it in its URL', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('offers a landing page with conformsTo and search links for GET and POST', async () => {
    const { status, body } = await getJson<{ conformsTo: string[]; links: Fc['links'] }>(`${api.url}/`);
    expect(status).toBe(200);
    expect(body.conformsTo).toContain('https://api.stacspec.org/v1.0.0/item-search');
    const search = body.links.filter((l) => l.rel === 'search');
    expect(search.map((l) => l.method).sort()).toEqual(['GET', 'POST']);
    expect(search.every((l) => l.href === `${api.url}/search`)).toBe(true);
    expect(body.links.some((l) => l.rel === 'conformance')).toBe(true);
    const conf = await getJson<{ conformsTo: string[] }>(`${api.url}/conformance`);
    expect(conf.body.conformsTo).toEqual(body.conformsTo);
  });

  it('lists its collections and describes each with the real extent of its items', async () => {
    const list = await getJson<{ collections: { id: string }[] }>(`${api.url}/collections`);
    expect(list.body.collections.map((c) => c.id)).toEqual(['gen', 'timed']);
    const { body } = await getJson<{
      extent: { temporal: { interval: string[][] }; spatial: { bbox: number[][] } };
    }>(`${api.url}/collections/timed`);
    expect(body.extent.temporal.interval).toEqual([['2020-01-01T00:00:00Z', '2022-01-01T00:00:00.500Z']]);
    expect(body.extent.spatial.bbox).toEqual([[-179, -10, 179, 41]]);
  });

  it('answers an unknown collection with 404 and a STAC error body', async () => {
    for (const path of ['/collections/nope', '/collections/nope/items', '/collections/nope/items/a']) {
      const { status, body } = await getJson<{ code: string; description: string }>(`${api.url}${path}`);
      expect(status).toBe(404);
      expect(body).toEqual({ code: 'NotFound', description: expect.stringContaining("'nope'") });
    }
  });

  it('serves one item by id, with links pointing at itself', async () => {
    const { status, body } = await getJson<StacItem>(`${api.url}/collections/timed/items/r`);
    expect(status).toBe(200);
    expect(body.id).toBe('r');
    expect(body.collection).toBe('timed');
    expect(body.links.find((l) => l.rel === 'self')?.href).toBe(`${api.url}/collections/timed/items/r`);
    expect(body.links.some((l) => l.rel === 'license')).toBe(true);
    expect((await fetch(`${api.url}/collections/timed/items/nope`)).status).toBe(404);
  });

  it('pages a GET search with a token until a last page without next, every item once', async () => {
    let url: string | undefined = `${api.url}/search?collections=gen`;
    const seen: string[] = [];
    const returned: number[] = [];
    while (url) {
      const { body }: { body: Fc } = await getJson(url);
      expect(body.type).toBe('FeatureCollection');
      expect(body.numberMatched).toBe(230);
      expect(body.numberReturned).toBe(body.features.length);
      returned.push(body.numberReturned);
      seen.push(...body.features.map((f) => f.id));
      url = body.links.find((l) => l.rel === 'next')?.href;
      if (url) expect(url).toContain('token=');
    }
    expect(returned).toEqual([50, 50, 50, 50, 30]);
    expect(new Set(seen).size).toBe(230);
  });

  it('pages a POST search with next links of method POST, a body and merge true', async () => {
    let body: Record<string, unknown> | null = { collections: ['gen'], limit: 100 };
    const seen: string[] = [];
    while (body) {
      const page = await post(`${api.url}/search`, body);
      seen.push(...page.body.features.map((f) => f.id));
      const next = page.body.links.find((l) => l.rel === 'next');
      if (next) {
        expect(next).toMatchObject({ method: 'POST', merge: true, href: `${api.url}/search` });
        body = { ...body, ...next.body };
      } else body = null;
    }
    expect(seen.length).toBe(230);
    expect(new Set(seen).size).toBe(230);
  });

  it('caps limit at the maximum page size', async () => {
    const { body } = await getJson(`${api.url}/search?collections=gen&limit=1000`);
    expect(body.numberReturned).toBe(80);
  });

  it('caps a limit too large for a number (GET digits, POST 1e400) at the maximum page size, with a next link', async () => {
    const huge = '9'.repeat(400);
    const pages = [
      await getJson(`${api.url}/search?collections=gen&limit=${huge}`),
      await getJson(`${api.url}/search`, {
        method: 'POST',
        body: `{"collections":["gen"],"limit":1e400}`,
        headers: { 'content-type': 'application/json' },
      }),
    ];
    for (const { status, body } of pages) {
      expect(status).toBe(200);
      expect(body.numberReturned).toBe(80);
      expect(body.links.some((l) => l.rel === 'next')).toBe(true);
    }
  });

  it('pages /collections/{id}/items like a search of that collection', async () => {
    const { body } = await getJson(`${api.url}/collections/gen/items?limit=60`);
    expect(body.numberMatched).toBe(230);
    expect(body.features).toHaveLength(60);
    expect(body.links.find((l) => l.rel === 'next')?.href).toContain('/collections/gen/items?');
  });

  it('matches datetime instants and intervals inclusive at both ends, open ends included', async () => {
    const q = async (dt: string) =>
      ids((await getJson(`${api.url}/search?collections=timed&datetime=${dt}`)).body);
    expect(await q('2020-01-01T00:00:00Z')).toEqual(['a']);
    expect(await q('2020-01-01T00:00:00Z/2021-01-01T00:00:00Z')).toEqual(['a', 'b', 'c', 'r']);
    expect(await q('../2020-01-01T00:00:00Z')).toEqual(['a']);
    expect(await q('2021-01-01T00:00:00Z/..')).toEqual(['c', 'z']);
    expect(await q('2022-01-01T00:00:00.500Z/')).toEqual(['z']);
  });

  it('matches an item with only start/end datetimes when its range intersects the interval', async () => {
    const q = async (dt: string) =>
      ids((await getJson(`${api.url}/search?collections=timed&datetime=${dt}`)).body);
    expect(await q('2020-06-30T00:00:00Z/2020-08-01T00:00:00Z')).toEqual(['r']);
    expect(await q('2020-04-01T00:00:00Z/2020-05-01T00:00:00Z')).toEqual(['r']);
    expect(await q('2020-07-01T00:00:00Z')).toEqual(['r']);
    expect(await q('2020-07-01T00:00:00.001Z/..')).toEqual(['c', 'z']);
  });

  it('filters by ids and by bbox, across the antimeridian too', async () => {
    const byIds = await post(`${api.url}/search`, { ids: ['c', 'a', 'missing'] });
    expect(ids(byIds.body)).toEqual(['a', 'c']);
    const box = await getJson(`${api.url}/search?collections=timed&bbox=-1,-1,2,2`);
    expect(ids(box.body)).toEqual(['z']);
    const across = await post(`${api.url}/search`, { collections: ['timed'], bbox: [175, -5, -175, 5] });
    expect(ids(across.body)).toEqual(['b', 'c']);
  });

  it('returns an empty last page for a search matching nothing', async () => {
    const { status, body } = await getJson(
      `${api.url}/search?collections=timed&datetime=1999-01-01T00:00:00Z`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ numberMatched: 0, numberReturned: 0, features: [] });
    expect(body.links.some((l) => l.rel === 'next')).toBe(false);
  });

  it('answers bad requests with 400 and a {code, description} body', async () => {
    const bad = [
      () => fetch(`${api.url}/search`, { method: 'POST', body: '{"collections":' }),
      () => fetch(`${api.url}/search?bbox=1,2,3`),
      () => fetch(`${api.url}/search?bbox=0,10,1,5`),
      () => fetch(`${api.url}/search?bbox=a,b,c,d`),
      () => fetch(`${api.url}/search?datetime=2020-13-45T00:00:00Z`),
      () => fetch(`${api.url}/search?datetime=yesterday`),
      () => fetch(`${api.url}/search?datetime=../..`),
      () => fetch(`${api.url}/search?datetime=2021-01-01T00:00:00Z/2020-01-01T00:00:00Z`),
      () => fetch(`${api.url}/search?limit=0`),
      () => fetch(`${api.url}/search?token=forged`),
      () => fetch(`${api.url}/search`, { method: 'POST', body: '[1,2]' }),
      () => fetch(`${api.url}/search`, { method: 'POST', body: JSON.stringify({ filter: { op: '=' } }) }),
    ];
    for (const send of bad) {
      const res = await send();
      expect(res.status).toBe(400);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.code).toBe('BadRequest');
      expect(typeof body.description).toBe('string');
    }
  });

  it('answers an oversized body with 413 and a method it does not allow with 405', async () => {
    const huge = JSON.stringify({ ids: Array.from({ length: 120_000 }, (_, i) => `item-${i}`) });
    const res = await fetch(`${api.url}/search`, { method: 'POST', body: huge });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PayloadTooLarge' });
    const del = await fetch(`${api.url}/collections/gen`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(await del.json()).toMatchObject({ code: 'MethodNotAllowed' });
  });

  it('reaches nothing outside the catalog through any path', async () => {
    const net = await import('node:net');
    const { port } = new URL(api.url);
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (d) => {
          text += d.toString();
        });
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    const targets = [
      '/../../../../etc/passwd',
      '/collections/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/collections/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/collections/gen/items/..%2F..%2F..%2Fpackage.json',
      '//etc/passwd',
      '/collections/__proto__',
      '/collections/gen/items/constructor',
      '/search/../../src/mock-api/server.ts',
    ];
    for (const target of targets) {
      const text = await raw(target);
      expect(text.split('\r\n')[0], target).toMatch(/^HTTP\/1\.1 (400|404)/);
      expect(text).not.toMatch(/root:|"name": "stac-ingest-bench"|startStacApi/);
      expect(text).toMatch(/"code":"(NotFound|BadRequest)"/);
    }
  });

  it('counts requests per route in its metrics', async () => {
    api.resetMetrics();
    await fetch(`${api.url}/`).then((r) => r.text());
    await fetch(`${api.url}/search`).then((r) => r.text());
    await fetch(`${api.url}/nowhere`).then((r) => r.text());
    const m = api.metrics();
    expect(m.requests).toBe(3);
    expect(m.byRoute).toEqual({ landing: 1, search: 1, 'not-found': 1 });
    expect(m.byStatus).toEqual({ '200': 2, '404': 1 });
    expect(m.pages).toBe(1);
    expect(m.pageItems).toBe(50);
    expect(m.cpuUserMs + m.cpuSystemMs).toBeGreaterThan(0);
  });
});

describe('the local STAC API knobs', () => {
  it('answers beyond the rate limit with 429 and a Retry-After in seconds', async () => {
    const api = await startStacApi({ items: 5, rateLimit: 2 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${api.url}/conformance`);
        statuses.push(res.status);
        if (res.status === 429) {
          retryAfter = res.headers.get('retry-after');
          expect(await res.json()).toMatchObject({ code: 'TooManyRequests' });
        } else await res.text();
      }
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(api.metrics().rateLimited).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });

  it('fails about the configured share of requests with 500 or 503, the same way for the same seed', async () => {
    const run = async () => {
      const api = await startStacApi({ items: 5, failRate: 0.3, seed: 11 });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 60; i++) {
          const res = await fetch(`${api.url}/conformance`);
          await res.text();
          statuses.push(res.status);
        }
        expect(api.metrics().faults).toBe(statuses.filter((s) => s !== 200).length);
        return statuses;
      } finally {
        await api.close();
      }
    };
    const first = await run();
    const failed = first.filter((s) => s !== 200);
    expect(new Set(failed)).toEqual(new Set([500, 503]));
    expect(failed.length).toBeGreaterThan(6);
    expect(failed.length).toBeLessThan(36);
    expect(await run()).toEqual(first);
  });

  it('compresses answers for clients that accept gzip', async () => {
    const api = await startStacApi({ items: 20, gzip: true });
    try {
      const http = await import('node:http');
      const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        http
          .get(`${api.url}/search`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
            );
          })
          .on('error', reject);
      });
      expect(raw.encoding).toBe('gzip');
      expect(JSON.parse(gunzipSync(raw.body).toString()).numberReturned).toBe(20);
    } finally {
      await api.close();
    }
  });

  it('counts the peak of requests in flight while latency holds them', async () => {
    const api = await startStacApi({ items: 5, latencyMs: 150, jitterMs: 0 });
    try {
      await Promise.all(Array.from({ length: 6 }, () => fetch(`${api.url}/search`).then((r) => r.text())));
      const m = api.metrics();
      expect(m.peakInFlight).toBe(6);
      expect(m.inFlight).toBe(0);
      expect(m.byRoute.search).toBe(6);
    } finally {
      await api.close();
    }
  });

  it('refuses to start with a bad knob, naming it', async () => {
    await expect(startStacApi({ items: 1, failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(startStacApi({ items: 1, port: 70_000 })).rejects.toThrow(/port/);
  });
});
