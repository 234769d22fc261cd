/**
 * How the partitioned strategies cut a search. First the search's first page (asked for alongside
 * the landing page when its URL can be guessed, so it costs no round of its own): a search it holds
 * whole is not partitioned. Otherwise the probes are useful pages: the search's time range is cut
 * into max(slots, MIN_PROBES) equal slices and the first page of each is fetched (at most `slots` at
 * once). Each answer holds a page of Items and the slice's `numberMatched`, so after one round the
 * counts of all slices are known and a slice of one page is already complete. A slice holding up
 * to KEEP_TOLERANCE times a balanced share is crawled on from its page's `next` (that page is not
 * fetched twice); a larger one is cut into pieces of about a share (`subdivide`), its page's items
 * yielded and their later copies dropped.
 */
import pLimit from 'p-limit';
import { FailureCollector } from '../types.js';
import { firstRequest, type SearchEndpoint } from './endpoint.js';
import type { HttpClient } from './http.js';
import { fetchPage, type Page, type PageRequest, requestKey } from './page.js';
import {
  boundariesOf,
  equalSlices,
  type Partition,
  partitionDatetime,
  partitionRange,
  subdivide,
  type TimeRange,
} from './partition.js';
import type { ApiRun, PartitionReport } from './run.js';

/** Partitions per crawling slot: spare ones even out the tail when estimates are off. */
export const PARTITIONS_PER_SLOT = 2;
/**
 * Fewest probed slices: with few slots, `slots` slices say too little about a skewed collection
 * (2 workers and no probe left 80% of a real-looking archive in one partition); the probes' pages
 * are kept, so extra slices cost little.
 */
export const MIN_PROBES = 8;
/** A slice holding up to this many times a balanced share is crawled whole. */
export const KEEP_TOLERANCE = 1.5;
/** A page size assumed when the caller leaves it to the server. */
export const ASSUMED_PAGE = 100;

/** A slice whose first page the probe round fetched. */
export interface ProbedSlice {
  /** Its interval; `matched` is the slice's numberMatched (null when the server counts nothing). */
  partition: Partition;
  page: Page;
  report: PartitionReport;
  /** Crawled on from the page's `next` (false: complete, or cut into pieces). */
  continues: boolean;
  /** Cut into pieces: its page's items come again in them and are dropped there. */
  cut: boolean;
}

/** How a partitioned strategy crawls a search. */
export interface SearchPlan {
  range: TimeRange;
  /** The search's first page (its Items kept, their later copies dropped); null when it failed. */
  first: Page | null;
  slices: ProbedSlice[];
  /** Partitions to crawl from their start: the pieces of the slices too large to crawl whole. */
  pieces: Partition[];
  /** Every boundary between the partitions crawled (slices and pieces), sorted. */
  bounds: number[];
  /** Items per full page (the limit asked for, or what a page with a `next` held). */
  pageSize: number;
  /**
   * Why the probe round failed (a page that could not be fetched or read, a next link refused):
   * the pages it did receive are in `first` and `slices` (none continues) and are still yielded,
   * then the crawl ends with this error.
   */
  error: unknown;
}

/** The search parameters of a partition (a partition open at both ends is the search itself). */
export function paramsFor(run: ApiRun, p: Partition): Record<string, unknown> {
  if (!Number.isFinite(p.start) && !Number.isFinite(p.end)) return run.params;
  return { ...run.params, datetime: partitionDatetime(p) };
}

/** A new entry in the run's report for a partition. */
export function partitionReport(run: ApiRun, p: Partition): PartitionReport {
  const report = { datetime: partitionDatetime(p), estimated: p.matched, pages: 0, items: 0 };
  run.report.partitions.push(report);
  return report;
}

/** Fetches a slice's first page. */
async function probe(run: ApiRun, partition: Partition): Promise<ProbedSlice> {
  const request = firstRequest(run.endpoint, paramsFor(run, partition));
  const page = await fetchPage(run.client, request, run.failures);
  run.report.probes++;
  run.onPage();
  partition.matched = page.numberMatched;
  const report = partitionReport(run, partition);
  report.pages = 1;
  report.items = page.items.length;
  const more = page.next !== null && page.features > 0;
  return { partition, page, report, continues: more, cut: false };
}

/**
 * Whether a search may be partitioned for `slots` crawlers: not with one crawler, not an `ids`
 * search, not when at most a page is wanted. Known before the landing page is read.
 */
export function mayPartition(
  params: Record<string, unknown>,
  maxItems: number,
  limit: number | undefined,
  slots: number,
): boolean {
  return slots > 1 && params.ids === undefined && maxItems > (limit ?? ASSUMED_PAGE);
}

/** A first page asked for before the landing page said where searches go. */
export interface GuessedFirstPage {
  request: PageRequest;
  page: Promise<{ page: Page; failures: FailureCollector }>;
}

/**
 * Asks for the search's first page at the conventional `<root>/search` while the landing page is on
 * its way. Its failures are kept apart until the guess is adopted: a wrong guess costs one request.
 */
