/**
 * The `crawl` job of the API `worker-threads` strategy, as run in a pool worker: crawls one
 * partition, one page after another, parses each page here, marks the items touching a partition
 * boundary and posts the Items to the main thread. At most WINDOW pages wait unacknowledged.
 */
import type { Dispatcher } from 'undici';
import type { JobContext } from '../../workers/serve.js';
import { FailureCollector } from '../types.js';
import { HttpCounters } from './counters.js';
import { HttpClient, type HttpOptions } from './http.js';
import { pages, RepeatedNextError } from './page.js';
import { touchesBoundary } from './partition.js';
import { guardedAgent } from './reach.js';
import { type CrawlEnd, type CrawlPage, type CrawlRequest, type CrawlSignal, WINDOW } from './worker-pool.js';

/**
 * One crawl at a time per worker: two connections are plenty. One Agent per reach policy (the
 * ingest decided it from its root), kept for the connections' reuse across crawls.
 */
const agents = new Map<string, Dispatcher>();
function agentFor(privateAddresses: 'allow' | 'refuse'): Dispatcher {
  let agent = agents.get(privateAddresses);
  if (!agent) {
    agent = guardedAgent(2, privateAddresses);
    agents.set(privateAddresses, agent);
  }
  return agent;
}

/**
 * The HTTP client of a crawl on a worker thread: the caller's shared counters and options, over the
 * worker's guarded Agent for the reach policy the caller decided (the sharded pipeline's crawls too).
 */
export function crawlClient(http: HttpOptions, counters: SharedArrayBuffer, signal: AbortSignal): HttpClient {
  const reach = http.privateAddresses === 'allow' ? 'allow' : 'refuse';
  return new HttpClient(
    new HttpCounters(counters),
    { ...http, privateAddresses: reach, dispatcher: agentFor(reach) },
    signal,
  );
}

/** Crawls one partition; a failed page ends it with the reason (never a throw: the caller rebuilds it). */
export async function crawlJob(msg: CrawlRequest, job: JobContext): Promise<CrawlEnd> {
  const controller = new AbortController();
  const signal = controller.signal;
  let sent = 0;
  let acked = 0;
  let wake: (() => void) | null = null;
  job.onMessage((m) => {
    if ((m as CrawlSignal) === 'ack') acked++;
    else controller.abort();
    const w = wake;
    wake = null;
    w?.();
  });
  const client = crawlClient(msg.http, msg.counters, signal);
  const failures = new FailureCollector();
  try {
    for await (const page of pages(client, msg.request, failures)) {
      while (sent - acked >= WINDOW && !signal.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (signal.aborted) break;
      const candidates: number[] = [];
      if (msg.bounds.length > 0) {
        page.items.forEach((item, i) => {
          if (touchesBoundary(item, msg.bounds)) candidates.push(i);
        });
      }
      job.post({ items: page.items, candidates, failures: failures.failures.splice(0) } satisfies CrawlPage);
      sent++;
    }
    return {};
  } catch (e) {
    if (signal.aborted) return {};
    return e instanceof RepeatedNextError
      ? { error: e.message, repeated: e.request }
      : { error: (e as Error).message };
  }
}
