/**
 * The one entry point: `ingest(source, options)` streams the STAC Items of a file source (see
 * sources.ts) or, for an http(s) URL that is not a .json document, of a STAC API (api/).
 *
 * - Items stream out as they are ready, in no guaranteed order. A consumer that stops pulling stops
 *   the reading after the work in flight (at most `concurrency` jobs; workers: 2 jobs per worker).
 * - Per-input problems (a broken file, a line that is not an Item) are added to `options.failures`
 *   and iteration goes on; a source that cannot be read at all throws a SourceError naming it.
 * - `maxItems` stops after that many Items; `collectionId` keeps only Items of that collection
 *   (file sources; for a STAC API it selects the collection); `signal` aborts.
 * - `variant` tokens, joined with `+`: `parse-in-worker` (worker-threads, JSON sources: workers
 *   parse too and hand each Item over as its JSON text; by default they only read and this thread
 *   parses), `clone` (worker-threads: structured clone instead of JSON text), `whole-file` (NDJSON / Parquet: the file as one job instead of 1 MiB ranges / one job per row
 *   group; a FeatureCollection: one JSON.parse of the whole file instead of feature by
 *   feature), `hyparquet` / `parquetjs` / `parquet-wasm` (the Parquet reader).
 */
import type { StacItem } from '../stac/item.js';
import { HttpCounters } from './api/counters.js';
import { HttpClient } from './api/http.js';
import { ingestApi } from './api/index.js';
import { newPace } from './api/pace.js';
import { privateAddressesFor } from './api/reach.js';
import { isUrl } from './io/reading.js';
import { ItemStream } from './run/item-stream.js';
import type { JobResult } from './run/jobs.js';
import { STRATEGY_FNS } from './run/strategies.js';
import { planSource, type SourceFormat } from './sources.js';
import { parseVariant } from './variant.js';

export { parseVariant, VARIANT_TOKENS, type Variant } from './variant.js';

import {
  FailureCollector,
  FILE_FORMATS,
  type IngestOptions,
  newIngestStats,
  STRATEGIES,
  type StrategyName,
} from './types.js';

export { closeWorkerPool } from './run/worker-pool.js';
export type { IngestFailure, IngestOptions, IngestStats, StrategyName } from './types.js';
export { FailureCollector, newIngestStats, SourceError } from './types.js';

/** Files per worker job when `batchSize` is not given. */
export const DEFAULT_BATCH = 64;

export function ingest(source: string, options: IngestOptions = {}): AsyncIterable<StacItem> {
  checkOptions(options);
  if (isUrl(source) && !isJsonDocumentUrl(source, options.format)) return ingestApi(source, options);
  return ingestFiles(source, options);
}

/** A URL of a static catalog / JSON document rather than a STAC API root. */
export function isJsonDocumentUrl(url: string, format: IngestOptions['format']): boolean {
  if (format === 'catalog' || format === 'json' || format === 'feature-collection') return true;
  const path = new URL(url).pathname.toLowerCase();
  return path.endsWith('.json') || path.endsWith('.geojson');
}

function ingestFiles(source: string, options: IngestOptions): AsyncIterable<StacItem> {
  // Nothing wanted: the source is still checked (a wrong path is an error either way).
  if (options.maxItems === 0) return planOnly(source, options);
  const failures = options.failures ?? new FailureCollector();
  return new ItemStream(fileResults(source, options, failures), {
    failures,
    maxItems: options.maxItems ?? Number.POSITIVE_INFINITY,
    collectionId: options.collectionId,
  });
}

async function* planOnly(source: string, options: IngestOptions): AsyncGenerator<StacItem> {
  await planSource(source, { format: options.format as SourceFormat | undefined, batchSize: 1 });
  yield* [] as StacItem[];
}

