/**
 * STAC API ingest: streams the Items of a collection (or a whole search) from a STAC API URL with
 * one of the three strategies. Works against any STAC API (https included): GET or POST is chosen
 * from what the landing page offers, the collection is checked first, search parameters in
 * `options.search` are passed through, and `options.http` is kept current while it runs.
 *
 * - `maxItems` and the page `limit` are decided in one place (`pageLimit`), and `maxItems` stops
 *   the stream in one place (`take`), whatever the strategy.
 * - Towards a host that is not loopback, concurrency is capped at `maxRemoteConcurrency`
 *   (default 4) to stay polite; raise that option explicitly to go further. `maxRps` caps the
 *   request rate of the whole ingest (pace.ts): the crawl workers share the caller's schedule.
 * - A page that cannot be fetched after the retries or read (not JSON, not a FeatureCollection, a
 *   `next` link that repeats or is not an http(s) URL) ends the ingest with an error naming its URL.
 *   It is not skipped (the pages after it are reached through it), but every Item already received
 *   is yielded before the error is raised, under every strategy: the crawl stops starting requests,
 *   cancels those in flight and delivers the pages it holds. A feature that is not an Item is
 *   counted in `options.failures` and skipped.
 */
import type { StacItem } from '../../stac/item.js';
import { FailureCollector, type IngestOptions, STRATEGIES, type StrategyName } from '../types.js';
import { parseVariant } from '../variant.js';
import { HttpCounters } from './counters.js';
import { isLoopback, openEndpoint } from './endpoint.js';
import { HttpClient, type HttpOptions } from './http.js';
import { newPace, type PaceState } from './pace.js';
import { privateAddressesFor } from './reach.js';
import { type ApiReport, type ApiRun, newApiReport } from './run.js';
import { adoptFirstPage, guessFirstPage, mayPartition } from './search-plan.js';
import { API_STRATEGIES } from './strategies.js';

export { HttpError } from './http.js';
export { RepeatedNextError } from './page.js';
export { type ApiReport, type ApiRun, newApiReport, type PartitionReport } from './run.js';
export { closeApiWorkers } from './worker-pool.js';

/** Default cap on concurrency towards a non-local host. */
export const POLITE_CONCURRENCY = 4;
/** Page size assumed for the server's default when deciding `limit` from `maxItems`. */
const SERVER_DEFAULT_PAGE = 100;

export interface ApiIngestOptions extends IngestOptions, HttpOptions {
  /** Highest concurrency used towards a host that is not loopback. Default 4. */
  maxRemoteConcurrency?: number;
  /** Filled in while it runs: method, partitions and their item counts, probes, duplicates dropped. */
  report?: ApiReport;
  /** Partitions planned per crawling slot by the partitioned strategies. Default 2. */
  partitionsPerSlot?: number;
  /**
   * A request-rate schedule shared with other ingests (`newPace(maxRps)`, pace.ts), used instead
   * of `maxRps`: the cap then holds across them, e.g. over the runs of a benchmark.
   */
  pace?: PaceState;
  /**
   * Runs the whole search with this instead of the strategy (whose concurrency still decides the
   * plan's slots), and yields nothing: the `sharded` pipeline placement plans here and crawls and
   * writes in its own workers. The run's client, counters and reach decision are set up and closed
   * around it as for any strategy.
   */
  crawlWith?: (run: ApiRun) => Promise<void>;
}

/**
 * The page size to ask for, decided once: the caller's `limit`, never above `maxItems`; with no
 * `limit`, the server's default unless `maxItems` is smaller than a page.
 */
export function pageLimit(search: Record<string, unknown>, maxItems: number): number | undefined {
  const asked = search.limit;
  if (asked !== undefined && !(Number.isInteger(asked) && (asked as number) >= 1)) {
    throw new TypeError(`search.limit must be a whole number >= 1, got ${JSON.stringify(asked)}`);
  }
  if (typeof asked === 'number') return Math.max(1, Math.min(asked, maxItems));
  return maxItems < SERVER_DEFAULT_PAGE ? Math.max(1, maxItems) : undefined;
}

