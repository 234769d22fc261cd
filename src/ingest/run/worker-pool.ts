/**
 * The ingest workers of the worker-threads strategy: the process-wide pool (src/workers/pool.ts)
 * running `ingest` jobs, and the read buffers recycled between them (bytes hand-over).
 */
import type { Worker } from 'node:worker_threads';
import { lazyShared, Pool } from '../../workers/pool.js';
import type { Transfer } from '../decode/documents.js';
import { type Job, type JobOutput, jobLabel } from './jobs.js';

export { eluSnapshot, meanElu } from '../../workers/pool.js';

/** The data of an `ingest` job (worker.ts). */
export interface JobRequest {
  job: Job;
  transfer: Transfer;
  /** Bytes hand-over: a buffer given back by the caller (transferred), to read into. */
  buffer?: ArrayBuffer | undefined;
}

/**
 * Young-generation size of each worker's heap. Workers allocate fast and keep little, so a bounded
 * young generation keeps their garbage from piling up (a lower peak memory on large NDJSON runs than
 * with V8's default).
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** Spare read buffers kept for the bytes hand-over: a few, and none above this size. */
const SPARE_BUFFERS = 8;
const SPARE_MAX_BYTES = 4 << 20;

export class WorkerPool {
  private readonly pool = new Pool({
    label: 'ingest',
    spawn: { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } },
    preload: ['ingest'],
    describe: (_name, data) => `${(data as JobRequest).job.kind} job ${jobLabel((data as JobRequest).job)}`,
  });
  private spare: ArrayBuffer[] = [];

  /**
   * A read buffer given back by an earlier job, if any. Buffers are kept across ingests: memory a
   * process has touched once costs no page faults the next time (see FileBytes.recycle).
   */
  takeBuffer(): ArrayBuffer | undefined {
    return this.spare.pop();
  }

  giveBuffer(buffer: ArrayBuffer): void {
    if (this.spare.length < SPARE_BUFFERS && buffer.byteLength <= SPARE_MAX_BYTES) this.spare.push(buffer);
  }

  /** Makes sure `n` live workers exist; returns them (the first `n`). */
  acquire(n: number): Worker[] {
    return this.pool.acquire(n);
  }

  /** Runs a job on the least busy of the first `n` workers; `buffer` is transferred there. */
  run(job: Job, n: number, transfer: Transfer, buffer?: ArrayBuffer): Promise<JobOutput> {
    const request: JobRequest = { job, transfer, buffer };
    return this.pool.run<JobOutput>('ingest', request, n, buffer ? [buffer] : undefined);
  }

  /** Stops every worker (tests, CLI exit). A later `acquire` starts new ones. */
  async close(): Promise<void> {
    this.spare = [];
    await this.pool.close();
  }

  get size(): number {
    return this.pool.size;
  }
}

const shared = lazyShared(() => new WorkerPool());

/** The process-wide pool the worker-threads strategy uses. */
export function sharedPool(): WorkerPool {
  return shared.get();
}

/** Terminates the shared pool's workers. */
export async function closeWorkerPool(): Promise<void> {
  await shared.close();
}
