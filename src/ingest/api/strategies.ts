/**
 * The three strategies for a STAC API search (docs/architecture.md, "Strategies"):
 * - `sequential`: one page after another following `next` (pystac-client's way; the baseline).
 * - `concurrent`: the search cut into time partitions (search-plan.ts), `concurrency` pages in
 *   flight on this thread over one undici Agent with spare connections, each the next page of the
 *   partition with the most pages left (chain-queue.ts); parsing stays here (json-bytes.ts).
 * - `worker-threads`: `concurrency` workers each crawl partitions one after another, longest
 *   first, and parse the pages off this thread; this thread receives plain Items (structured clone).
 * Partitioned strategies drop the boundary duplicates their own partitioning creates (by id), so
 * without `maxItems` every strategy yields the same multiset of Items as `sequential`.
 */
import type { StacItem } from '../../stac/item.js';
import { type Chain, ChainQueue, type ChainReport, newChain, pagesLeft } from './chain-queue.js';
import { Channel } from './channel.js';
import { firstRequest } from './endpoint.js';
import { fetchPage, type Page, type PageRequest, pages, RepeatedNextError, requestKey } from './page.js';
import { DuplicateFilter, type Partition, splitPartition } from './partition.js';
import type { ApiRun, PartitionReport } from './run.js';
import { type ProbedSlice, paramsFor, partitionReport, planFor, type SearchPlan } from './search-plan.js';
import { apiWorkerPool, type CrawlJob } from './worker-pool.js';

export async function* sequential(run: ApiRun): AsyncGenerator<StacItem> {
  const request = firstRequest(run.endpoint, run.params);
  const report: PartitionReport = {
    datetime: String(run.params.datetime ?? '..'),
    estimated: null,
    pages: 0,
    items: 0,
  };
  run.report.partitions.push(report);
  for await (const page of pages(run.client, request, run.failures)) {
    if (report.pages === 0 && page.numberMatched !== null) run.onTotal?.(page.numberMatched);
    report.pages++;
    report.items += page.items.length;
    run.onPage();
    yield* page.items;
  }
}

/** A page handed from a crawler to the consumer; `checked`: already judged by the DuplicateFilter. */
interface Batch {
  items: StacItem[];
  checked: boolean;
}

/**
 * A partition whose first page shows more pages left than a balanced share of all the work left
 * (and more than this many) is split in two instead of crawled to its end.
 */
export const SPLIT_MIN_PAGES = 2;

/**
 * `concurrent`: up to `concurrency` requests in flight on this thread, each the next page of the
 * partition with the most pages left (ChainQueue), so the crawl ends with short chains instead of
 * one long partition. A partition whose first page (its numberMatched) shows more pages left than
 * a balanced share of all the work left is split in two halves that are queued instead: that page's
 * items are yielded and every later copy of them dropped, and the new boundary joins the duplicate
 * filter before any item is judged against it. Requests in flight never exceed the concurrency; a
 * slot stays taken until the consumer's channel took its page (backpressure).
 */
export async function* concurrent(run: ApiRun): AsyncGenerator<StacItem> {
  const plan = await planFor(run, run.concurrency);
  if (!plan) {
    yield* sequential(run);
    return;
  }
  const { range, pageSize } = plan;
  const filter = new DuplicateFilter(plan.bounds);
  yield* probedItems(plan, filter);
  if (plan.error !== null) throw plan.error;
  const channel = new Channel<Batch>(run.concurrency);
  const queue = new ChainQueue(pageSize);
  const chainOf = (p: Partition): Chain =>
    newChain(p, firstRequest(run.endpoint, paramsFor(run, p)), partitionReport(run, p));
  for (const chain of plannedCrawls(run, plan)) queue.push(chain);
  if (queue.size === 0) return;
  /** Chains a slot is working on (their pages left count in the balanced share). */
  const taken = new Set<Chain>();
  let active = 0;
  let splits = 0;
  let stopped = false;
  let failure: unknown = null;
  let settled: (() => void) | null = null;

  const halvesOf = (chain: Chain, page: Page): [Partition, Partition] | null => {
    if (chain.report.pages !== 1 || !page.next || splits >= run.concurrency * 4) return null;
    const left = pagesLeft(chain, pageSize);
    let all = queue.pagesLeft();
    for (const c of taken) all += pagesLeft(c, pageSize);
    const share = Math.ceil(all / run.concurrency);
    if (left <= Math.max(SPLIT_MIN_PAGES, share)) return null;
    return splitPartition(chain.partition, range);
  };

  /** Fetches a chain's next page, queues what follows it, hands the page to the consumer. */
  const step = async (chain: Chain): Promise<void> => {
    const page = await fetchPage(run.client, chain.request, run.failures);
    if (chain.report.pages === 0) chain.matched = page.numberMatched;
    chain.received += page.features;
    chain.report.pages++;
    chain.report.items += page.items.length;
    run.onPage();
    const halves = halvesOf(chain, page);
    if (halves) {
      run.report.splits = ++splits;
      filter.addBoundary(halves[0].end);
      const kept = page.items.filter((item) => filter.keep(item));
      filter.addYielded(page.items);
      for (const half of halves) queue.push(chainOf(half));
      pump();
      await channel.push({ items: kept, checked: true });
      return;
    }
    // A next link that cannot be followed ends the crawl, after this page's items are handed on.
    let refused: Error | null = page.features > 0 ? page.nextError : null;
    if (page.next && page.features > 0) {
      const key = requestKey(page.next);
      if (chain.sent.has(key)) refused = new RepeatedNextError(page.next);
      else {
        chain.sent.add(key);
        chain.request = page.next;
        queue.push(chain);
        pump();
      }
    }
    await channel.push({ items: page.items, checked: false });
    if (refused) throw refused;
  };
  const pump = (): void => {
    while (!stopped && active < run.concurrency) {
      const chain = queue.take();
      if (!chain) break;
      active++;
      taken.add(chain);
      step(chain)
        .catch((e: unknown) => {
          // The first failure ends the crawl: nothing new starts, requests in flight are cancelled,
          // and the channel fails only once every page already received was pushed into it.
          if (failure === null && !stopped) {
            failure = e;
            run.abort();
          }
          stopped = true;
        })
        .finally(() => {
          active--;
          taken.delete(chain);
          pump();
          if (active > 0 || (queue.size > 0 && !stopped)) return;
          if (failure !== null) channel.fail(failure);
          else channel.close();
          settled?.();
        });
    }
  };
  pump();
  try {
    for await (const batch of channel.drain()) {
      for (const item of batch.items) if (batch.checked || filter.keep(item)) yield item;
    }
  } finally {
    stopped = true;
    channel.close();
    run.abort();
    run.report.duplicatesDropped = filter.dropped;
    if (active > 0) {
      await new Promise<void>((resolve) => {
        settled = resolve;
      });
    }
  }
}

