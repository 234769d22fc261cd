/**
 * Finds how to search a STAC API: reads the landing page (search link and its methods), checks the
 * collection exists (its document gives the temporal extent partitioning uses), and builds the
 * first request of a search with the caller's parameters passed through (bbox, datetime, ids,
 * query, filter + filter-lang, fields, sortby, ...).
 */
import type { StacCollection } from '../../stac/item.js';
import { SourceError } from '../types.js';
import { type HttpClient, HttpError } from './http.js';
import type { PageRequest } from './page.js';

export interface SearchEndpoint {
  /** The API root as the caller gave it. */
  rootUrl: string;
  /** Where searches go: `/search`, or the collection's items when the API has no item search. */
  searchUrl: string;
  method: 'GET' | 'POST';
  /** True when `searchUrl` is a collection's `/items` (no `collections` parameter needed). */
  itemsRoute: boolean;
  collectionId: string | null;
  collection: StacCollection | null;
  /** True for a loopback host (no politeness cap on concurrency). */
  local: boolean;
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface RawLink {
  rel?: unknown;
  href?: unknown;
  method?: unknown;
}

async function getJson(
  client: HttpClient,
  url: string,
  what: string,
  root: string,
): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = await client.json({ url, method: 'GET' });
  } catch (e) {
    if (e instanceof HttpError && e.status === 404) throw e;
    throw new SourceError(root, `cannot read the ${what}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SourceError(root, `the ${what} at ${url} is not a JSON object`);
  }
  return doc as Record<string, unknown>;
}

/** Picks GET or POST from what the landing page offers (POST preferred); `prefer` forces one if offered. */
export function chooseSearch(
  links: RawLink[],
  base: string,
  prefer?: 'GET' | 'POST',
): { url: string; method: 'GET' | 'POST' } | null {
  const offered = links
    .filter((l) => l.rel === 'search' && typeof l.href === 'string')
    .map((l) => ({
      url: new URL(l.href as string, base).href,
      method: String(l.method ?? 'GET').toUpperCase() === 'POST' ? ('POST' as const) : ('GET' as const),
    }));
  if (offered.length === 0) return null;
  const order = prefer === 'GET' ? ['GET', 'POST'] : ['POST', 'GET'];
  for (const m of order) {
    const hit = offered.find((o) => o.method === m);
    if (hit) return hit;
  }
  return offered[0]!;
}

/** `<root>/collections`: where nearly every API keeps its collections. */
function conventionalCollectionsUrl(rootUrl: string): string {
  return new URL('collections', rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`).href;
}

async function readCollection(
  client: HttpClient,
  url: string,
  collectionId: string,
  rootUrl: string,
): Promise<StacCollection> {
  try {
    return (await getJson(client, url, 'collection', rootUrl)) as unknown as StacCollection;
  } catch (e) {
    if (e instanceof HttpError && e.status === 404) {
      throw new SourceError(rootUrl, `collection '${collectionId}' not found at ${rootUrl}`);
    }
    throw e;
  }
}

/**
 * Reads the landing page and the collection; a clear SourceError when either is missing. With
 * `parallel`, the collection is asked for at its conventional URL while the landing page is on its
 * way (one round trip instead of two; if the landing page's `data` link points elsewhere, it is
 * asked for there); without it, one request after the other, as a sequential client does.
 */
export async function openEndpoint(
  client: HttpClient,
  rootUrl: string,
  collectionId: string | undefined,
  prefer?: 'GET' | 'POST',
  parallel = true,
): Promise<SearchEndpoint> {
  const guessUrl =
    collectionId === undefined || !parallel
      ? null
      : `${conventionalCollectionsUrl(rootUrl)}/${encodeURIComponent(collectionId)}`;
  const guessed =
    guessUrl === null || collectionId === undefined
      ? null
      : readCollection(client, guessUrl, collectionId, rootUrl).then(
          (c) => ({ ok: true as const, c }),
          (e: unknown) => ({ ok: false as const, e }),
        );
  let landing: Record<string, unknown>;
  try {
    landing = await getJson(client, rootUrl, 'landing page', rootUrl);
  } catch (e) {
    await guessed;
    if (e instanceof HttpError)
      throw new SourceError(rootUrl, `no STAC API landing page here (HTTP ${e.status})`);
    throw e;
  }
  const links = (Array.isArray(landing.links) ? landing.links : []) as RawLink[];
  const dataLink = links.find((l) => l.rel === 'data' && typeof l.href === 'string');
  const collectionsUrl = dataLink
    ? new URL(dataLink.href as string, rootUrl).href.replace(/\/+$/, '')
    : conventionalCollectionsUrl(rootUrl);
  let collection: StacCollection | null = null;
  let collectionUrl: string | null = null;
  if (collectionId !== undefined) {
    collectionUrl = `${collectionsUrl}/${encodeURIComponent(collectionId)}`;
    const first = await guessed;
    if (first && collectionUrl === guessUrl) {
      if (!first.ok) throw first.e;
      collection = first.c;
    } else collection = await readCollection(client, collectionUrl, collectionId, rootUrl);
  }
  const search = chooseSearch(links, rootUrl, prefer);
  if (!search && !collectionUrl) {
    throw new SourceError(
      rootUrl,
      'the API offers no item search (no rel=search link); give a collection id',
    );
  }
  return {
    rootUrl,
    searchUrl: search?.url ?? `${collectionUrl}/items`,
    method: search?.method ?? 'GET',
    itemsRoute: !search,
    collectionId: collectionId ?? null,
    collection,
    local: isLoopback(rootUrl),
  };
}

/** A GET query value: lists comma-joined, sortby objects as `+field`, other objects as JSON. */
function queryValue(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (name === 'sortby' && value.every((v) => typeof v === 'object' && v !== null)) {
      return value
        .map((v) => {
          const s = v as { field?: string; direction?: string };
          return `${s.direction === 'desc' ? '-' : '+'}${s.field}`;
        })
        .join(',');
    }
    if (value.every((v) => typeof v !== 'object')) return value.join(',');
  }
  if (name === 'fields' && typeof value === 'object' && value !== null) {
    const f = value as { include?: string[]; exclude?: string[] };
    return [...(f.include ?? []), ...(f.exclude ?? []).map((x) => `-${x}`)].join(',');
  }
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The first request of a search: the endpoint's collection plus `params` (undefined values dropped). */
export function firstRequest(endpoint: SearchEndpoint, params: Record<string, unknown>): PageRequest {
  const all: Record<string, unknown> = {};
  if (endpoint.collectionId !== null && !endpoint.itemsRoute) all.collections = [endpoint.collectionId];
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) all[k] = v;
  if (endpoint.method === 'POST') return { url: endpoint.searchUrl, method: 'POST', body: all };
  const url = new URL(endpoint.searchUrl);
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, queryValue(k, v));
  return { url: url.href, method: 'GET' };
}
