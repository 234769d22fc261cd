/**
 * The three strategies, one signature, one mechanism each (docs/architecture.md, "Strategies"):
 * - `sequential`: one job at a time on this thread, `fs.promises.readFile` then parse (the seed's
 *   algorithm, the baseline). `concurrency` is ignored: it is always 1.
 * - `concurrent`: up to `concurrency` jobs in flight on this thread (p-limit), async reads through
 *   libuv's thread pool (`UV_THREADPOOL_SIZE` bounds how many really overlap), parse on this thread.
 * - `worker-threads`: `concurrency` workers do the reading (blocking reads, no thread pool); two
 *   jobs per worker are in flight so a worker never waits for the next one. The caller receives
 *   plain objects, and the hand-over is part of the ingest.
 *   - Batches of files (a directory, a catalog's items): the workers only read, into one buffer per
 *     batch that is transferred here and given back for a later batch; this thread decodes and
 *     parses each file once, as the caller pulls it (file-bytes.ts, item-stream.ts). The caller must
 *     parse every Item anyway (a plain object cannot cross threads for free), so parsing in the
 *     worker as well only doubles the CPU (the README has the measured figures). Variant `parse-in-worker` keeps
 *     that path (workers parse, each Item crosses as its JSON text), variant `clone` hands over
 *     structured clones (slower than JSON text here).
 *   - A large FeatureCollection: streamed as on the caller's thread (feature-stream.ts), each 1 MiB
 *     chunk read by a worker into a buffer transferred there and back.
 *   - NDJSON byte ranges: a worker reads the range and finds its lines; the bytes are transferred
 *     and the caller parses the lines as it pulls them.
 *   - A static catalog served over http(s): its documents are fetched on this thread (workers
 *     would only wait on the network; the caller parses either way).
 *   - Parquet row groups, catalog documents: the workers read and decode or parse (rebuilding Items
 *     from Parquet is the costly part, and worth moving off this thread), and each Item crosses as
 *     its JSON text (or a clone with `clone`).
 * What a strategy means for a single file depends on how the file is cut into jobs (sources.ts):
 * NDJSON byte ranges and Parquet row groups spread over workers; a FeatureCollection is one job.
 */

import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { HttpClient } from '../api/http.js';
import type { Transfer } from '../decode/documents.js';
import type { ChunkReader } from '../decode/feature-stream.js';
import { ownArrayBuffer } from '../decode/file-bytes.js';
import { isUrl } from '../io/reading.js';
import type { StrategyName } from '../types.js';
import {
  type Job,
  type JobOutput,
  type JobResult,
  type RunContext,
  runJob,
  streamFeatureCollection,
} from './jobs.js';
import type { Plan } from './plan.js';
import { type ScheduleContext, schedule } from './scheduler.js';
import { rewrapSlices } from './transfer.js';
import { eluSnapshot, meanElu, sharedPool, type WorkerPool } from './worker-pool.js';

export interface StrategyOptions extends ScheduleContext {
  concurrency: number;
  /** Reads the plan's URLs (a static catalog over http(s)), on this thread. */
  http?: HttpClient | undefined;
  /** worker-threads: how Items cross to the caller (the variant's hand-over). */
  handover: Transfer;
}

/** A strategy yields job results; `ItemStream` turns them into the caller's Items. */
export type Strategy = (plan: Plan, options: StrategyOptions) => AsyncGenerator<JobResult, void, undefined>;

/** Jobs queued per worker: one running, one waiting. */
export const WORKER_DEPTH = 2;

export function sequential(plan: Plan, options: StrategyOptions): AsyncGenerator<JobResult, void, undefined> {
  const ctx: RunContext = { read: 'promises', http: options.http };
  return schedule(plan, (job) => runJob(job, ctx), 1, options);
}

export function concurrent(plan: Plan, options: StrategyOptions): AsyncGenerator<JobResult, void, undefined> {
  const ctx: RunContext = { read: 'callback', http: options.http };
  const limit = pLimit(options.concurrency);
  return schedule(plan, (job: Job) => limit(() => runJob(job, ctx)), options.concurrency, options);
}

export async function* workerThreads(
  plan: Plan,
  options: StrategyOptions,
): AsyncGenerator<JobResult, void, undefined> {
  const n = options.concurrency;
  const transfer = options.handover;
  const pool = sharedPool();
  const workers = pool.acquire(n);
  const start = eluSnapshot(workers);
  const inWorkers = transfer === 'bytes' ? bytesExec(pool, n) : (job: Job) => pool.run(job, n, transfer);
  // Remote documents are fetched on this thread, as `concurrent` does (up to the same window in
  // flight): a worker would only wait on the network, and the caller parses them either way.
  const here: RunContext = { read: 'callback', http: options.http };
  const exec = (job: Job) => (remoteJob(job) ? runJob(job, here) : inWorkers(job));
  try {
    yield* schedule(plan, exec, n * WORKER_DEPTH, options);
  } finally {
    options.stats.workerElu = meanElu(workers, start);
  }
}

/** A job that reads URLs (documents of a static catalog served over http(s)). */
function remoteJob(job: Job): boolean {
  if (job.kind === 'files') return job.refs.some(isUrl);
  return job.kind === 'catalog' && isUrl(job.ref);
}

/**
 * The bytes hand-over. Files: buffers are reused (once the caller has decoded a batch, its buffer
 * goes back to the pool, to go with a later job to a worker of this ingest or a later one). A large
 * FeatureCollection is streamed as on the caller's thread, its chunks read by a worker.
 */
function bytesExec(pool: WorkerPool, n: number): (job: Job) => Promise<JobOutput> {
  const recycle = (buffer: ArrayBuffer): void => pool.giveBuffer(buffer);
  return async (job) => {
    if (job.kind === 'catalog' && job.whole !== true) {
      const streamed = await streamFeatureCollection(job.ref, workerReader(pool, n, job.ref));
      if (streamed) return streamed;
    }
    const result = await pool.run(job, n, 'bytes', job.kind === 'files' ? pool.takeBuffer() : undefined);
    if (result.fileBytes) result.fileBytes.recycle = recycle;
    return rewrapSlices(result);
  };
}

/** Chunks of a file read by the pool's workers into the buffers given (transferred there and back). */
function workerReader(pool: WorkerPool, n: number, path: string): ChunkReader {
  return {
    size: async () => (await stat(path)).size,
    async read(buf, at, length, position) {
      // The whole ArrayBuffer travels (the stream's buffers own their memory: no copy).
      const result = await pool.run(
        { kind: 'range', path, position, length, at },
        n,
        'bytes',
        ownArrayBuffer(buf),
      );
      const fb = result.fileBytes;
      if (!fb) throw new Error(result.failures[0]?.reason ?? 'read failed');
      return { buf: Buffer.from(fb.buffer), n: fb.ends[0]! - at };
    },
    close: async () => undefined,
  };
}

export const STRATEGY_FNS: Record<StrategyName, Strategy> = {
  sequential,
  concurrent,
  'worker-threads': workerThreads,
};
