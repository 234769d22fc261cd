/**
 * `startStacApi(options)`: the local STAC API on node:http. Binds 127.0.0.1 unless told otherwise;
 * port 0 picks a free port. Serves generated items (`items`, `collectionId`, `profile`), any file
 * source the ingest library reads (`data`), or collections given directly (`collections`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { ItemProfile } from '../stac/item.js';
import { buildCatalog, type CollectionSource, generatedSource, sourcesFromItems } from './catalog.js';
import { ApiError } from './errors.js';
import { errorResponse } from './routes.js';
import { type ServiceOptions, type StacApiMetrics, StacApiService } from './service.js';

const gzip = promisify(gzipCb);

export interface StacApiOptions extends ServiceOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Compress answers for clients that accept gzip. Default false. */
  gzip?: boolean;
  /** Collections to serve, as given. */
  collections?: CollectionSource[];
  /** Several collections of generated items (serialisable: the benchmark's child process uses it). */
  generated?: { id: string; count: number; profile?: ItemProfile; seed?: number }[];
  /** Generated items in one collection (`collectionId`, default 'sentinel-2-l2a'). */
  items?: number;
  collectionId?: string;
  /** Item profile of generated items. Default 'small'. */
  profile?: ItemProfile;
  /** Seed of generated items. Default 42. */
  itemSeed?: number;
  /** A file source (directory, FeatureCollection, NDJSON, catalog, Parquet) to serve. */
  data?: string;
}

export interface StacApi {
  /** Root URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
  metrics(): StacApiMetrics;
  resetMetrics(): void;
}

async function sourcesFor(options: StacApiOptions): Promise<CollectionSource[]> {
  const id = options.collectionId ?? 'sentinel-2-l2a';
  const given = [options.collections, options.generated, options.items, options.data].filter(
    (v) => v !== undefined,
  ).length;
  if (given > 1) throw new TypeError('give one of collections, generated, items or data');
  if (options.collections) return options.collections;
  if (options.generated) return options.generated.map((g) => generatedSource(g));
  if (options.data !== undefined) {
    const { ingest } = await import('../ingest/index.js');
    return sourcesFromItems(ingest(options.data, { strategy: 'sequential' }), id);
  }
  const count = options.items ?? 0;
  if (!(Number.isInteger(count) && count >= 0))
    throw new TypeError(`items must be a whole number >= 0, got ${count}`);
  return [generatedSource({ id, count, profile: options.profile, seed: options.itemSeed })];
}

function hostForUrl(host: string, address: AddressInfo): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : address.address;
  return address.family === 'IPv6' && h !== '127.0.0.1' ? `[${h}]` : h;
}

async function readBody(req: IncomingMessage, max: number): Promise<{ body: string | null; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= max) chunks.push(chunk);
  }
  return { body: bytes === 0 ? null : Buffer.concat(chunks).toString('utf8'), bytes };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string | Buffer,
  extra: Record<string, string>,
  compress: boolean,
): Promise<void> {
  const headers: Record<string, string | number> = { 'content-type': contentType, ...extra };
  let payload: Buffer | string = text;
  if (compress && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    payload = await gzip(text);
    headers['content-encoding'] = 'gzip';
    headers.vary = 'accept-encoding';
  }
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(status, headers);
  res.end(payload);
}

function handler(service: StacApiService, origin: string, compress: boolean) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const { body, bytes } = await readBody(req, service.maxBody);
      let url: URL;
      try {
        // The origin is prefixed: a request target like `//host/x` stays a path of this server.
        url = new URL(`${origin}${req.url ?? '/'}`);
      } catch {
        const e = errorResponse(ApiError.badRequest(`malformed request target ${req.url}`));
        await respond(req, res, e.status, e.contentType, e.body, {}, false);
        return;
      }
      const answer = await service.handle({ method: req.method ?? 'GET', url, body, bodyBytes: bytes });
      await respond(req, res, answer.status, answer.contentType, answer.body, answer.headers ?? {}, compress);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(new ApiError(500, 'InternalServerError', (e as Error).message).body());
    }
  };
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), 1000);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the local STAC API; resolves once it listens and its catalog is built. */
export async function startStacApi(options: StacApiOptions = {}): Promise<StacApi> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new TypeError(`port must be a whole number within 0..65535, got ${port}`);
  }
  const sources = await sourcesFor(options);
  const server = createServer();
  server.keepAliveTimeout = 10_000;
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([e]) => {
      throw new Error(`cannot listen on ${host}:${port}: ${(e as Error).message}`);
    }),
  ]);
  const address = server.address() as AddressInfo;
  const url = `http://${hostForUrl(host, address)}:${address.port}`;
  let service: StacApiService;
  try {
    service = new StacApiService(await buildCatalog(sources, url), options);
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  server.on('request', handler(service, url, options.gzip ?? false));
  return {
    url,
    close: () => closeServer(server),
    metrics: () => service.metrics(),
    resetMetrics: () => service.resetMetrics(),
  };
}
