/** What one API search run carries (ApiRun) and what it reports (ApiReport), shared by the strategies and the search plan. */
import type { FailureCollector } from '../types.js';
import type { SearchEndpoint } from './endpoint.js';
import type { HttpClient, HttpOptions } from './http.js';
import type { Page } from './page.js';

/** What happened in one partition: its interval, its count, and what was crawled. */
export interface PartitionReport {
  datetime: string;
  /** A probed slice: the server's numberMatched; a piece: the estimate it was cut for. */
  estimated: number | null;
  pages: number;
  /** Items the partition's pages held (before boundary duplicates were dropped). */
  items: number;
}

/** Filled in while an API ingest runs (pass `report` in the options to read it). */
export interface ApiReport {
  method: 'GET' | 'POST' | null;
  searchUrl: string | null;
  /** Effective concurrency (after the politeness cap towards non-local hosts). */
  concurrency: number;
  /** Slices whose first page the plan fetched (full pages: their Items are kept). */
  probes: number;
  partitions: PartitionReport[];
  /** Copies dropped by the partitioned strategies (boundary items, first-page, cut-slice and split-page items). */
  duplicatesDropped: number;
  /** Partitions split in two during the crawl because their first page showed more than a balanced share (concurrent). */
  splits: number;
  /** worker-threads: the workers' mean event-loop utilisation over the run. */
  workerElu: number | null;
}

export function newApiReport(): ApiReport {
  return {
    method: null,
    searchUrl: null,
    concurrency: 1,
    probes: 0,
    partitions: [],
    duplicatesDropped: 0,
    splits: 0,
    workerElu: null,
  };
}

/** Everything a strategy needs for one search. */
export interface ApiRun {
  client: HttpClient;
  endpoint: SearchEndpoint;
  /** Search parameters as the caller gave them, `limit` already decided. */
  params: Record<string, unknown>;
  /** Page size asked for (undefined: the server's default). */
  limit: number | undefined;
  maxItems: number;
  concurrency: number;
  failures: FailureCollector;
  report: ApiReport;
  httpOptions: HttpOptions;
  /** Called after every page this thread fetched (keeps the caller's HttpStats current). */
  onPage: () => void;
  /** Called with the whole search's numberMatched from its first page, when the server counts. */
  onTotal?: (items: number) => void;
  /** Partitions planned per crawling slot (default PARTITIONS_PER_SLOT). */
  partitionsPerSlot?: number;
  /** Aborts every request of the run still in flight (the consumer stopped). */
  abort: () => void;
  /**
   * The search's first page, asked for alongside the landing page (see `speculativeFirstPage`);
   * absent when it could not be guessed, then the plan asks for it itself.
   */
  first?: Promise<Page>;
}
