/** What the library throws carries its source and kind: a caller tells a missing file from a refused link without parsing messages. */
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, ingestApi, RepeatedNextError } from '../../src/ingest/api/index.js';
import { RefusedReachError } from '../../src/ingest/api/reach.js';
import { ingest } from '../../src/ingest/index.js';
import { IngestError, SourceError } from '../../src/ingest/types.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type ServedHandlers, serveHandlers, stacApiHandlers } from '../../src/mock-api/handlers.js';

let served: ServedHandlers | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

async function thrown(iterable: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of iterable);
  } catch (e) {
    return e;
  }
  return null;
}

describe('an IngestError', () => {
  it('is what a missing source throws, with kind source and the path', async () => {
    const path = join('/nonexistent', 'items');
    const e = await thrown(ingest(path));
    expect(e).toBeInstanceOf(SourceError);
    expect(e).toMatchObject({ source: path, kind: 'source' });
    expect(e).toBeInstanceOf(IngestError);
  });

  it('is what a STAC API error status, a repeated next link and a refused reach throw, each with its kind', async () => {
    served = await serveHandlers(async (url) => {
      const { handlers } = await stacApiHandlers(
        url,
        [generatedSource({ id: 'c1', count: 10, seed: 1 })],
        {},
      );
      const feature = { type: 'Feature', id: 'a', properties: { datetime: null }, links: [], assets: {} };
      return [
        http.all(`${url}/search`, () =>
          HttpResponse.json({
            type: 'FeatureCollection',
            features: [feature],
            links: [{ rel: 'next', href: `${url}/search` }],
          }),
        ),
        ...handlers,
      ];
    });
    const repeated = await thrown(ingestApi(served.url, { collectionId: 'c1', retries: 0 }));
    expect(repeated).toBeInstanceOf(RepeatedNextError);
    expect(repeated).toMatchObject({ kind: 'page' });
    const missing = await thrown(ingestApi(served.url, { collectionId: 'nope', retries: 0 }));
    expect(missing).toBeInstanceOf(IngestError);
    expect(new HttpError('GET', 'http://x.test/', 500, '')).toMatchObject({
      kind: 'http',
      source: 'http://x.test/',
    });
    expect(new RefusedReachError('http://10.0.0.1/', 'refused')).toMatchObject({
      kind: 'refused',
      source: 'http://10.0.0.1/',
    });
  });
});
