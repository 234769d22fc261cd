/**
 * The `sharded` placement: N workers each read, parse, transform, serialize and write their shares
 * of the source (the `pipeline` job, worker.ts), each with its own sink writer; no Item crosses
 * threads. This thread plans the source with the ingest's planner (files of an items directory or
 * of a catalog's items in batches, NDJSON byte ranges, Parquet row groups), streams a large
 * FeatureCollection itself to cut it into chunks of whole features, keeps shares queued per worker
 * (the least loaded first; deeper queues while many are left), follows a catalog's links as its
 * documents are read, gathers counts, failures and stage times, and finishes the sink with every
 * worker's part.
 *
 * A STAC API source is planned as the API `worker-threads` strategy plans it (search-plan.ts: the
 * first page first, a search of one page is not partitioned, then a probe round of time slices):
 * the Items this thread received while planning go to the workers as bytes, and each time slice
 * left to crawl is a share a worker crawls page by page with the API crawl's client. Copies of an
 * Item across slices are dropped by the sink (exclusive create): exactly one lands.
 *
 * A worker that dies, or whose writer fails, stops the run: the others are told to stop (each
 * aborts its writer: no partial Item file), and the error names the share the dead worker was
 * writing. The summary counts what every worker had written.
 */

import type { Worker } from 'node:worker_threads';
import { type Chain, pagesLeft } from '../ingest/api/chain-queue.js';
import { firstRequest } from '../ingest/api/endpoint.js';
import { type ApiRun, ingestApi } from '../ingest/api/index.js';
import { DuplicateFilter, partitionDatetime } from '../ingest/api/partition.js';
import { partitionReport, planFor } from '../ingest/api/search-plan.js';
import { plannedCrawls, probedItems } from '../ingest/api/strategies.js';
import { ItemsCursor, NO_ITEMS } from '../ingest/decode/cursor.js';
import { openFeatureStream, type PartSource, type StreamPart } from '../ingest/decode/feature-stream.js';
import { DEFAULT_BATCH, isJsonDocumentUrl } from '../ingest/index.js';
import { isUrl } from '../ingest/io/reading.js';
import type { Job, JobResult } from '../ingest/run/jobs.js';
import { planSource } from '../ingest/sources.js';
import {
  type FailureCollector,
  type IngestFailure,
  SourceError,
  type SourceFormat,
} from '../ingest/types.js';
import { parseVariant } from '../ingest/variant.js';
import { finishSink, prepareSink, type SinkOptions } from '../output/index.js';
import { SinkError } from '../output/types.js';
import type { TransformOptions } from '../transform/types.js';
import { lazyShared, Pool, type Task } from '../workers/pool.js';
import { NamedError, PipelineError, stoppedError } from './errors.js';
import {
  type FromShard,
  featuresShare,
  itemsShare,
  type ShardCounts,
  type ShardEnd,
  type ShardStart,
  type Share,
  shareLabel,
  type ToShard,
} from './shares.js';
import type { PipelineReport, ShardedPipeline, StageSeconds } from './types.js';

/** Shares queued per worker at least: one being written, one waiting. */
export const SHARES_PER_WORKER = 2;

/**
 * Shares queued per worker at most. A worker gets its next share only when this thread has heard
 * that one was done; with one share waiting (a few milliseconds of work) a worker idles whenever
 * this thread answers late (descheduled on a busy machine, collecting garbage). Queues are deeper
 * while many shares are left and back to two as the source runs out, so the last shares still go
 * to whichever worker is free.
 */
export const MAX_SHARES_PER_WORKER = 8;

/** How many shares to keep queued per worker with `left` shares still to hand out (null: unknown). */
export function queueDepth(left: number | null, workers: number): number {
  if (left === null) return SHARES_PER_WORKER;
  return Math.max(SHARES_PER_WORKER, Math.min(MAX_SHARES_PER_WORKER, Math.floor(left / workers)));
}

/**
 * Each pipeline worker's old generation, in MB. V8 sizes its heap growth by this limit: left at the
 * default (a share of the machine's memory), each worker's heap grows several times past what it
 * holds before collecting. The most a worker holds is a row group of Parquet rows (about
 * ROW_GROUP_BYTES of Item JSON) or a share being decoded, well below this.
 */
