/**
 * The server floor of the api-search benchmark: every page of a collection of the local STAC API
 * fetched one after another and read as text, nothing parsed but the page's head (counts and
 * links come before the features in this server's pages). Its time is latency + the server's own
 * time + transfer per page: the least one stream of pages can take, whatever the client does.
 */
import { Agent, request } from 'undici';

export interface RawPages {
  pages: number;
  items: number;
  bytes: number;
}

const FEATURES = ',"features":[';

interface Head {
  numberReturned?: number;
  links?: { rel?: string; href?: string }[];
}

/** Reads the head of one of this server's pages (everything before the features). */
export function pageHead(text: string, url: string): Head {
  const cut = text.indexOf(FEATURES);
  if (cut < 0) throw new Error(`${url}: not a page of the local STAC API (no features after the links)`);
  return JSON.parse(`${text.slice(0, cut)}}`) as Head;
}

export async function fetchRawPages(apiUrl: string, collectionId: string): Promise<RawPages> {
  const agent = new Agent({ connections: 1 });
  const out: RawPages = { pages: 0, items: 0, bytes: 0 };
  try {
    let next: string | undefined = `${apiUrl}/collections/${encodeURIComponent(collectionId)}/items`;
    while (next) {
      const res = await request(next, { dispatcher: agent });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${next}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
      const head = pageHead(text, next);
      out.pages++;
      out.items += head.numberReturned ?? 0;
      out.bytes += text.length;
      next = head.numberReturned ? head.links?.find((l) => l.rel === 'next')?.href : undefined;
    }
    return out;
  } finally {
    await agent.close();
  }
}

/** Mean bytes of one Item of a local API collection, from its first page (null: an empty page). */
export async function meanItemBytes(apiUrl: string, collectionId: string): Promise<number | null> {
  const url = `${apiUrl}/collections/${encodeURIComponent(collectionId)}/items`;
  const text = await (await fetch(url)).text();
  const n = pageHead(text, url).numberReturned ?? 0;
  return n ? Math.round(text.length / n) : null;
}
