/**
 * The request budget of a benchmark against a real STAC API: how many requests the whole run will
 * send, estimated before it starts from the levels, the runs per level, the Items per run and the
 * page size (pure arithmetic; the probe in api-probe.ts supplies the figures), and whether it may
 * start. Someone else's server pays for every request: the CLI refuses a run above the budget
 * unless told to go ahead (--yes).
 */

import { MIN_PROBES, PARTITIONS_PER_SLOT } from '../ingest/api/search-plan.js';
import { WINDOW } from '../ingest/api/worker-pool.js';
import type { StrategyName } from '../ingest/types.js';

/** Requests of a run before its search: the landing page and the collection. */
export const OPENING_REQUESTS = 2;

/**
 * Requests one search run sends: the opening requests and the pages of its Items, and:
 * - for a partitioned crawl (`concurrent` or `worker-threads` with more than one slot and more
 *   than a page to fetch), the search's first page (asked for before the probes; its Items come
 *   again later), and one partly used last page per partition (the probed slices,
 *   or the slots times PARTITIONS_PER_SLOT when there are more of those);
 * - when `cut` (--max-items stops the crawl before the search ends), no partition reaches its end,
 *   but the pages fetched ahead of the consumer are sent too (requests in flight, pages waiting in
 *   the hand-over), unless the probe round's pages, all kept, already hold the Items wanted.
 * It errs high for a collection spread evenly in time; a skewed one, cut into more pieces or with
 * sparse probe pages, can cost more.
 */
export function requestsPerRun(
  strategy: StrategyName,
  concurrency: number,
  items: number,
  pageSize: number,
  cut = false,
): number {
  const pages = Math.max(1, Math.ceil(items / pageSize));
  const slots = strategy === 'sequential' ? 1 : concurrency;
  let ahead = 0;
  if (cut && strategy === 'worker-threads') ahead = slots * (2 * WINDOW + 1);
  if (cut && strategy === 'concurrent') ahead = 2 * slots;
  if (slots <= 1 || items <= pageSize) return OPENING_REQUESTS + pages + ahead;
  const slices = Math.max(slots, MIN_PROBES);
  if (cut) return OPENING_REQUESTS + 1 + (slices >= pages ? slices : pages + ahead);
  const partitions = Math.max(slices, slots * PARTITIONS_PER_SLOT);
  return OPENING_REQUESTS + pages + 1 + partitions;
}

export interface EstimateInput {
  /** The levels measured, as src/bench/cases.ts `apiLevels` lists them. */
  levels: readonly (readonly [StrategyName, number])[];
  /** Runs per level: measured runs and warm-ups. */
  runs: number;
  /** Items one run fetches. */
  items: number;
  /** --max-items stops the runs before the search ends (fewer Items than the collection holds). */
  cut: boolean;
  pageSize: number;
  /** Requests already sent before the runs (the checks and the probe). */
  before: number;
}

export interface RequestEstimate {
  total: number;
  /** Requests of one run, fewest and most over the levels. */
  perRun: { min: number; max: number };
}

/** Every level's runs times its requests per run, plus the requests already sent. */
export function estimateRequests(input: EstimateInput): RequestEstimate {
  const perLevel = input.levels.map(([strategy, c]) =>
    requestsPerRun(strategy, c, input.items, input.pageSize, input.cut),
  );
  const runs = perLevel.reduce((sum, n) => sum + n * input.runs, 0);
  return {
    total: input.before + runs,
    perRun: { min: Math.min(...perLevel), max: Math.max(...perLevel) },
  };
}

/** Items one run fetches: the collection's count capped by --max-items; null when neither is known. */
export function itemsPerRun(matched: number | null, maxItems: number | null): number | null {
  if (matched === null) return maxItems;
  return maxItems === null ? matched : Math.min(matched, maxItems);
}
