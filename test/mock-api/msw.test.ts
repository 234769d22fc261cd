import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { serveHandlers, stacApiHandlers } from '../../src/mock-api/handlers.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';

const BASE = 'https://stac.test/v1';
const source = () => generatedSource({ id: 'gen', count: 120, seed: 3 });

/** The same answer with the server's own origin written as a placeholder. */
const normalise = (text: string, origin: string) => text.split(origin).join('<origin>');

describe('the msw handlers', () => {
  const mocked = setupServer();
  let api: StacApi;
  beforeAll(async () => {
    const { handlers } = await stacApiHandlers(BASE, [source()], { pageSize: 40 });
    mocked.use(...handlers);
    mocked.listen({ onUnhandledRequest: 'bypass' });
    api = await startStacApi({ collections: [source()], pageSize: 40 });
  });
  afterAll(async () => {
    mocked.close();
    await api.close();
  });

  it('answer every route exactly as the node:http server does', async () => {
    const requests: [string, RequestInit?][] = [
      ['/'],
      ['/conformance'],
      ['/collections'],
      ['/collections/gen'],
      ['/collections/nope'],
      ['/collections/gen/items?limit=7'],
      ['/search?collections=gen&datetime=2023-01-01T00:00:00Z/..'],
      ['/search?bbox=1,2'],
      [
        '/search',
        { method: 'POST', body: JSON.stringify({ collections: ['gen'], limit: 5, token: 'next:5' }) },
      ],
      ['/search', { method: 'POST', body: '{oops' }],
      ['/nowhere'],
    ];
    for (const [path, init] of requests) {
      const viaMsw = await fetch(`${BASE}${path}`, init);
      const viaServer = await fetch(`${api.url}${path}`, init);
      expect(viaMsw.status, path).toBe(viaServer.status);
      expect(normalise(await viaMsw.text(), BASE), path).toBe(normalise(await viaServer.text(), api.url));
    }
  });

  it('can be served on a real port with a test override placed first', async () => {
    const served = await serveHandlers(async (url) => {
      const { handlers } = await stacApiHandlers(url, [source()], { pageSize: 40 });
      return [
        http.get(`${url}/conformance`, () => HttpResponse.json({ conformsTo: ['overridden'] })),
        ...handlers,
      ];
    });
    try {
      expect(await (await fetch(`${served.url}/conformance`)).json()).toEqual({ conformsTo: ['overridden'] });
      const page = (await (await fetch(`${served.url}/search`)).json()) as { numberMatched: number };
      expect(page.numberMatched).toBe(120);
    } finally {
      await served.close();
    }
  });
});
