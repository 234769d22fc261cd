/**
 * A look at a real STAC API before a benchmark run, with the ingest library's own client: how many
 * Items the collection holds (`numberMatched` or `context.matched` of one-item searches), how many
 * a page of the runs' search holds (its first page), and the round trip of a small request (the
 * median of the one-item searches). The request budget (budget.ts) and the report's heading use it.
 */
import { HttpCounters } from '../ingest/api/counters.js';
import { firstRequest, openEndpoint } from '../ingest/api/endpoint.js';
import { HttpClient } from '../ingest/api/http.js';
import { pageLimit } from '../ingest/api/index.js';
import { newPace, Pacer } from '../ingest/api/pace.js';
import { fetchPage } from '../ingest/api/page.js';
import { privateAddressesFor } from '../ingest/api/reach.js';

export interface ApiProbe {
  /** Items the collection holds, as the API counts them; null when it does not count. */
  matched: number | null;
  /** Items on a full page of the runs' search (all of them when one page holds the whole search). */
  pageSize: number;
  /** Median round trip of the one-item searches, ms. */
  latencyMs: number;
  /** Requests the probe sent. */
  requests: number;
}

/** One-item searches whose median round trip is the latency. */
export const LATENCY_SAMPLES = 3;

export interface ProbeOptions {
  /** Items per run (the runs' page limit follows from it, as the ingest decides it). */
  maxItems: number | null;
  /** The cap the runs will keep (--max-rps), kept by the probe too. */
  maxRps?: number | null;
  timeoutMs?: number;
  /** Headers to the API's origin (--header, --token-env), as the runs send them. */
  headers?: Record<string, string>;
  /** The runs' search parameters: the count and the page are those of the search the runs send. */
  search?: Record<string, unknown>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Probes the collection the runs will search; throws what the ingest would (IngestError). */
export async function probeApi(url: string, collectionId: string, options: ProbeOptions): Promise<ApiProbe> {
  const pace = options.maxRps ? newPace(options.maxRps) : undefined;
  const search = options.search ?? {};
  const counters = new HttpCounters();
  const http = {
    timeoutMs: options.timeoutMs,
    retries: 1,
    privateAddresses: await privateAddressesFor(url, 'auto'),
    headers: options.headers,
    headersOrigin: new URL(url).origin,
  };
  const client = new HttpClient(counters, { ...http, pace });
  // The timed searches wait for their turn first, so that the wait is not timed with them.
  const timed = new HttpClient(counters, http);
  const pacer = pace ? new Pacer(pace) : null;
  try {
    const endpoint = await openEndpoint(client, url, collectionId, undefined, false);
    let matched: number | null = null;
    const roundTrips: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await pacer?.take();
      const started = performance.now();
      const page = await fetchPage(timed, firstRequest(endpoint, { ...search, limit: 1 }));
      roundTrips.push(performance.now() - started);
      matched ??= page.numberMatched;
    }
    // The first page of the search the runs send: the page size they will see.
    const limit = pageLimit({}, options.maxItems ?? Number.POSITIVE_INFINITY);
    const first = await fetchPage(
      client,
      firstRequest(endpoint, limit === undefined ? search : { ...search, limit }),
    );
    return {
      matched,
      pageSize: Math.max(1, first.features),
      latencyMs: Math.round(median(roundTrips) * 10) / 10,
      requests: counters.snapshot().requests,
    };
  } finally {
    await Promise.all([client.close(), timed.close()]);
  }
}
