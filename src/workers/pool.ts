/**
 * One pool of worker threads for every kind of job. Workers run the entry `worker.ts` (or another
 * entry built on serve.ts), which runs any job named in its registry; the pool owns spawning,
 * dispatch, dead workers, ref/unref and ELU readings, and the callers (the file ingest and the API
 * crawl adapters) only speak their job's protocol.
 *
 * - Workers live across runs: starting one that loads TypeScript costs far more than a small run.
 * - Each job goes to the least busy of the first `n` workers; replies are matched by id.
 * - A worker is ref'd while it has jobs and unref'd when idle: idle workers never keep a process alive.
 * - A worker that dies rejects its pending jobs with an error naming each job, and is replaced on
 *   the next acquire.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { Transferable, Worker } from 'node:worker_threads';
import { type SpawnOptions, spawnWorker } from './spawn.js';

/** Main -> worker: start a job, or a message to a running job. */
export type ToWorker = { id: number; name: string; data: unknown } | { id: number; message: unknown };

/** Worker -> main: a message from a running job, its result, or why it failed. */
export type FromWorker =
  | { id: number; message: unknown }
  | { id: number; result: unknown }
  | { id: number; error: string };

/** What the workers started by serve.ts find in `workerData`. */
export interface ServeData {
  /** Handler names to load while the worker boots rather than on their first job. */
  preload?: string[];
}

export const WORKER_ENTRY = new URL('./worker.js', import.meta.url);

export interface PoolOptions {
  /** Names the workers in errors, e.g. 'ingest' -> "ingest worker exited (code 1) while ...". */
  label: string;
  /** The worker module (default: worker.ts, the registry of every job this project runs). */
  entry?: URL;
  /** Per-worker settings, e.g. `resourceLimits`. */
  spawn?: Omit<SpawnOptions, 'workerData'>;
  /** Handlers the workers load at boot (see ServeData). */
  preload?: string[];
  /** Says what a job was doing, for the error of a worker that died under it (only then called). */
  describe?: (name: string, data: unknown) => string;
}

interface Pending {
  name: string;
  data: unknown;
  resolve: (result: never) => void;
  reject: (e: Error) => void;
  onMessage: ((message: never) => void) | undefined;
}

interface Member {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

/** A job that talks while it runs (see Pool.start). */
export interface Task<R> {
  result: Promise<R>;
  /** Posts a message to the running job; ignored once it ended or its worker died. */
  post(message: unknown, transfer?: readonly Transferable[]): void;
}

export class Pool {
  private members: Member[] = [];
  /** Some member died since the last acquire (so the list must be filtered). */
  private buried = false;
  private nextId = 1;

  constructor(private readonly options: PoolOptions) {}

  /** Makes sure the first `n` workers are alive (replacing dead ones); returns them. */
  acquire(n: number): Worker[] {
    this.live(n);
    return this.members.slice(0, n).map((m) => m.worker);
  }

  get size(): number {
    return this.members.filter((m) => !m.dead).length;
  }

  /** Runs job `name` on the least busy of the first `n` workers; `transfer` moves rather than copies. */
  run<R>(name: string, data: unknown, n: number, transfer?: readonly Transferable[]): Promise<R> {
    return this.send<R>(this.pick(n), this.nextId++, name, data, transfer, undefined);
  }

  /** As `run`, for a job that posts messages before its result and receives some. */
  start<R, M = unknown>(name: string, data: unknown, n: number, onMessage: (message: M) => void): Task<R> {
    const member = this.pick(n);
    const id = this.nextId++;
    const result = this.send<R>(member, id, name, data, undefined, onMessage);
    return {
      result,
      post: (message, transfer) => {
        if (!member.dead && member.pending.has(id))
          member.worker.postMessage({ id, message } satisfies ToWorker, transfer);
      },
    };
  }

  /** Stops every worker, rejecting their pending jobs; a later acquire starts new ones. */
  async close(): Promise<void> {
    const members = this.members;
    this.members = [];
    await Promise.all(members.map((m) => m.worker.terminate()));
  }

  private live(n: number): void {
    if (this.buried) {
      this.members = this.members.filter((m) => !m.dead);
      this.buried = false;
    }
    while (this.members.length < n) this.members.push(this.spawn());
  }

  private pick(n: number): Member {
    this.live(n);
    let best = this.members[0]!;
    for (let i = 1; i < n; i++) {
      const m = this.members[i]!;
      if (m.pending.size < best.pending.size) best = m;
    }
    return best;
  }

  private send<R>(
    member: Member,
    id: number,
    name: string,
    data: unknown,
    transfer: readonly Transferable[] | undefined,
    onMessage: ((message: never) => void) | undefined,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (member.pending.size === 0) member.worker.ref();
      member.pending.set(id, { name, data, resolve, reject, onMessage });
      member.worker.postMessage({ id, name, data } satisfies ToWorker, transfer);
    });
  }

  private spawn(): Member {
    const { entry = WORKER_ENTRY, spawn, preload } = this.options;
    const workerData: ServeData = preload ? { preload } : {};
    const worker = spawnWorker(entry, { ...spawn, workerData: { ...workerData } });
    const member: Member = { worker, pending: new Map(), dead: false };
    worker.on('message', (reply: FromWorker) => this.receive(member, reply));
    worker.on('error', (e: Error) => this.bury(member, `failed (${e.message})`));
    worker.on('exit', (code) => this.bury(member, `exited (code ${code})`));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    return member;
  }

  private receive(member: Member, reply: FromWorker): void {
    const p = member.pending.get(reply.id);
    if (!p) return;
    if ('message' in reply) {
      p.onMessage?.(reply.message as never);
      return;
    }
    member.pending.delete(reply.id);
    if (member.pending.size === 0) member.worker.unref();
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result as never);
  }

  private bury(member: Member, how: string): void {
    if (member.dead) return;
    member.dead = true;
    this.buried = true;
    const { label, describe = (name: string) => `job '${name}'` } = this.options;
    for (const p of member.pending.values()) {
      p.reject(new Error(`${label} worker ${how} while running ${describe(p.name, p.data)}`));
    }
    member.pending.clear();
  }
}

/** A lazily created process-wide instance, and the function that closes it (the next get makes a new one). */
export function lazyShared<T extends { close(): Promise<void> }>(
  create: () => T,
): { get: () => T; close: () => Promise<void> } {
  let instance: T | null = null;
  return {
    get: () => {
      instance ??= create();
      return instance;
    },
    close: async () => {
      const it = instance;
      instance = null;
      await it?.close();
    },
  };
}

export function eluSnapshot(workers: Worker[]): EventLoopUtilization[] {
  return workers.map((w) => w.performance.eventLoopUtilization());
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