export const PIPELINE_WORKER_HEAP_MB = 256;

const shared = lazyShared(
  () =>
    new Pool({
      label: 'pipeline',
      preload: ['pipeline'],
      spawn: { resourceLimits: { maxOldGenerationSizeMb: PIPELINE_WORKER_HEAP_MB } },
      describe: (_name, data) => `shard ${(data as ShardStart).shard}`,
    }),
);

/** The first `n` workers of the sharded placement, started if need be (their ELU; tests stop one). */
export function pipelineWorkers(n: number): Worker[] {
  return shared.get().acquire(n);
}

/** Stops the pipeline workers (tests, CLI exit); a later run starts new ones. */
export function closePipelinePool(): Promise<void> {
  return shared.close();
}

interface Shard {
  index: number;
  task: Task<ShardEnd>;
  /** Shares sent and not yet done, in the order sent. */
  outstanding: Map<number, Share>;
  /** Items its writer had written, as last reported. */
  written: number;
  live: boolean;
  end: ShardEnd | null;
}

interface Context {
  failures: FailureCollector;
  sinkOptions: SinkOptions;
  transformOptions: TransformOptions;
}

/**
 * Where a run's shares come from. `next` gives the next share, or null when none is available now;
 * `read` hears that a share was read (a catalog document's links may add shares); `more` says
 * whether shares were added since `next` last gave null.
 */
interface Feed {
  next(): Promise<Share | null>;
  read(share: Share, m: Extract<FromShard, { kind: 'read' }>): void;
  more(): boolean;
  /** Shares known to be left to hand out; null when unknown (a streamed file, a search's slices). */
  left(): number | null;
  /** True once no share can be added any more (nothing left to hand out, no document unread). */
  final(): boolean;
  close(): Promise<void>;
  /** This thread's own read and parse time (planning, streaming a FeatureCollection). */
  readMs: number;
}

export async function runSharded(options: ShardedPipeline, ctx: Context): Promise<PipelineReport> {
  const { source } = options;
  if (isUrl(source)) {
    if (isJsonDocumentUrl(source, options.format as SourceFormat | undefined)) {
      throw new SourceError(
        source,
        'the sharded placement reads a catalog on this machine or a STAC API (a remote catalog runs with the caller placement)',
      );
    }
    return runShardedApi(options, ctx);
  }
  const feed = await fileFeed(options, ctx);
  await prepareSink(options.to, { ...ctx.sinkOptions, inputs: [source] });
  return dispatch(options, ctx, feed);
}

