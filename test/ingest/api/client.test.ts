import { setTimeout as sleep } from 'node:timers/promises';
import { HttpResponse, http, type RequestHandler } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiIngestOptions,
  effectiveConcurrency,
  ingestApi,
  RepeatedNextError,
} from '../../../src/ingest/api/index.js';
import { FailureCollector, type HttpStats } from '../../../src/ingest/types.js';
import { generatedSource } from '../../../src/mock-api/catalog.js';
import { type ServedHandlers, serveHandlers, stacApiHandlers } from '../../../src/mock-api/handlers.js';
import { startStacApi } from '../../../src/mock-api/server.js';
import type { ServiceOptions } from '../../../src/mock-api/service.js';
import type { StacItem } from '../../../src/stac/item.js';

interface Seen {
  method: string;
  path: string;
  search: URLSearchParams;
  body: Record<string, unknown> | null;
  headers: Headers;
}

let served: ServedHandlers | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

/**
 * The local API's msw handlers for 95 generated items in 'c1' (page size 20), served on a port,
 * with `overrides` placed first and every request recorded.
 */
async function serve(
  overrides: (url: string) => RequestHandler[] = () => [],
  options: ServiceOptions = {},
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  served = await serveHandlers(async (url) => {
    const { handlers } = await stacApiHandlers(url, [generatedSource({ id: 'c1', count: 95, seed: 5 })], {
      pageSize: 20,
      ...options,
    });
    const record = http.all('*', async ({ request }) => {
      const u = new URL(request.url);
      const text = request.method === 'POST' ? await request.clone().text() : '';
      seen.push({
        method: request.method,
        path: u.pathname,
        search: u.searchParams,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
        headers: request.headers,
      });
      return undefined; // fall through to the next handler
    });
    return [record, ...overrides(url), ...handlers];
  });
  return { url: served.url, seen };
}

async function collect(url: string, options: ApiIngestOptions = {}): Promise<StacItem[]> {
  const items: StacItem[] = [];
  for await (const item of ingestApi(url, { collectionId: 'c1', backoffMs: 20, ...options }))
    items.push(item);
  return items;
}

const newHttp = (): HttpStats => ({ requests: 0, retries: 0, peak_in_flight: 0 });
const searches = (seen: Seen[]) => seen.filter((s) => s.path === '/search');

/** A landing page offering only the given search methods. */
const landing = (url: string, methods: string[]) =>
  http.get(`${url}/`, () =>
    HttpResponse.json({
      type: 'Catalog',
      id: 'x',
      links: [
        { rel: 'data', href: `${url}/collections` },
        ...methods.map((method) => ({ rel: 'search', href: `${url}/search`, method })),
      ],
    }),
  );

/** Two hand-made pages: the first links to the second with `link`. */
function twoPages(url: string, link: Record<string, unknown>) {
  const feature = (id: string) => ({
    type: 'Feature',
    id,
    properties: { datetime: null },
    links: [],
    assets: {},
  });
  return http.all(`${url}/search`, async ({ request }) => {
    const body = request.method === 'POST' ? ((await request.json()) as Record<string, unknown>) : {};
    const second = body.token === 'p2' || new URL(request.url).searchParams.get('token') === 'p2';
    if (second) return HttpResponse.json({ type: 'FeatureCollection', features: [feature('b')], links: [] });
    return HttpResponse.json({
      type: 'FeatureCollection',
      features: [feature('a')],
      links: [{ rel: 'next', ...link }],
    });
  });
}