export function guessFirstPage(
  client: HttpClient,
  rootUrl: string,
  collectionId: string | undefined,
  method: 'GET' | 'POST' | undefined,
  params: Record<string, unknown>,
): GuessedFirstPage {
  const guess: SearchEndpoint = {
    rootUrl,
    searchUrl: new URL('search', rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`).href,
    method: method === 'GET' ? 'GET' : 'POST', // as chooseSearch prefers when the API offers both
    itemsRoute: false,
    collectionId: collectionId ?? null,
    collection: null,
    local: false,
  };
  const request = firstRequest(guess, params);
  const failures = new FailureCollector();
  const page = fetchPage(client, request, failures).then((p) => ({ page: p, failures }));
  page.catch(() => {}); // a wrong guess is never awaited
  return { request, page };
}

/** The guessed first page when it is the request the endpoint would send, else undefined. */
export function adoptFirstPage(
  guess: GuessedFirstPage,
  endpoint: SearchEndpoint,
  params: Record<string, unknown>,
  failures: FailureCollector,
  onPage: () => void,
): Promise<Page> | undefined {
  if (requestKey(firstRequest(endpoint, params)) !== requestKey(guess.request)) return undefined;
  const adopted = guess.page.then(({ page, failures: own }) => {
    for (const f of own.failures) failures.add(f.source, f.reason);
    onPage();
    return page;
  });
  adopted.catch(() => {}); // awaited by the plan, unless it returns before (no time range)
  return adopted;
}

/** The search's first page, fetched for the plan. */
export async function fetchFirstPage(run: ApiRun): Promise<Page> {
  const page = await fetchPage(run.client, firstRequest(run.endpoint, run.params), run.failures);
  run.onPage();
  return page;
}

/**
 * Plans the crawl for `slots` crawlers; null when the search is better crawled unsplit (see
 * mayPartition, or no time range to cut). The search's first page comes first (usually asked for
 * alongside the landing page, so it costs no round of its own): a search it holds whole is not
 * partitioned, at any level. Otherwise a probe round fetches the first page of `max(slots,
 * MIN_PROBES)` equal time slices; the first page's Items are kept and their later copies dropped.
 */
export async function planFor(run: ApiRun, slots: number): Promise<SearchPlan | null> {
  if (!mayPartition(run.params, run.maxItems, run.limit, slots)) return null;
  const range = partitionRange(run.params.datetime, run.endpoint.collection);
  if (!range) return null;
  let first: Page;
  try {
    first = await (run.first ?? fetchFirstPage(run));
  } catch (e) {
    const pageSize = Math.max(1, run.limit ?? ASSUMED_PAGE);
    return { range, first: null, slices: [], pieces: [], bounds: [], pageSize, error: e };
  }
  if (first.numberMatched !== null) run.onTotal?.(first.numberMatched);
  run.report.partitions.push({
    datetime: `first page of ${String(run.params.datetime ?? '..')}`,
    estimated: first.numberMatched,
    pages: 1,
    items: first.items.length,
  });
  const pageSize0 = Math.max(1, run.limit ?? first.features ?? ASSUMED_PAGE);
  if (first.features === 0 || (first.next === null && first.nextError === null)) {
    return { range, first, slices: [], pieces: [], bounds: [], pageSize: pageSize0, error: null };
  }
  const limit = pLimit(slots);
  // A failed page does not lose the others: the probes not yet sent are skipped, those in flight
  // are awaited, and the plan carries the error (see `SearchPlan.error`).
  let error: unknown = null;
  const failed = (e: unknown): null => {
    error ??= e;
    return null;
  };
  const slicesAll = equalSlices(range, Math.max(slots, MIN_PROBES));
  const probed = await Promise.all(
    slicesAll.map((p) => limit(() => (error !== null ? null : probe(run, p))).catch(failed)),
  );
  const slices = probed.filter((s): s is ProbedSlice => s !== null);
  for (const s of slices) if (s.page.features > 0) error ??= s.page.nextError;
  if (error !== null) {
    for (const s of slices) s.continues = false;
    return { range, first, slices, pieces: [], bounds: boundariesOf(slicesAll), pageSize: pageSize0, error };
  }
  const full = slices.filter((s) => s.continues).map((s) => s.page.features);
  const pageSize = Math.max(1, run.limit ?? (full.length > 0 ? Math.max(...full) : ASSUMED_PAGE));
  const total = slices.reduce((sum, s) => sum + (s.partition.matched ?? 0), 0);
  const target = total / (slots * (run.partitionsPerSlot ?? PARTITIONS_PER_SLOT));
  const crawled: Partition[] = [];
  const pieces: Partition[] = [];
  for (const s of slices) {
    const cut = s.continues
      ? subdivide(range, s.partition, Math.max(target, pageSize), KEEP_TOLERANCE)
      : null;
    if (cut) {
      s.continues = false;
      s.cut = true;
      pieces.push(...cut);
      crawled.push(...cut);
    } else crawled.push(s.partition);
  }
  return { range, first, slices, pieces, bounds: boundariesOf(crawled), pageSize, error };
}
