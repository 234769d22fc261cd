/**
 * The local STAC API as msw request handlers, for unit tests: the same `StacApiService` (routes,
 * knobs, metrics) as the node:http server, reached through msw instead of a socket.
 *
 * msw does not intercept undici's own `request`/`Pool`, which the ingest client uses; so
 * `serveHandlers` puts any list of msw handlers (these, or a test's own overrides placed first) on
 * a real 127.0.0.1 port, answering each request with msw's `getResponse`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, HttpResponse, http, type RequestHandler } from 'msw';
import { buildCatalog, type CollectionSource } from './catalog.js';
import { ApiError } from './errors.js';
import { type ServiceOptions, StacApiService } from './service.js';

export interface StacApiHandlers {
  handlers: RequestHandler[];
  service: StacApiService;
}

/** Handlers answering every request under `baseUrl` (e.g. `https://stac.test/v1`) from `collections`. */
export async function stacApiHandlers(
  baseUrl: string,
  collections: CollectionSource[],
  options: ServiceOptions = {},
): Promise<StacApiHandlers> {
  const base = baseUrl.replace(/\/+$/, '');
  const service = new StacApiService(await buildCatalog(collections, base), options);
  const resolver = async ({ request }: { request: Request }) => {
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.text();
    const res = await service.handle({ method: request.method, url: new URL(request.url), body });
    return new HttpResponse(res.body, {
      status: res.status,
      headers: { 'content-type': res.contentType, ...(res.headers ?? {}) },
    });
  };
  return { handlers: [http.all(base, resolver), http.all(`${base}/*`, resolver)], service };
}

export interface ServedHandlers {
  url: string;
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, origin: string, body: Buffer): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`${origin}${req.url ?? '/'}`, { method, headers, body: hasBody ? body : null });
}

/**
 * Serves msw handlers on 127.0.0.1 (a free port). `build` receives the root URL and returns the
 * handlers, first match wins; a request no handler answers gets a 404 STAC error body.
 */
export async function serveHandlers(
  build: (url: string) => RequestHandler[] | Promise<RequestHandler[]>,
): Promise<ServedHandlers> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handlers = await build(url);
  server.on('request', async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    try {
      const response = await getResponse(handlers, toRequest(req, url, Buffer.concat(chunks)));
      if (response?.type === 'error') {
        req.socket.destroy(); // HttpResponse.error(): a network error as the client sees it
        return;
      }
      if (!response) {
        const e = ApiError.notFound(`no handler for ${req.method} ${req.url}`);
        res.writeHead(e.status, { 'content-type': 'application/json' }).end(e.body());
        return;
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const payload = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, headers).end(payload);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(new ApiError(500, 'InternalServerError', (e as Error).message).body());
    }
  });
  return {
    url,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