describe('STAC API ingest: paging', () => {
  it('pages a GET search across next links when the landing page offers only GET', async () => {
    const { url, seen } = await serve((u) => [landing(u, ['GET'])]);
    const items = await collect(url);
    expect(items).toHaveLength(95);
    expect(new Set(items.map((i) => i.id)).size).toBe(95);
    const s = searches(seen);
    expect(s.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'GET']);
    expect(s[0]!.search.get('collections')).toBe('c1');
    expect(s[1]!.search.get('token')).toBe('next:20');
  });

  it('prefers POST when offered and merges the next body into the previous one when merge is true', async () => {
    const { url, seen } = await serve();
    const items = await collect(url, { search: { datetime: '2019-01-01T00:00:00Z/..' } });
    expect(items).toHaveLength(95);
    const s = searches(seen);
    expect(s.every((r) => r.method === 'POST')).toBe(true);
    expect(s[0]!.body).toEqual({ collections: ['c1'], datetime: '2019-01-01T00:00:00Z/..' });
    expect(s[2]!.body).toEqual({
      collections: ['c1'],
      datetime: '2019-01-01T00:00:00Z/..',
      token: 'next:40',
    });
  });

  it("sends only the link's body when merge is false", async () => {
    const { url, seen } = await serve((u) => [
      twoPages(u, { href: `${u}/search`, method: 'POST', body: { token: 'p2' } }),
    ]);
    const items = await collect(url);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(searches(seen).map((r) => r.body)).toEqual([{ collections: ['c1'] }, { token: 'p2' }]);
  });

  it("sends the link's headers with the next request", async () => {
    const link = { href: `/search?token=p2`, method: 'GET', headers: { 'x-page-key': 'abc' } };
    const { url, seen } = await serve((u) => [landing(u, ['GET']), twoPages(u, link)]);
    expect((await collect(url)).map((i) => i.id)).toEqual(['a', 'b']);
    const s = searches(seen);
    expect(s[0]!.headers.get('x-page-key')).toBeNull();
    expect(s[1]!.headers.get('x-page-key')).toBe('abc');
  });

  it('stops at a page without features even when it has a next link, and never asks for the page after', async () => {
    const { url, seen } = await serve((u) => [
      http.all(`${u}/search`, () =>
        HttpResponse.json({
          type: 'FeatureCollection',
          features: [],
          links: [{ rel: 'next', href: `${u}/search?token=never` }],
        }),
      ),
    ]);
    expect(await collect(url)).toEqual([]);
    expect(searches(seen)).toHaveLength(1);
  });

  it.each(['sequential', 'concurrent'] as const)(
    '%s stops with an error instead of looping when a next link repeats',
    async (strategy) => {
      const { url } = await serve((u) => [
        landing(u, ['GET']),
        http.get(`${u}/search`, () =>
          HttpResponse.json({
            type: 'FeatureCollection',
            features: [{ type: 'Feature', id: 'same', properties: {}, links: [], assets: {} }],
            links: [{ rel: 'next', href: `${u}/search?token=loop`, method: 'GET' }],
          }),
        ),
      ]);
      await expect(collect(url, { strategy, concurrency: 3 })).rejects.toThrow(RepeatedNextError);
    },
  );

  it('says which collection is missing and where', async () => {
    const { url } = await serve();
    await expect(collect(url, { collectionId: 'nope' })).rejects.toThrow(
      `collection 'nope' not found at ${url}`,
    );
  });

  it("reads the collection where the landing page's data link points", async () => {
    const { url, seen } = await serve((u) => [
      http.get(`${u}/`, () =>
        HttpResponse.json({
          links: [
            { rel: 'data', href: `${u}/elsewhere/collections` },
            { rel: 'search', href: `${u}/search`, method: 'POST' },
          ],
        }),
      ),
      http.get(`${u}/elsewhere/collections/c1`, () =>
        HttpResponse.json({ type: 'Collection', id: 'c1', links: [] }),
      ),
    ]);
    expect(await collect(url)).toHaveLength(95);
    expect(seen.map((s) => s.path)).toContain('/elsewhere/collections/c1');
  });

  it('names the URL when there is no STAC API at all', async () => {
    const { url } = await serve((u) => [
      http.get(`${u}/`, () => new HttpResponse('nothing here', { status: 404 })),
    ]);
    await expect(collect(url)).rejects.toThrow(`${url}: no STAC API landing page here (HTTP 404)`);
  });

  it('counts features that are not Items as failures and goes on', async () => {
    const { url } = await serve((u) => [
      http.all(`${u}/search`, () =>
        HttpResponse.json({
          type: 'FeatureCollection',
          features: [{ type: 'Feature', id: 'ok', properties: {} }, { type: 'Feature' }, 42],
          links: [],
        }),
      ),
    ]);
    const failures = new FailureCollector();
    expect((await collect(url, { failures })).map((i) => i.id)).toEqual(['ok']);
    expect(failures.count).toBe(2);
    expect(failures.failures[0]!.source).toBe(`POST ${url}/search`);
  });

  it('asks for no more than maxItems and yields exactly that many', async () => {
    const { url, seen } = await serve();
    const items = await collect(url, { maxItems: 7 });
    expect(items).toHaveLength(7);
    expect(searches(seen)).toHaveLength(1);
    expect(searches(seen)[0]!.body).toMatchObject({ limit: 7 });
    const capped = await collect(url, { maxItems: 30, search: { limit: 50 } });
    expect(capped).toHaveLength(30);
    expect(searches(seen)[1]!.body).toMatchObject({ limit: 30 });
  });

  it('passes search parameters through, by POST as JSON and by GET as query parameters', async () => {
    const empty = (u: string) =>
      http.all(`${u}/search`, () =>
        HttpResponse.json({ type: 'FeatureCollection', features: [], links: [] }),
      );
    const search = {
      bbox: [1, 2, 3, 4],
      datetime: '2020-01-01T00:00:00Z/..',
      ids: ['x', 'y'],
      query: { 'eo:cloud_cover': { lt: 10 } },
      filter: { op: '<', args: [{ property: 'eo:cloud_cover' }, 10] },
      'filter-lang': 'cql2-json',
      fields: { include: ['id'], exclude: ['assets'] },
      sortby: [{ field: 'datetime', direction: 'desc' }],
    };
    const viaPost = await serve((u) => [empty(u)]);
    await collect(viaPost.url, { search });
    expect(searches(viaPost.seen)[0]!.body).toEqual({ collections: ['c1'], ...search });
    await served?.close();
    const viaGet = await serve((u) => [landing(u, ['GET']), empty(u)]);
    await collect(viaGet.url, { search });
    const q = searches(viaGet.seen)[0]!.search;
    expect(q.get('bbox')).toBe('1,2,3,4');
    expect(q.get('ids')).toBe('x,y');
    expect(JSON.parse(q.get('filter')!)).toEqual(search.filter);
    expect(q.get('filter-lang')).toBe('cql2-json');
    expect(q.get('fields')).toBe('id,-assets');
    expect(q.get('sortby')).toBe('-datetime');
    expect(JSON.parse(q.get('query')!)).toEqual(search.query);
  });

  it('sets a User-Agent and accepts gzip', async () => {
    const { url, seen } = await serve();
    await collect(url, { maxItems: 1 });
    expect(seen[0]!.headers.get('user-agent')).toMatch(/^stac-ingest-bench\//);
    expect(seen[0]!.headers.get('accept-encoding')).toContain('gzip');
    const api = await startStacApi({ items: 45, collectionId: 'c1', gzip: true, pageSize: 20 });
    try {
      expect(await collect(api.url)).toHaveLength(45);
    } finally {
      await api.close();
    }
  });
});