/** Plans the source, then runs the strategy: job results, whose Items the ItemStream hands out. */
async function* fileResults(
  source: string,
  options: IngestOptions,
  failures: FailureCollector,
): AsyncGenerator<JobResult, void, undefined> {
  const strategy: StrategyName = options.strategy ?? 'sequential';
  const concurrency = strategy === 'sequential' ? 1 : (options.concurrency ?? defaultConcurrency(strategy));
  const variant = parseVariant(options.variant);
  const batchSize = strategy === 'worker-threads' ? (options.batchSize ?? DEFAULT_BATCH) : 1;
  const plan = await planSource(source, {
    format: options.format as SourceFormat | undefined,
    batchSize,
    ...(variant.wholeFile ? { rangeBytes: Number.POSITIVE_INFINITY, wholeFile: true } : {}),
    ...(variant.parquetReader ? { parquetReader: variant.parquetReader } : {}),
    otherHosts: options.otherHosts ?? true,
  });
  // A collection filter keeps an unknown share of what the plan counted.
  if (plan.items !== undefined && options.collectionId === undefined) options.onTotal?.(plan.items);
  const stats = options.stats ?? newIngestStats();
  stats.variant = options.variant ?? null;
  // Catalogs may hold http(s) links (a local one too): their documents are read bounded and checked.
  const http =
    plan.format === 'catalog' || plan.format === 'json'
      ? await catalogClient(source, options, concurrency)
      : undefined;
  try {
    yield* STRATEGY_FNS[strategy](plan, {
      concurrency,
      handover: variant.handover,
      failures,
      stats,
      signal: options.signal,
      http,
    });
  } finally {
    await http?.close();
  }
}

/** The HTTP client of a catalog's remote documents: limits and reach decided from the root. */
async function catalogClient(
  source: string,
  options: IngestOptions,
  concurrency: number,
): Promise<HttpClient> {
  const privateAddresses = isUrl(source)
    ? await privateAddressesFor(source, options.privateAddresses, options.lookup)
    : options.privateAddresses === 'refuse'
      ? 'refuse'
      : 'allow';
  return new HttpClient(
    new HttpCounters(),
    {
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      maxBodyBytes: options.maxBodyBytes,
      privateAddresses,
      // Only a catalog read over http(s) has an origin the caller's headers are meant for.
      ...(isUrl(source) ? { headers: options.headers, headersOrigin: new URL(source).origin } : {}),
      pace: options.maxRps === undefined ? undefined : newPace(options.maxRps),
      concurrency,
      dispatcher: options.dispatcher,
      lookup: options.lookup,
    },
    options.signal,
  );
}

function defaultConcurrency(strategy: StrategyName): number {
  return strategy === 'worker-threads' ? 2 : 10;
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Header names are tokens and values hold no line breaks (no request smuggled in a value). */
function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`headers: '${name}' is not a header name`);
    // The value is not quoted: it may be a secret.
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new TypeError(`headers: the value of '${name}' must be a string without line breaks`);
    }
  }
}

/** Options a caller got wrong are a TypeError naming the option and what it expects. */
function checkOptions(options: IngestOptions): void {
  const { strategy, concurrency, maxItems, format, batchSize } = options;
  if (strategy !== undefined && !STRATEGIES.includes(strategy)) {
    throw new TypeError(`strategy must be one of ${STRATEGIES.join(', ')}, got '${strategy}'`);
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new TypeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  }
  if (maxItems !== undefined && !(Number.isInteger(maxItems) && maxItems >= 0)) {
    throw new TypeError(`maxItems must be a whole number >= 0, got ${maxItems}`);
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new TypeError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  }
  parseVariant(options.variant);
  if (
    options.maxBodyBytes !== undefined &&
    !(Number.isInteger(options.maxBodyBytes) && options.maxBodyBytes >= 1)
  ) {
    throw new TypeError(`maxBodyBytes must be a whole number >= 1, got ${options.maxBodyBytes}`);
  }
  if (options.maxRps !== undefined && !(Number.isFinite(options.maxRps) && options.maxRps > 0)) {
    throw new TypeError(`maxRps must be a number > 0, got ${options.maxRps}`);
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new TypeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
  }
  if (options.headers !== undefined) checkHeaders(options.headers);
  const reach = options.privateAddresses;
  if (reach !== undefined && reach !== 'auto' && reach !== 'allow' && reach !== 'refuse') {
    throw new TypeError(`privateAddresses must be auto, allow or refuse, got '${reach}'`);
  }
  if (format !== undefined && format !== 'json' && !FILE_FORMATS.includes(format)) {
    throw new TypeError(`format must be one of json, ${FILE_FORMATS.join(', ')}, got '${format}'`);
  }
}
