/**
 * The `concurrent` strategy's schedule. A partition is a chain of pages: each page's `next` is only
 * known once the page before it has arrived, so a partition's pages can never overlap. When the
 * queue empties, the partition with the most pages left sets the end of the crawl; so every free
 * slot takes the page of the chain with the most pages left (highest level first, which is
 * optimal for unit tasks in chains on identical machines). A chain's length is the probes'
 * estimate until its first page, then exact: that page's `numberMatched` minus what arrived.
 *
 * The old schedule (a slot crawls a partition to its end) let the requests in flight dwindle to a
 * few over the end of a run, while a few long partitions finished; longest chain first keeps the
 * slots busy to the end and takes fewer page rounds.
 */
import { type PageRequest, requestKey } from './page.js';
import type { Partition } from './partition.js';

/** What a crawled partition reports (items before boundary duplicates were dropped). */
export interface ChainReport {
  pages: number;
  items: number;
}

/** One partition's crawl: the request to send next and what is known of its size. */
export interface Chain {
  partition: Partition;
  /** The next request (the partition's search, then each page's `next`). */
  request: PageRequest;
  /** Keys of the requests this chain sent: a `next` among them would loop. */
  sent: Set<string>;
  /** The partition's numberMatched from its first page; null before it, or when the server gives none. */
  matched: number | null;
  /** Features received so far. */
  received: number;
  report: ChainReport;
}

export function newChain(partition: Partition, request: PageRequest, report: ChainReport): Chain {
  return { partition, request, sent: new Set([requestKey(request)]), matched: null, received: 0, report };
}

/**
 * Pages a chain still has to fetch, at `pageSize` items per page: from the probes' estimate before
 * its first page, exactly after it; 1 when the server counts nothing (at least the next page).
 */
export function pagesLeft(chain: Chain, pageSize: number): number {
  const total = chain.report.pages === 0 ? chain.partition.matched : chain.matched;
  if (total === null) return 1;
  return Math.max(1, Math.ceil((total - chain.received) / pageSize));
}

/** Chains waiting for a slot, served longest first (ties: the one queued first). */
export class ChainQueue {
  private readonly chains: Chain[] = [];

  constructor(private readonly pageSize: number) {}

  get size(): number {
    return this.chains.length;
  }

  push(chain: Chain): void {
    this.chains.push(chain);
  }

  /** Removes and returns the chain with the most pages left. */
  take(): Chain | undefined {
    let best = -1;
    let most = -1;
    for (let i = 0; i < this.chains.length; i++) {
      const left = pagesLeft(this.chains[i]!, this.pageSize);
      if (left > most) {
        most = left;
        best = i;
      }
    }
    return best < 0 ? undefined : this.chains.splice(best, 1)[0];
  }

  /** Pages left in every queued chain. */
  pagesLeft(): number {
    return this.chains.reduce((sum, c) => sum + pagesLeft(c, this.pageSize), 0);
  }
}
