/**
 * The STAC API routes, independent of any HTTP stack: a plain request in, a plain response out.
 * Both the node:http server (server.ts) and the msw handlers (handlers.ts) call `handleRoute`, so
 * the route logic exists once.
 *
 * Only the in-memory catalog is reachable: paths are matched against a fixed set of routes and ids
 * are looked up in Maps; nothing touches the file system.
 */
import type { Catalog, CatalogCollection, CatalogItem } from './catalog.js';
import { ApiError } from './errors.js';
import { encodeToken, matches, parseSearch, type SearchLimits, type SearchQuery } from './search.js';

export interface ApiRequest {
  method: string;
  /** Absolute URL of the request (already normalised: no `.` or `..` segments). */
  url: URL;
  /** The body as text (POST), or null. */
  body: string | null;
}

export type RouteName =
  | 'landing'
  | 'conformance'
  | 'collections'
  | 'collection'
  | 'items'
  | 'item'
  | 'search'
  | 'not-found';

export interface ApiResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  /** Extra headers (e.g. Retry-After). */
  headers?: Record<string, string>;
  /** Items in the body when it is a page (for the server's per-page metrics). */
  pageItems?: number;
}

export interface RouteConfig extends SearchLimits {
  /** POST `next` links: true sends only the token with `merge: true`; false sends the whole body. */
  postMerge: boolean;
}

export const CONFORMS_TO = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'https://api.stacspec.org/v1.0.0/item-search',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];

const JSON_TYPE = 'application/json';
const GEOJSON = 'application/geo+json';

/** Which route a path names, with its decoded parameters; null when it names none. */
export function matchRoute(
  catalog: Catalog,
  url: URL,
): { route: RouteName; collectionId?: string; itemId?: string } {
  const prefix = new URL(catalog.baseUrl).pathname.replace(/\/+$/, '');
  const path = url.pathname;
  if (prefix && path !== prefix && !path.startsWith(`${prefix}/`)) return { route: 'not-found' };
  const segments = path
    .slice(prefix.length)
    .split('/')
    .filter((s) => s !== '');
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { route: 'not-found' };
  }
  const [a, b, c, d, ...rest] = decoded;
  if (rest.length > 0) return { route: 'not-found' };
  if (a === undefined) return { route: 'landing' };
  if (a === 'conformance' && b === undefined) return { route: 'conformance' };
  if (a === 'search' && b === undefined) return { route: 'search' };
  if (a !== 'collections') return { route: 'not-found' };
  if (b === undefined) return { route: 'collections' };
  if (c === undefined) return { route: 'collection', collectionId: b };
  if (c !== 'items') return { route: 'not-found' };
  if (d === undefined) return { route: 'items', collectionId: b };
  return { route: 'item', collectionId: b, itemId: d };
}

const json = (status: number, value: unknown, contentType = JSON_TYPE): ApiResponse => ({
  status,
  contentType,
  body: JSON.stringify(value),
});

export function errorResponse(e: ApiError): ApiResponse {
  return { status: e.status, contentType: JSON_TYPE, body: e.body() };
}

function landing(catalog: Catalog): ApiResponse {
  const base = catalog.baseUrl;
  const links = [
    { rel: 'self', href: `${base}/`, type: JSON_TYPE },
    { rel: 'root', href: `${base}/`, type: JSON_TYPE },
    { rel: 'conformance', href: `${base}/conformance`, type: JSON_TYPE },
    { rel: 'data', href: `${base}/collections`, type: JSON_TYPE },
    { rel: 'search', href: `${base}/search`, type: GEOJSON, method: 'GET' },
    { rel: 'search', href: `${base}/search`, type: GEOJSON, method: 'POST' },
    ...[...catalog.collections.keys()].map((id) => ({
      rel: 'child',
      href: `${base}/collections/${encodeURIComponent(id)}`,
      type: JSON_TYPE,
    })),
  ];
  return json(200, {
    type: 'Catalog',
    stac_version: '1.1.0',
    id: 'stac-ingest-bench',
    title: 'stac-ingest-bench local STAC API',
    description: 'Generated or file-sourced STAC Items served for ingest benchmarks.',
    conformsTo: CONFORMS_TO,
    links,
  });
}

function collectionDoc(catalog: Catalog, entry: CatalogCollection) {
  const self = `${catalog.baseUrl}/collections/${encodeURIComponent(entry.doc.id)}`;
  return {
    ...entry.doc,
    links: [
      { rel: 'self', href: self, type: JSON_TYPE },
      { rel: 'root', href: `${catalog.baseUrl}/`, type: JSON_TYPE },
      { rel: 'parent', href: `${catalog.baseUrl}/`, type: JSON_TYPE },
      { rel: 'items', href: `${self}/items`, type: GEOJSON },
    ],
  };
}

function collectionOr404(catalog: Catalog, id: string): CatalogCollection {
  const entry = catalog.collections.get(id);
  if (!entry) throw ApiError.notFound(`collection '${id}' not found`);
  return entry;
}

