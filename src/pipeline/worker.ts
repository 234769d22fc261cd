/**
 * The `pipeline` job (registered in src/workers/worker.ts): one worker's part of a `sharded` run.
 * It opens its own sink writer (its shard number), loads the transforms by name, and runs the same
 * loop as the caller placement (drive.ts) over the Items of the shares it is sent: each share read
 * and parsed here (blocking reads: this thread does nothing else; a STAC API time slice crawled
 * here page by page with the API crawl's client), transformed, serialized and written here. It
 * asks for nothing: the caller keeps shares queued here (queueDepth in sharded.ts), and says `end`
 * when no share can be added any more (or `stop`); the shares queued are written first. Its figures and failures go back as plain data.
 */
import { crawlClient } from '../ingest/api/crawl-worker.js';
import { pages } from '../ingest/api/page.js';
import { NO_ITEMS } from '../ingest/decode/cursor.js';
import { ItemStream } from '../ingest/run/item-stream.js';
import { type JobOutput, type JobResult, jobLabel, resultOf, runJob } from '../ingest/run/jobs.js';
import { FailureCollector, type IngestFailure } from '../ingest/types.js';
import { openSinkWriter } from '../output/index.js';
import { SinkError } from '../output/types.js';
import { loadTransforms } from '../transform/index.js';
import type { JobContext } from '../workers/serve.js';
import { Driver } from './drive.js';
import {
  type FromShard,
  featureSlices,
  type ShardEnd,
  type ShardStart,
  type Share,
  shareLabel,
  type ToShard,
} from './shares.js';

/** Written Items between two progress reports. */
const PROGRESS_EVERY = 256;

/** The reason of a stop the caller asked for (not an error of this job). */
const STOPPED = new Error('stopped by the caller');

export async function pipelineJob(start: ShardStart, job: JobContext): Promise<ShardEnd> {
  const transforms = await loadTransforms(start.transforms, start.transformOptions);
  const writer = await openSinkWriter(start.to, start.sinkOptions, start.shard);
  const failures = new FailureCollector();
  const stop = new AbortController();
  const post = (message: FromShard): void => job.post(message);
  const newFailures = (): IngestFailure[] => failures.failures.splice(0);

  const queue: Share[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  job.onMessage((m) => {
    const message = m as ToShard;
    if (message.kind === 'share') queue.push(message.share);
    else if (message.kind === 'end') ended = true;
    else stop.abort(STOPPED);
    const w = wake;
    wake = null;
    w?.();
  });

  const taken = start.limit ? new Int32Array(start.limit.taken) : null;
  const max = start.limit?.max ?? 0;
  let reported = 0;
  const driver = new Driver({
    transforms,
    writer,
    source: start.source,
    failures,
    stop,
    onWritten: (written) => {
      if (written - reported < PROGRESS_EVERY) return;
      reported = written;
      post({ kind: 'progress', written, failures: newFailures() });
    },
    take: taken ? () => Atomics.add(taken, 0, 1) < max : undefined,
  });

  /** Time spent waiting for a share: not this worker's work, taken out of read_parse. */
  let idle = 0;
  async function* results(): AsyncGenerator<JobResult, void, undefined> {
    let current: Share | null = null;
    while (true) {
      // Asked for the next result: the current share's Items have all gone to the writer.
      if (current !== null) {
        post({ kind: 'done', id: current.id, written: driver.counts.written, failures: newFailures() });
        current = null;
      }
      const waited = performance.now();
      while (queue.length === 0 && !ended && !stop.signal.aborted) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      idle += performance.now() - waited;
      const share = queue.shift();
      if (share === undefined || stop.signal.aborted) return;
      current = share;
      if ('crawl' in share) {
        // Page by page: a slice's Items go to the writer as its pages arrive.
        for await (const page of crawlShare(share, start, failures, stop.signal)) yield page;
        continue;
      }
      const result = resultOf(await runShare(share));
      post({
        kind: 'read',
        id: share.id,
        failures: result.failures,
        ...(result.links ? { links: result.links } : {}),
        items: result.cursor !== NO_ITEMS,
      });
      yield result;
    }
  }

  const items = new ItemStream(results(), {
    failures,
    maxItems: Number.POSITIVE_INFINITY,
    collectionId: start.collectionId,
  });
  const end = (part: ShardEnd['part'], error?: ShardEnd['error']): ShardEnd => {
    const stages = driver.seconds();
    stages.read_parse = Math.max(0, stages.read_parse - idle / 1000);
    return {
      part,
      counts: { ...driver.counts },
      stages,
      failures: newFailures(),
      ...(error ? { error } : {}),
    };
  };
  try {
    await driver.run(items);
    await items.return();
    const closing = performance.now();
    const part = await writer.close();
    driver.ms.write += performance.now() - closing;
    return end(part);
  } catch (e) {
    const cause = driver.failed ?? e;
    stop.abort(cause);
    await items.return().catch(() => undefined);
    await driver.settle();
    await writer.abort().catch(() => undefined);
    if (cause === STOPPED) return end(null);
    const message = cause instanceof Error ? cause.message : String(cause);
    return end(null, cause instanceof SinkError ? { message, sinkPath: cause.path } : { message });
  }
}

/**
 * Crawls a time slice of a STAC API search on this thread with the API crawl's own client and
 * paging (bounded bodies, retries as the server asks, the reach decision of the caller); a page
 * that fails after its retries ends the run with an error naming the slice.
 */
async function* crawlShare(
  share: Extract<Share, { crawl: unknown }>,
  start: ShardStart,
  failures: FailureCollector,
  signal: AbortSignal,
): AsyncGenerator<JobResult> {
  if (!start.api) throw new Error('a search slice was sent to a worker without the API options');
  const client = crawlClient(start.api.http, start.api.counters, signal);
  try {
    for await (const page of pages(client, share.crawl.request, failures)) {
      yield resultOf({ items: page.items, failures: [] });
    }
  } catch (e) {
    if (signal.aborted) return;
    throw new Error(`${shareLabel(share)}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await client.close();
  }
}

/** Reads a share on this thread; an unexpected error is a failure of what it covers (as the scheduler does). */
async function runShare(share: Exclude<Share, { crawl: unknown }>): Promise<JobOutput> {
  if ('features' in share) return { items: [], failures: [], itemSlices: [featureSlices(share.features)] };
  try {
    return await runJob(share.job, { read: 'sync' });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const job = share.job;
    const sources = job.kind === 'files' ? job.refs : [jobLabel(job)];
    return { items: [], failures: sources.map((source) => ({ source, reason })) };
  }
}