/** The shares of a file source: the ingest planner's jobs, a catalog's links as they are read, a streamed FeatureCollection's chunks. */
async function fileFeed(options: ShardedPipeline, ctx: Context): Promise<Feed> {
  const { source } = options;
  const { failures } = ctx;
  const ingestOptions = options.ingestOptions ?? {};
  const variant = parseVariant(ingestOptions.variant);
  const plan = await planSource(source, {
    format: options.format as SourceFormat | undefined,
    batchSize: ingestOptions.batchSize ?? DEFAULT_BATCH,
    ...(variant.wholeFile ? { rangeBytes: Number.POSITIVE_INFINITY, wholeFile: true } : {}),
    ...(variant.parquetReader ? { parquetReader: variant.parquetReader } : {}),
    otherHosts: ingestOptions.otherHosts ?? true,
  });
  for (const f of plan.failures ?? []) failures.add(f.source, f.reason);
  const addFailures = (list: readonly IngestFailure[]): void => {
    for (const f of list) failures.add(f.source, f.reason);
  };

  const queue: Job[] = [...plan.jobs];
  let next = 0;
  let ids = 0;
  // Documents handed out whose links have not come back yet: each may add shares.
  let unread = 0;
  // A large FeatureCollection is streamed here and cut into shares of whole features.
  let stream: PartSource | null = null;
  let firstPart: StreamPart | null = null;
  const feed: Feed = {
    readMs: 0,
    async next() {
      if (next < queue.length) {
        const job = queue[next++]!;
        if (next > 1024 && next === queue.length) {
          queue.length = 0;
          next = 0;
        }
        if (job.kind === 'catalog') unread++;
        return { id: ids++, job };
      }
      while (stream !== null) {
        const t = performance.now();
        const part = firstPart ?? (await stream.next());
        feed.readMs += performance.now() - t;
        firstPart = null;
        if (part === null) {
          stream = null;
          break;
        }
        addFailures(part.failures);
        if (part.slices) return { id: ids++, features: featuresShare(part.slices) };
      }
      return null;
    },
    read(share, m) {
      if (!('job' in share)) {
        addFailures(m.failures);
        return;
      }
      if (share.job.kind === 'catalog') unread--;
      // plan.follow reads the result as the ingest's scheduler hands it: a document that held
      // Items is one that was read (only the cursor's emptiness matters, not its Items).
      const result: JobResult = {
        failures: [...m.failures],
        cursor: m.items ? new ItemsCursor([]) : NO_ITEMS,
        ...(m.links ? { links: m.links } : {}),
      };
      for (const more of plan.follow(share.job, result)) queue.push(more);
      addFailures(result.failures);
    },
    more: () => next < queue.length,
    left: () => (stream === null ? queue.length - next : null),
    final: () => stream === null && next >= queue.length && unread === 0,
    close: async () => {
      await (stream as PartSource | null)?.close();
      stream = null;
    },
  };
  const only = plan.jobs[0];
  if (plan.format === 'json' && plan.jobs.length === 1 && only?.kind === 'catalog' && only.whole !== true) {
    const t = performance.now();
    const opened = await openFeatureStream(only.ref).catch(() => null);
    feed.readMs += performance.now() - t;
    if (opened) {
      stream = opened.rest;
      firstPart = opened.first;
      next = 1;
    }
  }
  return feed;
}

/**
 * A STAC API source: the ingest sets up the run (landing page, reach, client, counters) and hands
 * it to `crawlWith`, which plans here and runs the shares on the workers; nothing is yielded here.
 */
async function runShardedApi(options: ShardedPipeline, ctx: Context): Promise<PipelineReport> {
  const { source, to } = options;
  const ingestOptions = options.ingestOptions ?? {};
  await prepareSink(to, { ...ctx.sinkOptions, inputs: [source] });
  let report: PipelineReport | null = null;
  let planning = 0;
  const crawlWith = async (run: ApiRun): Promise<void> => {
    const t = performance.now();
    const feed = await apiFeed(run);
    feed.readMs += performance.now() - t;
    planning = feed.readMs;
    // Towards a remote host the ingest capped the slots (politeness): so many workers crawl, no more.
    const workers = Math.min(options.workers, run.concurrency);
    const api = { http: run.httpOptions, counters: run.client.counters.buffer };
    report = await dispatch({ ...options, workers }, ctx, feed, api);
  };
  try {
    const items = ingestApi(source, {
      ...ingestOptions,
      strategy: 'worker-threads',
      concurrency: options.workers,
      ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
      failures: ctx.failures,
      ...(options.signal ? { signal: options.signal } : {}),
      crawlWith,
    });
    for await (const _ of items) {
      // crawlWith yields nothing: the workers write every Item.
    }
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    // The landing page or the plan failed: nothing was written.
    const stages = { read_parse: planning / 1000, transform: 0, serialize: 0, write: 0 };
    const figures = { items_in: 0, written: 0, invalid: 0, duplicates: 0, failures: ctx.failures.count };
    throw stoppedError(source, to.path, options.signal, e, { ...figures, stage_seconds: stages });
  }
  if (report === null) throw new Error(`${source}: the search ended before it was planned`);
  return report;
}

/**
 * The shares of a STAC API search, planned as the `worker-threads` strategy plans it: the Items of
 * the plan's pages (the first page, each probed slice's; copies among them dropped as the strategy
 * drops them), then the slices left to crawl, longest first. Unpartitioned (one worker, no time
 * range, a search the first page held): one slice, the whole search, or none left.
 */