describe('STAC API ingest: retries and timeouts', () => {
  /** Answers the first `times` search requests with `fail()`, then lets them through. */
  const failFirst = (u: string, times: number, fail: () => Response | Promise<Response>) => {
    let left = times;
    return http.all(`${u}/search`, () => (left-- > 0 ? fail() : undefined));
  };

  it('retries a 429 after the Retry-After the server asked for', async () => {
    const { url } = await serve((u) => [
      failFirst(u, 1, () =>
        HttpResponse.json({ code: 'TooManyRequests' }, { status: 429, headers: { 'retry-after': '1' } }),
      ),
    ]);
    const stats = newHttp();
    const started = performance.now();
    expect(await collect(url, { http: stats })).toHaveLength(95);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(stats.retries).toBe(1);
  });

  it('retries 500 and 503 with backoff and then succeeds', async () => {
    const { url } = await serve((u) => [
      failFirst(u, 3, () => HttpResponse.json({ code: 'x' }, { status: 503 })),
    ]);
    const stats = newHttp();
    expect(await collect(url, { http: stats })).toHaveLength(95);
    expect(stats.retries).toBe(3);
    expect(stats.requests).toBe(2 + 5 + 3);
  });

  it('gives up after the retry limit with the status, the server description and the URL', async () => {
    const { url } = await serve((u) => [
      failFirst(u, 100, () =>
        HttpResponse.json({ code: 'Boom', description: 'disk on fire' }, { status: 500 }),
      ),
    ]);
    const stats = newHttp();
    await expect(collect(url, { retries: 2, http: stats })).rejects.toThrow(
      `POST ${url}/search: HTTP 500 Boom: disk on fire`,
    );
    expect(stats.retries).toBe(2);
  });

  it('does not retry a 400', async () => {
    const { url } = await serve((u) => [
      failFirst(u, 100, () => HttpResponse.json({ code: 'BadRequest' }, { status: 400 })),
    ]);
    const stats = newHttp();
    await expect(collect(url, { http: stats })).rejects.toThrow(/HTTP 400/);
    expect(stats.retries).toBe(0);
  });

  it('retries a network error', async () => {
    const { url } = await serve((u) => [failFirst(u, 2, () => HttpResponse.error())]);
    const stats = newHttp();
    expect(await collect(url, { http: stats })).toHaveLength(95);
    expect(stats.retries).toBe(2);
  });

  it('times out a request that does not answer, retries it, and reports a timeout when none answers', async () => {
    const slow = async () => {
      await sleep(1500);
      return HttpResponse.json({});
    };
    const once = await serve((u) => [failFirst(u, 1, slow)]);
    const stats = newHttp();
    expect(await collect(once.url, { timeoutMs: 300, http: stats })).toHaveLength(95);
    expect(stats.retries).toBe(1);
    await served?.close();
    const always = await serve((u) => [failFirst(u, 100, slow)]);
    await expect(collect(always.url, { timeoutMs: 200, retries: 1 })).rejects.toThrow(
      /timed out after 200 ms/,
    );
  });
});

describe('STAC API ingest: options', () => {
  it('caps concurrency towards a non-local host unless raised explicitly', () => {
    expect(effectiveConcurrency('concurrent', { concurrency: 20 }, false)).toBe(4);
    expect(effectiveConcurrency('concurrent', { concurrency: 20, maxRemoteConcurrency: 16 }, false)).toBe(16);
    expect(effectiveConcurrency('concurrent', { concurrency: 20 }, true)).toBe(20);
    expect(effectiveConcurrency('sequential', { concurrency: 20 }, true)).toBe(1);
  });

  it('refuses a URL that is not http(s) and a bad limit, naming them', () => {
    expect(() => ingestApi('ftp://example.com')).toThrow(/http\(s\)/);
    expect(() => ingestApi('http://127.0.0.1:1', { search: { limit: 0 } })).toThrow(/limit/);
  });
});
