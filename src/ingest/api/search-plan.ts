/**
 * How the partitioned strategies cut a search. The probes are useful pages: the search's time range
 * is cut into max(slots, MIN_PROBES) equal slices and the first page of each is fetched (at most
 * `slots` at once; with fewer slots than slices, alongside the search's first page). Each answer holds a page of Items and the slice's `numberMatched`, so after one
 * round the counts of all slices are known and a slice of one page is already complete. A slice
 * holding up to KEEP_TOLERANCE times a balanced share is crawled on from its page's `next` (that
 * page is not fetched twice); a larger one is cut into pieces of about a share (`subdivide`), its
 * page's items yielded and their later copies dropped.
 *
 * The old plan (the search's first page plus limit=1 probes, then partitions at the probed
 * quantiles) spent a round on pages that brought no Items (the first page came again later); this
 * one keeps most probe pages, so it sends fewer requests and ends sooner.
 */
import pLimit from 'p-limit';
import { firstRequest } from './endpoint.js';
import { fetchPage, type Page } from './page.js';
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
 * are kept, so extra slices cost little. With fewer slots than this, the search's first page goes
 * with the first round (its items come again later and are dropped), so that a search of one page
 * takes one round at any level; trying `slots` slices first and then finer ones instead costs an
 * extra round, its pages fetched twice.
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
  /** The search's first page, fetched with the probes when there are more slices than slots. */
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
 * Plans the crawl for `slots` crawlers; null when the search is better crawled unsplit (one
 * crawler, an `ids` search, at most a page wanted, or no time range to cut).
 */
export async function planFor(run: ApiRun, slots: number): Promise<SearchPlan | null> {
  if (slots <= 1 || run.params.ids !== undefined) return null;
  if (run.maxItems <= (run.limit ?? ASSUMED_PAGE)) return null; // one page is all it takes
  const range = partitionRange(run.params.datetime, run.endpoint.collection);
  if (!range) return null;
  const limit = pLimit(slots);
  const count = Math.max(slots, MIN_PROBES);
  let onePage = false;
  // A failed page does not lose the others: the probes not yet sent are skipped, those in flight
  // are awaited, and the plan carries the error (see `SearchPlan.error`).
  let error: unknown = null;
  const failed = (e: unknown): null => {
    error ??= e;
    return null;
  };
  // More slices than slots: the first round also carries the search's first page, so that a
  // search of one page still ends after one round (the probes not yet sent are skipped).
  const whole =
    count > slots
      ? limit(async () => {
          const page = await fetchPage(run.client, firstRequest(run.endpoint, run.params), run.failures);
          run.onPage();
          onePage = page.features === 0 || (page.next === null && page.nextError === null);
          return page;
        }).catch(failed)
      : null;
  const slicesAll = equalSlices(range, count);
  // Probes past the first round wait for the first page: small slices can answer before it, and
  // starting the next probes then would cost a search of one page a second round.
  const firstRound = whole ? slots - 1 : count;
  const probed = await Promise.all(
    slicesAll.map((p, i) =>
      limit(async () => {
        if (i >= firstRound) await whole;
        return onePage || error !== null ? null : probe(run, p);
      }).catch(failed),
    ),
  );
  const first = whole ? await whole : null;
  if (first) {
    run.report.partitions.push({
      datetime: `first page of ${String(run.params.datetime ?? '..')}`,
      estimated: first.numberMatched,
      pages: 1,
      items: first.items.length,
    });
  }
  const pageSize0 = Math.max(1, run.limit ?? first?.features ?? ASSUMED_PAGE);
  // The search's first page held it all: a probe that failed meanwhile asked for nothing new.
  if (onePage) return { range, first, slices: [], pieces: [], bounds: [], pageSize: pageSize0, error: null };
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
