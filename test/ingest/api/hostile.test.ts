/**
 * A hostile STAC API, under every strategy: a page that inflates past the byte limit, or a `next`
 * link that leaves http(s), ends the crawl with a clear error; the process never dies for it.
 */
import { gzipSync } from 'node:zlib';
import { HttpResponse, http, type RequestHandler } from 'msw';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeApiWorkers, ingestApi } from '../../../src/ingest/api/index.js';
import { STRATEGIES } from '../../../src/ingest/types.js';
import { generatedSource } from '../../../src/mock-api/catalog.js';
import { type ServedHandlers, serveHandlers, stacApiHandlers } from '../../../src/mock-api/handlers.js';

const MiB = 1 << 20;
/** Expands to 64 MiB: far past the 1 MiB limit the tests set, small on the wire. */
const BOMB = gzipSync(Buffer.alloc(64 * MiB, 0x20));

let served: ServedHandlers | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});
afterAll(() => closeApiWorkers());

/** The local API's handlers for a small collection, with `search` answering every search. */
async function serve(search: (url: string) => RequestHandler): Promise<string> {
  served = await serveHandlers(async (url) => {
    const { handlers } = await stacApiHandlers(url, [generatedSource({ id: 'c1', count: 40, seed: 3 })], {
      pageSize: 20,
    });
    return [search(url), ...handlers];
  });
  return served.url;
}

async function drain(url: string, options: Parameters<typeof ingestApi>[1]): Promise<number> {
  let n = 0;
  for await (const _ of ingestApi(url, { collectionId: 'c1', backoffMs: 5, retries: 0, ...options })) n++;
  return n;
}

describe.each(STRATEGIES)('a hostile STAC API under %s', (strategy) => {
  it('a page that decompresses past the byte limit ends the crawl with a clear error', async () => {
    const url = await serve((u) =>
      http.all(`${u}/search`, () =>
        HttpResponse.arrayBuffer(BOMB.buffer.slice(BOMB.byteOffset, BOMB.byteOffset + BOMB.length), {
          headers: { 'content-type': 'application/geo+json', 'content-encoding': 'gzip' },
        }),
      ),
    );
    await expect(drain(url, { strategy, concurrency: 2, maxBodyBytes: MiB })).rejects.toThrow(
      /the decompressed body is larger than the limit of 1 MiB \(maxBodyBytes\)/,
    );
  });

  it('a next link that leaves http(s) is refused, never read', async () => {
    const feature = {
      type: 'Feature',
      id: 'a',
      properties: { datetime: '2024-01-01T00:00:00Z' },
      links: [],
      assets: {},
    };
    const url = await serve((u) =>
      http.all(`${u}/search`, () =>
        HttpResponse.json({
          type: 'FeatureCollection',
          features: [feature],
          links: [{ rel: 'next', href: 'file:///etc/passwd' }],
        }),
      ),
    );
    const error = await drain(url, { strategy, concurrency: 2 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /the next link "file:\/\/\/etc\/passwd" is not an http\(s\) URL \(not followed\)/,
    );
    expect(error?.message).not.toContain('root:');
  });
});

describe('a STAC API on a public host', () => {
  it('cannot send the client to a private address through a next link', async () => {
    const { MockAgent } = await import('undici');
    const agent = new MockAgent();
    agent.disableNetConnect();
    const api = agent.get('https://api.public.test');
    const feature = {
      type: 'Feature',
      id: 'a',
      properties: { datetime: '2024-01-01T00:00:00Z' },
      links: [],
      assets: {},
    };
    api
      .intercept({ path: '/' })
      .reply(200, { type: 'Catalog', id: 'x', links: [{ rel: 'search', href: '/search', method: 'GET' }] })
      .persist();
    api
      .intercept({ path: '/collections/c1' })
      .reply(200, { type: 'Collection', id: 'c1', links: [] })
      .persist();
    api
      .intercept({ path: (p: string) => p.startsWith('/search') })
      .reply(200, {
        type: 'FeatureCollection',
        features: [feature],
        links: [{ rel: 'next', href: 'http://169.254.169.254/latest/meta-data/' }],
      })
      .persist();
    const lookup = async (host: string) => {
      if (host === 'api.public.test') return [{ address: '203.0.113.20', family: 4 }];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    try {
      const got: string[] = [];
      const run = async () => {
        for await (const item of ingestApi('https://api.public.test/', {
          collectionId: 'c1',
          dispatcher: agent,
          lookup,
          retries: 0,
        }))
          got.push(item.id);
      };
      await expect(run()).rejects.toThrow(
        /refused 'http:\/\/169\.254\.169\.254\/latest\/meta-data\/': 169\.254\.169\.254 is a private or loopback address/,
      );
      expect(got).toEqual(['a']);
    } finally {
      await agent.close();
    }
  });
});