async function apiFeed(run: ApiRun): Promise<Feed> {
  const plan = await planFor(run, run.concurrency);
  const shares: Share[] = [];
  let ids = 0;
  if (!plan) {
    const request = firstRequest(run.endpoint, run.params);
    const report = partitionReport(run, { start: -Infinity, end: Infinity, matched: null });
    report.datetime = String(run.params.datetime ?? '..');
    shares.push({ id: ids++, crawl: { request, datetime: report.datetime } });
  } else {
    const filter = new DuplicateFilter(plan.bounds);
    // probedItems yields the first page's Items, then each slice's kept ones, in page order.
    const pages = [...(plan.first ? [plan.first] : []), ...plan.slices.map((s) => s.page)];
    const kept = new Set(probedItems(plan, filter));
    for (const page of pages) {
      const items = page.items.filter((item) => kept.delete(item));
      if (items.length > 0) shares.push({ id: ids++, features: itemsShare(items, page.request.url) });
    }
    if (plan.error === null) {
      const left = (c: Chain) => pagesLeft(c, plan.pageSize);
      for (const c of plannedCrawls(run, plan).sort((a, b) => left(b) - left(a))) {
        const datetime = partitionDatetime(c.partition);
        shares.push({ id: ids++, crawl: { request: c.request, datetime } });
      }
    }
  }
  let next = 0;
  return {
    readMs: 0,
    next: async () => {
      if (next < shares.length) return shares[next++]!;
      // The plan's pages are written; a page it could not fetch or read then ends the run.
      if (plan && plan.error !== null) throw plan.error;
      return null;
    },
    read: () => {},
    more: () => false,
    // Slices take long and differ in length: two queued per worker, the rest to whichever is free.
    left: () => null,
    final: () => next >= shares.length,
    close: async () => {},
  };
}

