/**
 * A pool of ingest workers kept alive between ingests: starting a worker that loads TypeScript
 * costs tens to hundreds of milliseconds, which would otherwise dominate a 10,000-item run. Workers
 * are unref'd while idle (they never keep the process alive) and replaced if one dies. Each job is
 * sent to the least busy of the first `n` workers; replies are matched by id.
 */
import type { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { spawnWorker } from '../../workers/spawn.js';
import type { Transfer } from '../decode/documents.js';
import type { Job, JobOutput } from './jobs.js';

/** Main -> worker. */
export interface JobRequest {
  id: number;
  job: Job;
  transfer: Transfer;
  /** Bytes hand-over: a buffer given back by the caller (transferred), to read into. */
  buffer?: ArrayBuffer | undefined;
}

/** Worker -> main. */
export type JobReply = { id: number; result: JobOutput } | { id: number; error: string };

interface Pending {
  resolve: (r: JobOutput) => void;
  reject: (e: Error) => void;
}

interface Member {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

const ENTRY = new URL('./worker.js', import.meta.url);

/**
 * Young-generation size of each worker's heap. Workers allocate fast and keep little, so a bounded
 * young generation keeps their garbage from piling up: 100,000 NDJSON items through 2 workers
 * peaked ~90 MB above the starting RSS with 16 MB, ~150 MB with V8's default here.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** Spare read buffers kept for the bytes hand-over: a few, and none above this size. */
const SPARE_BUFFERS = 8;
const SPARE_MAX_BYTES = 4 << 20;

export class WorkerPool {
  private members: Member[] = [];
  private nextId = 1;
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
    this.members = this.members.filter((m) => !m.dead);
    while (this.members.length < n) this.members.push(this.start());
    return this.members.slice(0, n).map((m) => m.worker);
  }

  /** Runs a job on the least busy of the first `n` workers. */
  run(job: Job, n: number, transfer: Transfer, buffer?: ArrayBuffer): Promise<JobOutput> {
    const member = this.pick(n);
    const id = this.nextId++;
    return new Promise<JobOutput>((resolve, reject) => {
      if (member.pending.size === 0) member.worker.ref();
      member.pending.set(id, { resolve, reject });
      const request: JobRequest = { id, job, transfer, buffer };
      member.worker.postMessage(request, buffer ? [buffer] : []);
    });
  }

  /** Stops every worker (tests, CLI exit). A later `acquire` starts new ones. */
  async close(): Promise<void> {
    const members = this.members;
    this.members = [];
    this.spare = [];
    await Promise.all(members.map((m) => m.worker.terminate()));
  }

  get size(): number {
    return this.members.filter((m) => !m.dead).length;
  }

  private pick(n: number): Member {
    this.acquire(n);
    let best = this.members[0]!;
    for (let i = 1; i < n; i++) {
      const m = this.members[i]!;
      if (m.pending.size < best.pending.size) best = m;
    }
    return best;
  }

  private start(): Member {
    const worker = spawnWorker(ENTRY, {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    const member: Member = { worker, pending: new Map(), dead: false };
    worker.unref();
    worker.on('message', (reply: JobReply) => this.settle(member, reply));
    worker.on('error', (e: Error) => this.bury(member, e));
    worker.on('exit', (code) => this.bury(member, new Error(`ingest worker exited (code ${code})`)));
    return member;
  }

  private settle(member: Member, reply: JobReply): void {
    const p = member.pending.get(reply.id);
    if (!p) return;
    member.pending.delete(reply.id);
    if (member.pending.size === 0) member.worker.unref();
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
  }

  private bury(member: Member, e: Error): void {
    if (member.dead) return;
    member.dead = true;
    for (const p of member.pending.values()) p.reject(e);
    member.pending.clear();
  }
}

let shared: WorkerPool | null = null;

/** The process-wide pool the worker-threads strategy uses. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}

/** Terminates the shared pool's workers. */
export async function closeWorkerPool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}

/** Mean event-loop utilisation of workers between two readings (`start` from `eluSnapshot`). */
export function meanElu(workers: Worker[], start: EventLoopUtilization[]): number | null {
  if (workers.length === 0) return null;
  let sum = 0;
  workers.forEach((w, i) => {
    sum += w.performance.eventLoopUtilization(start[i]).utilization;
  });
  return sum / workers.length;
}

export function eluSnapshot(workers: Worker[]): EventLoopUtilization[] {
  return workers.map((w) => w.performance.eventLoopUtilization());
}
