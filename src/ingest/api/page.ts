/**
 * Search in two layers: `fetchPage` fetches and reads one page (a FeatureCollection); `pages`
 * follows `next` links across pages as an AsyncIterable. A next request takes its method, headers
 * and body from the link; a POST body is merged into the previous one only when `merge` is true.
 * Paging stops at a page without `next` or without features; a `next` that was already followed
 * is an error (a server bug that would otherwise loop forever), and so is a `next` whose href is
 * not an http(s) URL. Either error is raised only after the page that carried the link was handed
 * on, so its Items are never lost with it.
 */
import type { Link, StacItem } from '../../stac/item.js';
import { itemProblem } from '../../stac/item-check.js';
import { IngestError } from '../errors.js';
import type { FailureCollector } from '../types.js';
import type { HttpClient } from './http.js';

/** One search request: where, how, and with what. */
export interface PageRequest {
  url: string;
  method: 'GET' | 'POST';
  /** POST only: the JSON body. */
  body?: Record<string, unknown>;
  headers?: Record<string, string | string[]>;
}

export interface Page {
  request: PageRequest;
  items: StacItem[];
  /** Features the page held (items + those rejected as not Items). */
  features: number;
  numberMatched: number | null;
  next: PageRequest | null;
  /** A `next` link the client refuses to follow (not an http(s) URL): raised after this page's Items. */
  nextError: Error | null;
}

/** Thrown when a server hands out a `next` link that was already followed. */
export class RepeatedNextError extends IngestError {
  constructor(readonly request: PageRequest) {
    super(
      request.url,
      'page',
      `${request.method} ${request.url}: the server returned a next link that was already followed (stopped instead of looping)`,
    );
    this.name = 'RepeatedNextError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request a `next` link asks for, given the request that produced the page. */
export function nextRequest(previous: PageRequest, link: Link, pageUrl: string): PageRequest {
  const url = new URL(link.href, pageUrl).href;
  const method = String(link.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const headers = link.headers ? { ...(previous.headers ?? {}), ...link.headers } : previous.headers;
  const next: PageRequest = { url, method };
  if (headers) next.headers = headers;
  if (method === 'POST') {
    const own = isRecord(link.body) ? link.body : {};
    next.body = link.merge === true ? { ...(previous.body ?? {}), ...own } : { ...own };
  }
  return next;
}

/** Reads a page answer: its Items (features that are not Items are counted as failures), next, numberMatched. */
export function readPage(request: PageRequest, doc: unknown, failures?: FailureCollector): Page {
  const where = `${request.method} ${request.url}`;
  if (!isRecord(doc) || !Array.isArray(doc.features)) {
    throw new IngestError(
      request.url,
      'page',
      `${where}: the answer is not a FeatureCollection (no features array)`,
    );
  }
  const items: StacItem[] = [];
  for (const f of doc.features as unknown[]) {
    const problem = itemProblem(f);
    if (problem === null) {
      items.push(f as unknown as StacItem);
    } else {
      const id =
        isRecord(f) && typeof f.id === 'string' && f.id.length <= 200 ? `'${f.id}'` : 'without an id';
      failures?.add(where, `feature ${id}: ${problem}`);
    }
  }
  const links = Array.isArray(doc.links) ? (doc.links as unknown[]).filter(isRecord) : [];
  const link = links.find((l) => l.rel === 'next' && typeof l.href === 'string') as Link | undefined;
  const context = isRecord(doc.context) ? doc.context : {};
  const matched = doc.numberMatched ?? context.matched;
  let next: PageRequest | null = null;
  let nextError: Error | null = null;
  if (link) {
    next = followable(request, link);
    if (!next) {
      nextError = new IngestError(
        request.url,
        'refused',
        `${where}: the next link ${JSON.stringify(link.href)} is not an http(s) URL (not followed)`,
      );
    }
  }
  return {
    request,
    items,
    features: doc.features.length,
    numberMatched: typeof matched === 'number' ? matched : null,
    next,
    nextError,
  };
}

/** The request a `next` link asks for, or null when its href is not an http(s) URL. */
function followable(request: PageRequest, link: Link): PageRequest | null {
  let next: PageRequest;
  try {
    next = nextRequest(request, link, request.url);
  } catch {
    return null;
  }
  const protocol = new URL(next.url).protocol;
  return protocol === 'http:' || protocol === 'https:' ? next : null;
}

/** Fetches and reads one page. */
export async function fetchPage(
  client: HttpClient,
  request: PageRequest,
  failures?: FailureCollector,
): Promise<Page> {
  const doc = await client.json(request);
  return readPage(request, doc, failures);
}

/** A request's identity, for the repeated-next guard. */
export function requestKey(r: PageRequest): string {
  return `${r.method} ${r.url} ${r.body === undefined ? '' : JSON.stringify(r.body)}`;
}

/** Pages of a search, one after another, from `first` until the last page. */
export async function* pages(
  client: HttpClient,
  first: PageRequest,
  failures?: FailureCollector,
): AsyncGenerator<Page> {
  const seen = new Set<string>([requestKey(first)]);
  let request: PageRequest | null = first;
  while (request) {
    const page: Page = await fetchPage(client, request, failures);
    yield page;
    if (page.features === 0) return;
    if (page.nextError) throw page.nextError;
    if (!page.next) return;
    const key = requestKey(page.next);
    if (seen.has(key)) throw new RepeatedNextError(page.next);
    seen.add(key);
    request = page.next;
  }
}