export async function* workerThreads(run: ApiRun): AsyncGenerator<StacItem> {
  const plan = await planFor(run, run.concurrency);
  const bounds = plan?.bounds ?? [];
  const filter = new DuplicateFilter(bounds);
  const job = (request: PageRequest, report: ChainReport): CrawlJob => ({
    request,
    bounds,
    counters: run.client.counters.buffer,
    http: run.httpOptions,
    onPage: (items: number) => {
      report.pages++;
      report.items += items;
      run.onPage();
    },
  });
  const jobs: CrawlJob[] = [];
  if (plan) {
    yield* probedItems(plan, filter);
    if (plan.error !== null) throw plan.error;
    // Longest first: a worker crawls a partition to its end, so the last one started sets the end.
    const crawls = plannedCrawls(run, plan);
    const left = (c: Chain) => pagesLeft(c, plan.pageSize);
    for (const c of crawls.sort((a, b) => left(b) - left(a))) jobs.push(job(c.request, c.report));
    if (jobs.length === 0) return;
  } else {
    const report = partitionReport(run, { start: -Infinity, end: Infinity, matched: null });
    report.datetime = String(run.params.datetime ?? '..');
    jobs.push(job(firstRequest(run.endpoint, run.params), report));
  }
  const crawl = apiWorkerPool().crawl(jobs, run.concurrency, run.failures);
  try {
    for await (const page of crawl.pages) {
      for (let i = 0; i < page.items.length; i++) {
        const item = page.items[i]!;
        if (filter.keep(item, page.candidates.has(i))) yield item;
      }
    }
  } finally {
    run.report.duplicatesDropped = filter.dropped;
    run.report.workerElu = await crawl.stop();
  }
}

/**
 * The probe round's Items: the search's first page (every later copy of its items dropped), then
 * each slice's page judged against every planned boundary; the items of a slice cut into pieces
 * are remembered, so their copies in the pieces are dropped.
 */
export function* probedItems(plan: SearchPlan, filter: DuplicateFilter): Generator<StacItem> {
  if (plan.first) {
    filter.addYielded(plan.first.items);
    yield* plan.first.items;
  }
  for (const s of plan.slices) {
    const kept = s.page.items.filter((item) => filter.keep(item));
    if (s.cut) filter.addYielded(s.page.items);
    yield* kept;
  }
}

/**
 * What a partitioned plan leaves to crawl after its probes, shared by both partitioned strategies:
 * each probed slice that goes on (continued from its first page's `next`), then each piece.
 */
export function plannedCrawls(run: ApiRun, plan: SearchPlan): Chain[] {
  const chains = plan.slices.filter((s) => s.continues).map(continuation);
  for (const p of plan.pieces) {
    chains.push(newChain(p, firstRequest(run.endpoint, paramsFor(run, p)), partitionReport(run, p)));
  }
  return chains;
}

/** The chain of a probed slice, continued from its first page's `next`. */
function continuation(s: ProbedSlice): Chain {
  const chain = newChain(s.partition, s.page.next!, s.report);
  chain.sent.add(requestKey(s.page.request));
  chain.matched = s.page.numberMatched;
  chain.received = s.page.features;
  return chain;
}

export const API_STRATEGIES = { sequential, concurrent, 'worker-threads': workerThreads } as const;