export function effectiveConcurrency(
  strategy: StrategyName,
  options: ApiIngestOptions,
  local: boolean,
): number {
  if (strategy === 'sequential') return 1;
  const asked = options.concurrency ?? (strategy === 'worker-threads' ? 2 : 10);
  if (local) return asked;
  return Math.min(asked, options.maxRemoteConcurrency ?? POLITE_CONCURRENCY);
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a URL: '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`a STAC API URL must be http(s), got '${url}'`);
  }
}

/** Streams the Items of a STAC API search. */
export function ingestApi(url: string, options: ApiIngestOptions = {}): AsyncIterable<StacItem> {
  checkUrl(url);
  const strategy = options.strategy ?? 'sequential';
  if (!STRATEGIES.includes(strategy)) throw new TypeError(`strategy must be one of ${STRATEGIES.join(', ')}`);
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  const limit = pageLimit(options.search ?? {}, maxItems);
  // One schedule for the whole run: the crawl workers receive it with the HTTP options.
  const pace = options.pace ?? (options.maxRps === undefined ? undefined : newPace(options.maxRps));
  return run(url, options, strategy, maxItems, limit, pace);
}

async function* run(
  url: string,
  options: ApiIngestOptions,
  strategy: StrategyName,
  maxItems: number,
  limit: number | undefined,
  pace: PaceState | undefined,
): AsyncGenerator<StacItem> {
  if (maxItems <= 0) return;
  const counters = new HttpCounters();
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const httpOptions: HttpOptions = {
    timeoutMs: options.timeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    // Decided once from the root; workers get the decision, not the question.
    privateAddresses: await privateAddressesFor(url, options.privateAddresses, options.lookup),
    retries: options.retries,
    backoffMs: options.backoffMs,
    maxBackoffMs: options.maxBackoffMs,
    headers: options.headers,
    // The caller's headers go to the root's origin only (a hostile catalog must not get a token).
    headersOrigin: new URL(url).origin,
    userAgent: options.userAgent,
    pace,
  };
  const report = options.report ?? newApiReport();
  const failures = options.failures ?? new FailureCollector();
  let client: HttpClient | null = null;
  try {
    const concurrency = effectiveConcurrency(strategy, options, isLoopback(url));
    client = new HttpClient(
      counters,
      { ...httpOptions, concurrency, dispatcher: options.dispatcher, lookup: options.lookup },
      signal,
    );
    const params: Record<string, unknown> = { ...(options.search ?? {}) };
    if (limit !== undefined) params.limit = limit;
    else delete params.limit;
    const method = parseVariant(options.variant).method;
    // A search the strategy may partition starts with its first page: asked for now, it costs no round.
    const guess = mayPartition(params, maxItems, limit, concurrency)
      ? guessFirstPage(client, url, options.collectionId, method, params)
      : null;
    const endpoint = await openEndpoint(client, url, options.collectionId, method, concurrency > 1);
    Object.assign(report, { method: endpoint.method, searchUrl: endpoint.searchUrl, concurrency });
    const onPage = () => counters.fill(options.http);
    const apiRun: ApiRun = {
      client,
      endpoint,
      params,
      limit,
      maxItems,
      concurrency,
      failures,
      report,
      httpOptions,
      onPage,
      ...(options.onTotal ? { onTotal: onceWith(options.onTotal) } : {}),
      abort: () => controller.abort(),
      partitionsPerSlot: options.partitionsPerSlot,
      first: guess ? adoptFirstPage(guess, endpoint, params, failures, onPage) : undefined,
    };
    if (options.crawlWith) {
      await options.crawlWith(apiRun);
      return;
    }
    let count = 0;
    for await (const item of API_STRATEGIES[strategy](apiRun)) {
      yield item;
      if (++count >= maxItems) return;
    }
  } finally {
    controller.abort();
    counters.fill(options.http);
    if (options.stats) options.stats.workerElu = report.workerElu;
    await client?.close();
  }
}

/** `fn` called at most once (the first page's count; later pages repeat it). */
function onceWith(fn: (items: number) => void): (items: number) => void {
  let called = false;
  return (items) => {
    if (called) return;
    called = true;
    fn(items);
  };
}
