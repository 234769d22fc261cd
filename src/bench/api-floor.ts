/**
 * The pages floors of the api-search benchmark: a collection's pages (the URLs of its `next` chain,
 * collected once before the measured runs) fetched with N requests in flight, every body read and
 * discarded unparsed. Its time is what the server, the latency and the transfer allow at N in
 * flight, whatever the client does with the pages: the measured ceiling of the rows at level N.
 */
import { Agent, request } from 'undici';

/** A collection's pages in the order of its `next` chain. */
export interface CollectionPages {
  urls: string[];
  /** Items over all pages (from each page's `numberReturned`). */
  items: number;
  /** Body bytes over all pages. */
  bytes: number;
}

const FEATURES = ',"features":[';

interface Head {
  numberReturned?: number;
  links?: { rel?: string; href?: string }[];
}

/** Reads the head of one of this server's pages (counts and links come before the features). */
export function pageHead(text: string, url: string): Head {
  const cut = text.indexOf(FEATURES);
  if (cut < 0) throw new Error(`${url}: not a page of the local STAC API (no features after the links)`);
  return JSON.parse(`${text.slice(0, cut)}}`) as Head;
}

/** Follows a collection's `next` chain of the local API once, keeping every page's URL. */
export async function collectPages(apiUrl: string, collectionId: string): Promise<CollectionPages> {
  const out: CollectionPages = { urls: [], items: 0, bytes: 0 };
  let next: string | undefined = `${apiUrl}/collections/${encodeURIComponent(collectionId)}/items`;
  while (next) {
    const res = await fetch(next);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${next}: HTTP ${res.status} ${text.slice(0, 200)}`);
    const head = pageHead(text, next);
    out.urls.push(next);
    out.items += head.numberReturned ?? 0;
    out.bytes += Buffer.byteLength(text);
    next = head.numberReturned ? head.links?.find((l) => l.rel === 'next')?.href : undefined;
  }
  return out;
}

/** Mean bytes of one Item over a collection's pages (their heads included); null without Items. */
export function meanItemBytes(pages: CollectionPages): number | null {
  return pages.items > 0 ? Math.round(pages.bytes / pages.items) : null;
}

export interface FetchedPages {
  requests: number;
  bytes: number;
  peakInFlight: number;
}

/**
 * Fetches every URL with up to `inFlight` requests at a time (one connection each), reading every
 * body to its end and keeping nothing of it.
 */
export async function fetchPages(urls: readonly string[], inFlight: number): Promise<FetchedPages> {
  const agent = new Agent({ connections: inFlight });
  const out: FetchedPages = { requests: 0, bytes: 0, peakInFlight: 0 };
  let next = 0;
  let open = 0;
  const lane = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++]!;
      open++;
      out.peakInFlight = Math.max(out.peakInFlight, open);
      try {
        const res = await request(url, { dispatcher: agent });
        out.requests++;
        if (res.statusCode !== 200) {
          const text = await res.body.text();
          throw new Error(`${url}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
        }
        for await (const chunk of res.body) out.bytes += (chunk as Buffer).length;
      } catch (e) {
        next = urls.length; // the other lanes start no more requests
        throw e;
      } finally {
        open--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(inFlight, urls.length) }, lane));
    return out;
  } finally {
    await agent.close();
  }
}
