/** The one signature every ingest strategy and source shares. */
import type { Dispatcher } from 'undici';
import type { StacItem } from '../stac/item.js';
import type { Lookup, PrivateAddresses } from './api/reach.js';

export type StrategyName = 'sequential' | 'concurrent' | 'worker-threads';
export const STRATEGIES: readonly StrategyName[] = ['sequential', 'concurrent', 'worker-threads'];

/** File formats the ingest library reads and the generator writes. */
export type FileFormat = 'directory' | 'feature-collection' | 'ndjson' | 'catalog' | 'parquet';
/** What a source is read as: a file format, or any JSON document (Item, array, FeatureCollection, catalog). */
export type SourceFormat = FileFormat | 'json';

export const FILE_FORMATS: readonly FileFormat[] = [
  'directory',
  'feature-collection',
  'ndjson',
  'catalog',
  'parquet',
];

/** An input that could not be ingested: a file path or a URL, and what was wrong with it. */
export interface IngestFailure {
  source: string;
  reason: string;
}

/** Collects per-input failures; the caller reads it after (or during) iteration. */
export class FailureCollector {
  readonly failures: IngestFailure[] = [];
  add(source: string, reason: string): void {
    this.failures.push({ source, reason });
  }
  get count(): number {
    return this.failures.length;
  }
}

/** HTTP counters an API ingest fills in (the benchmark reads them). */
export interface HttpStats {
  requests: number;
  retries: number;
  peak_in_flight: number;
}

/**
 * Figures an ingest fills in while it runs (the benchmark and the tests read them). Create one, pass
 * it as `options.stats`, read it during or after iteration.
 */
export interface IngestStats {
  /** Files, byte ranges, row groups or URLs whose reading has been started (counted at dispatch). */
  reads: number;
  /** Units of work handed to the strategy (a file, a batch of files, a byte range, a row group). */
  jobs: number;
  /** Highest number of jobs in flight at once. */
  peakInFlight: number;
  /** worker-threads only: the workers' mean event-loop utilisation over the run, 0..1. */
  workerElu: number | null;
  /** The variant actually used (e.g. 'json-transfer', 'streaming', 'hyparquet'). */
  variant: string | null;
}

export function newIngestStats(): IngestStats {
  return { reads: 0, jobs: 0, peakInFlight: 0, workerElu: null, variant: null };
}

export interface IngestOptions {
  strategy?: StrategyName;
  /**
   * In-flight operations (concurrent) or worker count (worker-threads). Sequential is always 1.
   * File-source defaults: 10 (concurrent), 2 (worker-threads).
   */
  concurrency?: number;
  maxItems?: number;
  failures?: FailureCollector;
  /** Overrides format detection for file sources. */
  format?: FileFormat | 'json';
  /** Names a variant of a strategy (e.g. a Parquet reader, whole-file vs streaming). */
  variant?: string;
  /** STAC API mode: the collection to ingest. */
  collectionId?: string;
  /** STAC API mode: counters filled in while ingesting. */
  http?: HttpStats;
  /** Filled in while ingesting (reads, jobs, workers' ELU, variant used). */
  stats?: IngestStats;
  /** Files per worker task (worker-threads on a directory/catalog). Default 64. */
  batchSize?: number;
  /** Stops the ingest early. */
  signal?: AbortSignal;
  /**
   * Called once, as soon as it is known, with the number of Items the source holds (before
   * `maxItems`; failures count in it): an items directory's `*.json` files once listed, a Parquet
   * file's rows from its footer, a STAC API search's `numberMatched` (or `context.matched`) from
   * its first page. Not called when that count is known only at the end (a catalog, NDJSON, a
   * FeatureCollection, an API that does not count), nor when `collectionId` filters a file source.
   */
  onTotal?: (items: number) => void;
  /** STAC API search parameters passed through (bbox, datetime, ids, query, filter, fields, sortby...). */
  search?: Record<string, unknown>;
  /**
   * Remote documents and pages (a static catalog over http(s), a STAC API): the largest body
   * accepted, in bytes after decompression. Default 64 MiB. A larger one is a counted failure (a
   * catalog document) or ends the crawl with an error (an API page).
   */
  maxBodyBytes?: number;
  /** Remote requests: time allowed for one request (headers and body), ms. Default 30,000. */
  timeoutMs?: number;
  /** Remote requests: retries of a timeout, a network error, 429 or 5xx. Default 5. */
  retries?: number;
  /**
   * Remote requests (a STAC API, a static catalog over http(s)): at most this many start per
   * second, retries included, for the whole ingest: the crawl workers of `worker-threads` share
   * one schedule with the caller's thread (not a share each). Default: no cap.
   */
  maxRps?: number;
  /**
   * Whether remote requests may reach private, loopback and link-local addresses. `auto` (the
   * default): refused when the root is on a public host, allowed when it is on this machine or a
   * private network.
   */
  privateAddresses?: PrivateAddresses;
  /**
   * Remote sources: headers sent with each request to the source's own origin (scheme, host and
   * port), such as `Authorization` or an API key. Never sent to another origin: a link, `next` link
   * or redirect that leaves it goes without them, so a catalog cannot hand them to another host.
   */
  headers?: Record<string, string>;
  /** A static catalog over http(s): follow links to hosts other than the root's. Default true. */
  otherHosts?: boolean;
  /** Remote requests go through this undici dispatcher (tests: a MockAgent). */
  dispatcher?: Dispatcher;
  /** Resolves host names for the private-address check (tests; default `dns.lookup`). */
  lookup?: Lookup;
}

export { IngestError, type IngestErrorKind, SourceError } from './errors.js';

export type IngestFn = (source: string, options?: IngestOptions) => AsyncIterable<StacItem>;
