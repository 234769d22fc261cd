/**
 * The `sharded` placement's protocol between the caller and its `pipeline` jobs (one per worker):
 * what a job starts with, the shares it is sent (plain data: a plan job, or the bytes of whole
 * features of a streamed FeatureCollection), what it reports while it runs, and its result. No Item
 * crosses threads: shares are paths and byte ranges, or bytes; reports are counts and failures.
 */

import type { HttpOptions } from '../ingest/api/http.js';
import type { PageRequest } from '../ingest/api/page.js';
import type { FeatureSlices } from '../ingest/decode/feature-scan.js';
import type { Job } from '../ingest/run/jobs.js';
import type { IngestFailure } from '../ingest/types.js';
import type { SinkOptions, SinkPart, SinkTarget } from '../output/types.js';
import type { TransformOptions } from '../transform/types.js';
import type { StageSeconds } from './types.js';

/** The data of a `pipeline` job. */
export interface ShardStart {
  /** This worker's shard number: its sink writer's (temp names, NDJSON part order). */
  shard: number;
  source: string;
  to: SinkTarget;
  sinkOptions: SinkOptions;
  transforms: readonly string[];
  transformOptions: TransformOptions;
  /** Only Items of this collection (as the ingest's filter). */
  collectionId?: string;
  /** maxItems over every worker: an Int32 counter of Items taken, and the limit. */
  limit?: { taken: SharedArrayBuffer; max: number };
  /** A STAC API source: the run's HTTP options (reach decided by the caller) and shared counters. */
  api?: { http: HttpOptions; counters: SharedArrayBuffer };
}

/** A time slice of a STAC API search, crawled by a worker from `request` to its last page. */
export interface CrawlShare {
  request: PageRequest;
  /** The slice's datetime interval, as run errors name it. */
  datetime: string;
}

/** Whole features of a streamed FeatureCollection, cut out of one chunk (the bytes are transferred). */
export interface FeaturesShare {
  bytes: ArrayBuffer;
  /** [start, end) of each feature in `bytes`. */
  ranges: Int32Array;
  source: string;
  ascii: boolean;
  /** Index of the first feature in the file (failures name `path#features[i]`). */
  firstIndex: number;
}

export type Share =
  | { id: number; job: Job }
  | { id: number; features: FeaturesShare }
  | { id: number; crawl: CrawlShare };

/** Caller -> job. `end`: no more shares, finish; `stop`: abandon (abort the writer). */
export type ToShard = { kind: 'share'; share: Share } | { kind: 'end' } | { kind: 'stop' };

/** Job -> caller. */
export type FromShard =
  /** A share was read: its own failures and, for a catalog document, its links (followed by the caller). */
  | {
      kind: 'read';
      id: number;
      failures: IngestFailure[];
      links?: { items: string[]; children: string[] };
      /** Whether it held any Item (a catalog root that held none and failed is fatal). */
      items: boolean;
    }
  /** Every Item of a share went to the writer; the job's Items written so far and new failures. */
  | { kind: 'done'; id: number; written: number; failures: IngestFailure[] }
  | { kind: 'progress'; written: number; failures: IngestFailure[] };

export interface ShardCounts {
  items_in: number;
  written: number;
  invalid: number;
  duplicates: number;
}

/** The job's result: its writer's part (null when it stopped), its figures and what stopped it. */
export interface ShardEnd {
  part: SinkPart | null;
  counts: ShardCounts;
  /** This worker's own seconds per stage (waits for a share excluded). */
  stages: StageSeconds;
  failures: IngestFailure[];
  /** Why it stopped, when not asked to: a sink error names its path. */
  error?: { message: string; sinkPath?: string };
}

/** A share as a run error names it: the files, byte range, row groups or features it covers. */
export function shareLabel(share: Share): string {
  if ('features' in share) {
    const f = share.features;
    const last = f.firstIndex + f.ranges.length / 2 - 1;
    return `${f.source} features[${f.firstIndex}..${last}]`;
  }
  if ('crawl' in share) return `the search slice ${share.crawl.datetime} (from ${share.crawl.request.url})`;
  const job = share.job;
  switch (job.kind) {
    case 'files':
      return job.refs.length === 1 ? job.refs[0]! : `${job.refs[0]} (and ${job.refs.length - 1} more files)`;
    case 'catalog':
      return job.ref;
    case 'ndjson':
      return `${job.path} bytes ${job.start}-${job.end}`;
    case 'parquet':
      return `${job.path} row group${job.rowGroups.length === 1 ? '' : 's'} ${job.rowGroups.join(',')}`;
    case 'range':
      return `${job.path} bytes ${job.position}-${job.position + job.length}`;
  }
}

/**
 * A share of the whole features in `slices` (a chunk of a streamed FeatureCollection): their
 * bytes copied into a buffer of their own (the stream reads its next chunk into the old one).
 */
export function featuresShare(slices: FeatureSlices): FeaturesShare {
  const from = slices.ranges[0]!;
  const to = slices.ranges[slices.ranges.length - 1]!;
  const bytes = new Uint8Array(to - from);
  bytes.set(slices.bytes.subarray(from, to));
  const ranges = new Int32Array(slices.ranges.length);
  for (let i = 0; i < ranges.length; i++) ranges[i] = slices.ranges[i]! - from;
  return {
    bytes: bytes.buffer,
    ranges,
    source: slices.source,
    ascii: slices.ascii,
    firstIndex: slices.firstIndex ?? 0,
  };
}

/**
 * A share of Items this thread already holds as whole features (the pages of an API search plan's
 * probe round): each Item's JSON, so only bytes cross to the worker that writes them.
 */
export function itemsShare(items: readonly unknown[], source: string): FeaturesShare {
  const texts = items.map((item) => Buffer.from(JSON.stringify(item)));
  const ranges = new Int32Array(texts.length * 2);
  let at = 0;
  texts.forEach((t, i) => {
    ranges[2 * i] = at;
    at += t.length;
    ranges[2 * i + 1] = at;
  });
  const bytes = new Uint8Array(at);
  at = 0;
  for (const t of texts) {
    bytes.set(t, at);
    at += t.length;
  }
  return { bytes: bytes.buffer, ranges, source, ascii: false, firstIndex: 0 };
}

/** The slices of a features share, on the worker that received it. */
export function featureSlices(share: FeaturesShare): FeatureSlices {
  return {
    bytes: Buffer.from(share.bytes),
    ranges: share.ranges,
    source: share.source,
    ascii: share.ascii,
    firstIndex: share.firstIndex,
  };
}
