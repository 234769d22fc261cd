/**
 * The loop every strategy shares: keep up to `window` jobs in flight, hand each finished job's
 * result on (its Items reach the caller through an ItemStream), queue what a job discovered
 * (catalog links). Backpressure comes from the
 * generator: while the consumer does not pull, no new job is started, so at most `window` jobs
 * (plus the one being handed out) have been read ahead. Jobs may finish out of order.
 */

import type { FailureCollector, IngestStats } from '../types.js';
import { type Job, type JobOutput, type JobResult, jobLabel, jobReads, resultOf } from './jobs.js';
import type { Plan } from './plan.js';

/** Runs one job somewhere (this thread, a worker). Rejects only for unexpected errors. */
export type Executor = (job: Job) => Promise<JobOutput>;

export interface ScheduleContext {
  failures: FailureCollector;
  stats: IngestStats;
  signal?: AbortSignal | undefined;
}

interface Done {
  job: Job;
  result: JobResult;
}

export async function* schedule(
  plan: Plan,
  exec: Executor,
  window: number,
  ctx: ScheduleContext,
): AsyncGenerator<JobResult, void, undefined> {
  const queue: Job[] = [...plan.jobs];
  let next = 0;
  const done: Done[] = [];
  let running = 0;
  let wake: (() => void) | null = null;

  const start = (job: Job): void => {
    running++;
    ctx.stats.jobs++;
    ctx.stats.reads += jobReads(job);
    if (running > ctx.stats.peakInFlight) ctx.stats.peakInFlight = running;
    exec(job)
      .catch((e: unknown) => unexpected(job, e))
      .then((output) => {
        running--;
        done.push({ job, result: resultOf(output) });
        const w = wake;
        wake = null;
        w?.();
      });
  };

  for (const f of plan.failures ?? []) ctx.failures.add(f.source, f.reason);
  while (true) {
    ctx.signal?.throwIfAborted();
    // Finished results not yet handed out count against the window too: a consumer slower than
    // the jobs would otherwise let them pile up without bound.
    while (running + done.length < window && next < queue.length) start(queue[next++]!);
    if (done.length === 0) {
      if (running === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      continue;
    }
    const { job, result } = done.shift()!;
    // Following may refuse links: those failures join the job's own.
    for (const more of plan.follow(job, result)) queue.push(more);
    for (const f of result.failures) ctx.failures.add(f.source, f.reason);
    if (next > 1024 && next === queue.length) {
      queue.length = 0;
      next = 0;
    }
    yield result;
  }
}

function unexpected(job: Job, e: unknown): JobOutput {
  const reason = e instanceof Error ? e.message : String(e);
  if (job.kind === 'files') {
    return { items: [], failures: job.refs.map((source) => ({ source, reason })) };
  }
  return { items: [], failures: [{ source: jobLabel(job), reason }] };
}
