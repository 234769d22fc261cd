/**
 * A worker thread of the API `worker-threads` strategy: crawls the partitions it is sent, one page
 * after another, parses each page here, marks the items touching a partition boundary and posts
 * the Items to the main thread. At most WINDOW pages wait unacknowledged.
 */
import { parentPort } from 'node:worker_threads';
import type { Agent } from 'undici';
import { FailureCollector } from '../types.js';
import { HttpCounters } from './counters.js';
import { HttpClient } from './http.js';
import { pages, RepeatedNextError } from './page.js';
import { touchesBoundary } from './partition.js';
import { guardedAgent } from './reach.js';
import { type FromWorker, type ToWorker, WINDOW } from './worker-pool.js';

interface JobState {
  controller: AbortController;
  sent: number;
  acked: number;
  wake: (() => void) | null;
}

const port = parentPort!;
/**
 * One crawl at a time per worker: two connections are plenty. One Agent per reach policy (the
 * ingest decided it from its root), kept for the connections' reuse across crawls.
 */
const agents = new Map<string, Agent>();
function agentFor(privateAddresses: 'allow' | 'refuse'): Agent {
  let agent = agents.get(privateAddresses);
  if (!agent) {
    agent = guardedAgent(2, privateAddresses);
    agents.set(privateAddresses, agent);
  }
  return agent;
}
const jobs = new Map<number, JobState>();

const post = (msg: FromWorker) => port.postMessage(msg);

function wake(state: JobState | undefined): void {
  const w = state?.wake;
  if (state) state.wake = null;
  w?.();
}

async function crawl(msg: Extract<ToWorker, { type: 'crawl' }>): Promise<void> {
  const state: JobState = { controller: new AbortController(), sent: 0, acked: 0, wake: null };
  jobs.set(msg.id, state);
  const signal = state.controller.signal;
  const reach = msg.http.privateAddresses === 'allow' ? 'allow' : 'refuse';
  const client = new HttpClient(
    new HttpCounters(msg.counters),
    { ...msg.http, privateAddresses: reach, dispatcher: agentFor(reach) },
    signal,
  );
  const failures = new FailureCollector();
  try {
    for await (const page of pages(client, msg.request, failures)) {
      while (state.sent - state.acked >= WINDOW && !signal.aborted) {
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
      }
      if (signal.aborted) break;
      const candidates: number[] = [];
      if (msg.bounds.length > 0) {
        page.items.forEach((item, i) => {
          if (touchesBoundary(item, msg.bounds)) candidates.push(i);
        });
      }
      post({
        type: 'page',
        id: msg.id,
        items: page.items,
        candidates,
        failures: failures.failures.splice(0),
      });
      state.sent++;
    }
    post({ type: 'done', id: msg.id });
  } catch (e) {
    if (signal.aborted) post({ type: 'done', id: msg.id });
    else {
      const repeated = e instanceof RepeatedNextError ? { repeated: e.request } : {};
      post({ type: 'error', id: msg.id, message: (e as Error).message, ...repeated });
    }
  } finally {
    jobs.delete(msg.id);
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'crawl') {
    void crawl(msg);
    return;
  }
  const state = jobs.get(msg.id);
  if (!state) return;
  if (msg.type === 'ack') state.acked++;
  else state.controller.abort();
  wake(state);
});
