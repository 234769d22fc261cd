/**
 * Worker threads that crawl search partitions for the `worker-threads` strategy. Each worker takes
 * one partition at a time, fetches its pages one after another and parses them; the Items reach
 * this thread by structured clone. The pool lives across ingests (starting a worker that loads
 * TypeScript costs far more than a 10,000-item crawl should carry), and its workers are unref'd
 * while idle so they never keep a process alive.
 *
 * Backpressure: a worker keeps at most WINDOW pages unacknowledged; this thread acknowledges a
 * page once the bounded channel took it, so a consumer that stops pulling stops the workers.
 */
import type { Worker } from 'node:worker_threads';
import type { StacItem } from '../../stac/item.js';
import { spawnWorker } from '../../workers/spawn.js';
import type { FailureCollector, IngestFailure } from '../types.js';
import { Channel } from './channel.js';
import type { HttpOptions } from './http.js';
import { type PageRequest, RepeatedNextError } from './page.js';

/** Pages a worker may have sent and not yet seen acknowledged. */
export const WINDOW = 2;

/** One partition to crawl. */
export interface CrawlJob {
  request: PageRequest;
  /** Partition boundaries: the worker marks the items that touch one (possible duplicates). */
  bounds: number[];
  /** HttpCounters' buffer, shared with this thread. */
  counters: SharedArrayBuffer;
  http: HttpOptions;
  /** Called on this thread for every page received, with its item count. */
  onPage: (items: number) => void;
}

export type ToWorker =
  | {
      type: 'crawl';
      id: number;
      request: PageRequest;
      bounds: number[];
      counters: SharedArrayBuffer;
      http: HttpOptions;
    }
  | { type: 'ack'; id: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'page'; id: number; items: StacItem[]; candidates: number[]; failures: IngestFailure[] }
  | { type: 'done'; id: number }
  /** `repeated`: the error was a RepeatedNextError for that request (rebuilt on this thread). */
  | { type: 'error'; id: number; message: string; repeated?: PageRequest };

export interface WorkerPage {
  items: StacItem[];
  /** Indices of the items that touch a partition boundary. */
  candidates: Set<number>;
}

interface Member {
  worker: Worker;
  listeners: Map<number, (msg: FromWorker) => void>;
  dead: Error | null;
}

export interface Crawl {
  pages: AsyncIterable<WorkerPage>;
  /** Stops the crawl (cancels partitions in flight), waits for the workers; the workers' mean ELU. */
  stop(): Promise<number | null>;
}

const ENTRY = new URL('./crawl-worker.js', import.meta.url);

export class ApiWorkerPool {
  private members: Member[] = [];
  private nextId = 1;

  private start(): Member {
    const worker = spawnWorker(ENTRY);
    const member: Member = { worker, listeners: new Map(), dead: null };
    worker.on('message', (msg: FromWorker) => member.listeners.get(msg.id)?.(msg));
    const die = (e: Error) => {
      member.dead ??= e;
      for (const [id, listener] of member.listeners) listener({ type: 'error', id, message: e.message });
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`API crawl worker exited (code ${code})`)));
    worker.unref();
    return member;
  }

  private acquire(n: number): Member[] {
    this.members = this.members.filter((m) => !m.dead);
    while (this.members.length < n) this.members.push(this.start());
    return this.members.slice(0, n);
  }

  /** Crawls `jobs` on `n` workers, one job per worker at a time. */
  crawl(jobs: CrawlJob[], n: number, failures: FailureCollector): Crawl {
    const members = this.acquire(Math.max(1, Math.min(n, jobs.length)));
    for (const m of members) m.worker.ref();
    const elu0 = members.map((m) => m.worker.performance.eventLoopUtilization());
    const channel = new Channel<WorkerPage>(members.length * WINDOW);
    const queue = [...jobs];
    const active = new Map<number, Member>();
    let stopping = false;
    let failure: unknown = null;
    const cancelActive = () => {
      for (const [id, m] of active) m.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
    };
    const runMember = async (m: Member) => {
      for (let job = queue.shift(); job && !stopping; job = queue.shift()) {
        try {
          await this.runJob(m, job, channel, failures, active);
        } catch (e) {
          // The first failure ends the crawl: the other partitions are cancelled, and the channel
          // fails only after every page a worker had sent is in it (runJob waits for its pushes).
          if (failure === null && !stopping) {
            failure = e;
            stopping = true;
            cancelActive();
          }
          return;
        }
      }
    };
    const done = Promise.all(members.map(runMember)).then(() =>
      failure === null ? channel.close() : channel.fail(failure),
    );
    return {
      pages: channel.drain(),
      stop: async () => {
        stopping = true;
        channel.close();
        cancelActive();
        await done;
        const elus = members.map((m, i) => m.worker.performance.eventLoopUtilization(elu0[i]).utilization);
        for (const m of members) m.worker.unref();
        return elus.length ? elus.reduce((a, b) => a + b, 0) / elus.length : null;
      },
    };
  }

  private runJob(
    m: Member,
    job: CrawlJob,
    channel: Channel<WorkerPage>,
    failures: FailureCollector,
    active: Map<number, Member>,
  ): Promise<void> {
    const id = this.nextId++;
    if (m.dead) return Promise.reject(m.dead);
    return new Promise<void>((resolve, reject) => {
      /** Pushes of this job's pages not yet taken by the channel: the job ends after them. */
      let pushed: Promise<unknown> = Promise.resolve();
      const finish = (error?: Error) => {
        m.listeners.delete(id);
        active.delete(id);
        void pushed.then(() => (error ? reject(error) : resolve()));
      };
      m.listeners.set(id, (msg) => {
        if (msg.type === 'done') finish();
        else if (msg.type === 'error')
          finish(msg.repeated ? new RepeatedNextError(msg.repeated) : new Error(msg.message));
        else {
          job.onPage(msg.items.length);
          for (const f of msg.failures) failures.add(f.source, f.reason);
          const push = channel.push({ items: msg.items, candidates: new Set(msg.candidates) });
          pushed = Promise.all([pushed, push]);
          void push.then((ok) => {
            if (!m.dead) m.worker.postMessage({ type: ok ? 'ack' : 'cancel', id } satisfies ToWorker);
          });
        }
      });
      active.set(id, m);
      const { request, bounds, counters, http } = job;
      m.worker.postMessage({ type: 'crawl', id, request, bounds, counters, http } satisfies ToWorker);
    });
  }

  /** Terminates every worker (a later crawl starts new ones). */
  async close(): Promise<void> {
    const members = this.members;
    this.members = [];
    await Promise.all(members.map((m) => m.worker.terminate()));
  }
}

let pool: ApiWorkerPool | null = null;

export function apiWorkerPool(): ApiWorkerPool {
  pool ??= new ApiWorkerPool();
  return pool;
}

/** Stops the API crawl workers (tests, CLI exit). */
export async function closeApiWorkers(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.close();
}
