/**
 * Worker threads that crawl search partitions for the `worker-threads` strategy. Each worker takes
 * one partition at a time, fetches its pages one after another and parses them; the Items reach
 * this thread by structured clone. This is the `crawl` job's protocol over the shared worker pool
 * (src/workers/pool.ts), which keeps the workers across ingests and unref'd while idle.
 *
 * Backpressure: a worker keeps at most WINDOW pages unacknowledged; this thread acknowledges a
 * page once the bounded channel took it, so a consumer that stops pulling stops the workers.
 */
import type { StacItem } from '../../stac/item.js';
import { eluSnapshot, lazyShared, meanElu, Pool, type Task } from '../../workers/pool.js';
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

/** The data of a `crawl` job (crawl-worker.ts). */
export interface CrawlRequest {
  request: PageRequest;
  bounds: number[];
  counters: SharedArrayBuffer;
  http: HttpOptions;
}

/** Worker -> main while a crawl runs. */
export interface CrawlPage {
  items: StacItem[];
  candidates: number[];
  failures: IngestFailure[];
}

/** Main -> worker while a crawl runs: the channel took a page (ack), or stop (cancel). */
export type CrawlSignal = 'ack' | 'cancel';

/** How a crawl ended: `repeated` when the error was a RepeatedNextError (rebuilt on this thread). */
export interface CrawlEnd {
  error?: string;
  repeated?: PageRequest;
}

export interface WorkerPage {
  items: StacItem[];
  /** Indices of the items that touch a partition boundary. */
  candidates: Set<number>;
}

export interface Crawl {
  pages: AsyncIterable<WorkerPage>;
  /** Stops the crawl (cancels partitions in flight), waits for the workers; the workers' mean ELU. */
  stop(): Promise<number | null>;
}

export class ApiWorkerPool {
  private readonly pool = new Pool({
    label: 'API crawl',
    preload: ['crawl'],
    describe: (_name, data) => `a crawl from ${(data as CrawlRequest).request.url}`,
  });

  /** Crawls `jobs` on `n` workers, one job per worker at a time. */
  crawl(jobs: CrawlJob[], n: number, failures: FailureCollector): Crawl {
    const k = Math.max(1, Math.min(n, jobs.length));
    const workers = this.pool.acquire(k);
    const elu0 = eluSnapshot(workers);
    const channel = new Channel<WorkerPage>(k * WINDOW);
    const queue = [...jobs];
    const active = new Set<Task<CrawlEnd>>();
    let stopping = false;
    let failure: unknown = null;
    const cancelActive = () => {
      for (const task of active) task.post('cancel' satisfies CrawlSignal);
    };
    // k runners, each with one partition at a time: least-busy dispatch gives each a worker of its own.
    const runner = async () => {
      for (let job = queue.shift(); job && !stopping; job = queue.shift()) {
        try {
          await this.runJob(job, k, channel, failures, active);
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
    const done = Promise.all(Array.from({ length: k }, runner)).then(() =>
      failure === null ? channel.close() : channel.fail(failure),
    );
    return {
      pages: channel.drain(),
      stop: async () => {
        stopping = true;
        channel.close();
        cancelActive();
        await done;
        return meanElu(workers, elu0);
      },
    };
  }

  private runJob(
    job: CrawlJob,
    k: number,
    channel: Channel<WorkerPage>,
    failures: FailureCollector,
    active: Set<Task<CrawlEnd>>,
  ): Promise<void> {
    /** Pushes of this job's pages not yet taken by the channel: the job ends after them. */
    let pushed: Promise<unknown> = Promise.resolve();
    const { request, bounds, counters, http } = job;
    const data: CrawlRequest = { request, bounds, counters, http };
    const task = this.pool.start<CrawlEnd, CrawlPage>('crawl', data, k, (page) => {
      job.onPage(page.items.length);
      for (const f of page.failures) failures.add(f.source, f.reason);
      const push = channel.push({ items: page.items, candidates: new Set(page.candidates) });
      pushed = Promise.all([pushed, push]);
      void push.then((ok) => task.post((ok ? 'ack' : 'cancel') satisfies CrawlSignal));
    });
    active.add(task);
    const ended = (error: Error | null): Promise<void> => {
      active.delete(task);
      return pushed.then(() => {
        if (error) throw error;
      });
    };
    return task.result.then(
      (end) =>
        ended(
          end.error === undefined
            ? null
            : end.repeated
              ? new RepeatedNextError(end.repeated)
              : new Error(end.error),
        ),
      (e: Error) => ended(e),
    );
  }

  /** Terminates every worker (a later crawl starts new ones). */
  close(): Promise<void> {
    return this.pool.close();
  }
}

const shared = lazyShared(() => new ApiWorkerPool());

export function apiWorkerPool(): ApiWorkerPool {
  return shared.get();
}

/** Stops the API crawl workers (tests, CLI exit). */
export async function closeApiWorkers(): Promise<void> {
  await shared.close();
}