/** One page of matching items and the total that matched. */
function selectPage(entries: CatalogCollection[], q: SearchQuery): { page: CatalogItem[]; matched: number } {
  const ids = q.ids ? new Set(q.ids) : null;
  const page: CatalogItem[] = [];
  let matched = 0;
  for (const entry of entries) {
    for (const item of entry.items) {
      if (!matches(item, q, ids)) continue;
      if (matched >= q.offset && page.length < q.limit) page.push(item);
      matched++;
    }
  }
  return { page, matched };
}

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

/** A page as a FeatureCollection: the items' pre-serialised bytes copied in, nothing re-serialised. */
function pageResponse(page: CatalogItem[], matched: number, links: unknown[]): ApiResponse {
  const head = `{"type":"FeatureCollection","numberMatched":${matched},"numberReturned":${page.length},"links":${JSON.stringify(links)},"features":[`;
  const parts: Buffer[] = [Buffer.from(head)];
  page.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(item.json);
  });
  parts.push(TAIL);
  return { status: 200, contentType: GEOJSON, body: Buffer.concat(parts), pageItems: page.length };
}

function getParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  return params;
}

function postParams(body: string | null): Record<string, unknown> {
  if (body === null || body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw ApiError.badRequest(`request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw ApiError.badRequest('request body must be a JSON object of search parameters');
  }
  return parsed as Record<string, unknown>;
}

function search(catalog: Catalog, req: ApiRequest, config: RouteConfig, collectionId?: string): ApiResponse {
  const post = req.method === 'POST';
  const params = post ? postParams(req.body) : getParams(req.url);
  const q = parseSearch(params, config);
  let entries: CatalogCollection[];
  if (collectionId !== undefined) entries = [collectionOr404(catalog, collectionId)];
  else if (q.collections) entries = q.collections.flatMap((id) => catalog.collections.get(id) ?? []);
  else entries = [...catalog.collections.values()];
  const { page, matched } = selectPage(entries, q);
  const links: unknown[] = [{ rel: 'root', href: `${catalog.baseUrl}/`, type: JSON_TYPE }];
  const nextOffset = q.offset + page.length;
  if (page.length > 0 && nextOffset < matched) {
    const token = encodeToken(nextOffset);
    if (post) {
      const { token: _old, ...rest } = params;
      const body = config.postMerge ? { token } : { ...rest, token };
      links.push({
        rel: 'next',
        href: req.url.href,
        type: GEOJSON,
        method: 'POST',
        body,
        merge: config.postMerge,
      });
    } else {
      const next = new URL(req.url.href);
      next.searchParams.set('token', token);
      links.push({ rel: 'next', href: next.href, type: GEOJSON, method: 'GET' });
    }
  }
  return pageResponse(page, matched, links);
}

const ALLOWED: Record<RouteName, string[]> = {
  landing: ['GET'],
  conformance: ['GET'],
  collections: ['GET'],
  collection: ['GET'],
  items: ['GET'],
  item: ['GET'],
  search: ['GET', 'POST'],
  'not-found': [],
};

/** The request's path below the API root (what error messages name). */
function pathBelowRoot(catalog: Catalog, url: URL): string {
  const prefix = new URL(catalog.baseUrl).pathname.replace(/\/+$/, '');
  return prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname;
}

/** Answers one request. Never throws: every failure is a STAC API error response. */
export function handleRoute(
  catalog: Catalog,
  req: ApiRequest,
  config: RouteConfig,
  route = matchRoute(catalog, req.url),
): ApiResponse {
  try {
    const path = pathBelowRoot(catalog, req.url);
    if (route.route === 'not-found') throw ApiError.notFound(`no such resource: ${path}`);
    if (!ALLOWED[route.route].includes(req.method)) {
      throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not allowed on ${path}`);
    }
    switch (route.route) {
      case 'landing':
        return landing(catalog);
      case 'conformance':
        return json(200, { conformsTo: CONFORMS_TO });
      case 'collections': {
        const collections = [...catalog.collections.values()].map((e) => collectionDoc(catalog, e));
        const links = [{ rel: 'self', href: `${catalog.baseUrl}/collections`, type: JSON_TYPE }];
        return json(200, { collections, links });
      }
      case 'collection':
        return json(200, collectionDoc(catalog, collectionOr404(catalog, route.collectionId!)));
      case 'items':
        return search(catalog, req, config, route.collectionId);
      case 'item': {
        const entry = collectionOr404(catalog, route.collectionId!);
        const item = entry.byId.get(route.itemId!);
        if (!item) throw ApiError.notFound(`item '${route.itemId}' not found in '${route.collectionId}'`);
        return { status: 200, contentType: GEOJSON, body: item.json };
      }
      case 'search':
        return search(catalog, req, config);
    }
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e);
    return errorResponse(new ApiError(500, 'InternalServerError', (e as Error).message));
  }
}
