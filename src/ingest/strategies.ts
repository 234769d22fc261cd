/**
 * The three strategies, one signature, one mechanism each (ARCHITECTURE "Strategies"):
 * - `sequential`: one job at a time on this thread, `fs.promises.readFile` then parse (the seed's
 *   algorithm, the baseline). `concurrency` is ignored: it is always 1.
 * - `concurrent`: up to `concurrency` jobs in flight on this thread (p-limit), async reads through
 *   libuv's thread pool (`UV_THREADPOOL_SIZE` bounds how many really overlap), parse on this thread.
 * - `worker-threads`: `concurrency` workers each read (blocking reads, no thread pool) and parse;
 *   two jobs per worker are in flight so a worker never waits for the next one. Items come back as
 *   the JSON text of the validated Items and are parsed here (measured faster than structured clone
 *   on this machine), or with variant `clone` by structured clone. Either way the caller receives
 *   plain objects, and the hand-over is part of the ingest. Variant `parse-on-caller`: the workers
 *   only read (a batch of files into one transferred buffer) and this thread decodes and parses
 *   each file once (file-bytes.ts).
 * What a strategy means for a single file depends on how the file is cut into jobs (sources.ts):
 * NDJSON byte ranges and Parquet row groups spread over workers; a FeatureCollection is one job.
 */
import pLimit from 'p-limit';
import { decodeFileBytes } from './file-bytes.js';
import { type Job, type JobResult, type RunContext, runJob, type Transfer } from './jobs.js';
import { schedule, type ScheduleContext } from './scheduler.js';
import type { Plan } from './sources.js';
import type { StrategyName } from './types.js';
import { eluSnapshot, meanElu, sharedPool } from './worker-pool.js';

export interface StrategyOptions extends ScheduleContext {
  concurrency: number;
  /** Variant tokens that apply to the strategy (e.g. `clone`). */
  variants: Set<string>;
}

/** A strategy yields job results; `ItemStream` turns them into the caller's Items. */
export type Strategy = (plan: Plan, options: StrategyOptions) => AsyncGenerator<JobResult, void, undefined>;

/** Jobs queued per worker: one running, one waiting. */
export const WORKER_DEPTH = 2;

export function sequential(plan: Plan, options: StrategyOptions): AsyncGenerator<JobResult, void, undefined> {
  const ctx: RunContext = { read: 'promises' };
  return schedule(plan, (job) => runJob(job, ctx), 1, options);
}

export function concurrent(plan: Plan, options: StrategyOptions): AsyncGenerator<JobResult, void, undefined> {
  const ctx: RunContext = { read: 'callback' };
  const limit = pLimit(options.concurrency);
  return schedule(plan, (job: Job) => limit(() => runJob(job, ctx)), options.concurrency, options);
}

export async function* workerThreads(
  plan: Plan,
  options: StrategyOptions,
): AsyncGenerator<JobResult, void, undefined> {
  const n = options.concurrency;
  const transfer = transferOf(options.variants);
  const pool = sharedPool();
  const workers = pool.acquire(n);
  const start = eluSnapshot(workers);
  const exec =
    transfer === 'bytes'
      ? (job: Job) => pool.run(job, n, transfer).then(decodeFileBytes)
      : (job: Job) => pool.run(job, n, transfer);
  try {
    yield* schedule(plan, exec, n * WORKER_DEPTH, options);
  } finally {
    options.stats.workerElu = meanElu(workers, start);
  }
}

function transferOf(variants: Set<string>): Transfer {
  if (variants.has('parse-on-caller')) return 'bytes';
  return variants.has('clone') ? 'clone' : 'json';
}

export const STRATEGY_FNS: Record<StrategyName, Strategy> = {
  sequential,
  concurrent,
  'worker-threads': workerThreads,
};