/** Runs the shares of `feed` on `options.workers` workers and finishes the sink. */
async function dispatch(
  options: ShardedPipeline,
  ctx: Context,
  feed: Feed,
  api?: ShardStart['api'],
): Promise<PipelineReport> {
  const { source, to } = options;
  const { failures, sinkOptions } = ctx;
  const ingestOptions = options.ingestOptions ?? {};
  const maxItems = ingestOptions.maxItems;
  const limit = maxItems === undefined ? undefined : { taken: new SharedArrayBuffer(4), max: maxItems };
  const pool = shared.get();
  const n = options.workers;
  pool.acquire(n);

  let fatal: unknown = null;
  let changed: (() => void) | null = null;
  const signalChange = (): void => {
    const c = changed;
    changed = null;
    c?.();
  };
  const byId = new Map<number, Share>();
  const addFailures = (list: readonly IngestFailure[]): void => {
    for (const f of list) failures.add(f.source, f.reason);
  };
  const progress = (): void => options.onProgress?.(shards.reduce((sum, s) => sum + s.written, 0));

  const receive = (shard: Shard, m: FromShard): void => {
    if (m.kind === 'read') {
      const share = byId.get(m.id);
      if (share) {
        try {
          feed.read(share, m);
        } catch (e) {
          fatal ??= e;
        }
      } else addFailures(m.failures);
    } else {
      if (m.kind === 'done') {
        shard.outstanding.delete(m.id);
        byId.delete(m.id);
      }
      shard.written = m.written;
      addFailures(m.failures);
      progress();
    }
    signalChange();
  };

  const shards: Shard[] = [];
  for (let index = 0; index < n; index++) {
    const start: ShardStart = {
      shard: index,
      source,
      to,
      sinkOptions,
      transforms: options.transforms,
      transformOptions: ctx.transformOptions,
      ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
      ...(limit ? { limit } : {}),
      ...(api ? { api } : {}),
    };
    const shard: Shard = {
      index,
      task: null as unknown as Task<ShardEnd>,
      outstanding: new Map(),
      written: 0,
      live: true,
      end: null,
    };
    shard.task = pool.start<ShardEnd, FromShard>('pipeline', start, n, (m) => receive(shard, m));
    shard.task.result.then(
      (end) => {
        shard.live = false;
        shard.end = end;
        shard.written = end.counts.written;
        if (end.error && fatal === null) {
          fatal = end.error.sinkPath
            ? new SinkError(end.error.sinkPath, end.error.message.slice(end.error.sinkPath.length + 2))
            : new NamedError(`${source}: ${end.error.message}`);
        }
        signalChange();
      },
      (e: unknown) => {
        shard.live = false;
        const writing = [...shard.outstanding.values()].map(shareLabel);
        fatal ??= new NamedError(
          `${(e as Error).message}${writing.length > 0 ? `, writing ${writing.join(' and ')}` : ''}`,
        );
        signalChange();
      },
    );
    shards.push(shard);
  }

  const onAbort = (): void => {
    fatal ??= options.signal?.reason ?? new Error('aborted');
    signalChange();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const send = (shard: Shard, share: Share): void => {
    shard.outstanding.set(share.id, share);
    byId.set(share.id, share);
    const transfer = 'features' in share ? [share.features.bytes] : undefined;
    shard.task.post({ kind: 'share', share } satisfies ToShard, transfer);
  };

  try {
    // Dispatch: fill the least loaded live worker's queue while shares are available. Once none
    // can be added, every worker is told to end: it writes what it has queued, then closes its
    // writer without waiting for the others. (While a catalog document is being read it may add
    // shares: then only once no share is outstanding.) Until every worker has ended, a worker that
    // dies still stops the others.
    let exhausted = false;
    let ended = false;
    while (fatal === null) {
      const live = shards.filter((s) => s.live);
      if (live.length === 0) break;
      if (!ended) {
        const depth = queueDepth(feed.left(), n);
        const room = live
          .filter((s) => s.outstanding.size < depth)
          .sort((a, b) => a.outstanding.size - b.outstanding.size)[0];
        if (room && !exhausted) {
          const share = await feed.next();
          if (fatal !== null) break;
          if (share) {
            send(room, share);
            continue;
          }
          exhausted = true;
        }
        if (exhausted && (feed.final() || live.every((s) => s.outstanding.size === 0))) {
          for (const s of live) s.task.post({ kind: 'end' } satisfies ToShard);
          ended = true;
        }
      }
      await new Promise<void>((resolve) => (changed = resolve));
      // A share done or links followed: there may be more to hand out.
      if (!ended && feed.more()) exhausted = false;
    }
    if (fatal !== null) for (const s of shards) if (s.live) s.task.post({ kind: 'stop' } satisfies ToShard);
    await Promise.all(shards.map((s) => s.task.result.catch(() => undefined)));
    await feed.close();
    if (fatal !== null) throw fatal;
    const finishing = performance.now();
    const parts = shards.map((s) => s.end!.part!);
    const sink = await finishSink(to, parts, sinkOptions);
    const report = figures(shards, failures, feed.readMs, performance.now() - finishing);
    return { ...report, written: sink.written, duplicates: sink.duplicates, sink };
  } catch (e) {
    fatal ??= e;
    for (const s of shards) if (s.live) s.task.post({ kind: 'stop' } satisfies ToShard);
    await Promise.all(shards.map((s) => s.task.result.catch(() => undefined)));
    await feed.close().catch(() => undefined);
    throw stoppedError(source, to.path, options.signal, fatal, figures(shards, failures, feed.readMs, 0));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The run's figures: every worker's counts and stage seconds summed, with this thread's own. */
function figures(
  shards: readonly Shard[],
  failures: FailureCollector,
  hereReadMs: number,
  hereWriteMs: number,
): Omit<PipelineReport, 'sink'> {
  const counts: ShardCounts = { items_in: 0, written: 0, invalid: 0, duplicates: 0 };
  const stages: StageSeconds = {
    read_parse: hereReadMs / 1000,
    transform: 0,
    serialize: 0,
    write: hereWriteMs / 1000,
  };
  for (const s of shards) {
    if (s.end) {
      for (const key of Object.keys(counts) as (keyof ShardCounts)[]) counts[key] += s.end.counts[key];
      for (const key of Object.keys(stages) as (keyof StageSeconds)[]) stages[key] += s.end.stages[key];
      for (const f of s.end.failures) failures.add(f.source, f.reason);
      s.end.failures.length = 0;
    } else {
      // A worker that died: what it had reported written.
      counts.written += s.written;
    }
  }
  return { ...counts, failures: failures.count, stage_seconds: stages };
}
