/**
 * The worker side of the pool (pool.ts): runs the jobs it is sent by name, each with a context
 * through which it may talk to the caller while it runs, and replies with the result or the error.
 * A worker entry is a registry: `serve({ name: load, ... })`, where `load` imports the handler the
 * first time a job of that name arrives (so a worker loads only the code of the jobs it runs).
 */
import { parentPort, type Transferable, workerData } from 'node:worker_threads';
import type { FromWorker, ServeData, ToWorker } from './pool.js';

/** What a running job may do besides returning its result. */
export interface JobContext {
  /** Posts a message to the caller (Task's onMessage). */
  post(message: unknown, transfer?: readonly Transferable[]): void;
  /** Receives the caller's messages to this job (Task.post). */
  onMessage(listener: (message: unknown) => void): void;
  /** What the result moves to the caller instead of copying (filled in by the handler). */
  transfer: Transferable[];
}

// biome-ignore lint/suspicious/noExplicitAny: each handler declares the data its caller sends.
export type Handler = (data: any, job: JobContext) => Promise<unknown> | unknown;

export type Registry = Record<string, () => Promise<Handler>>;

export function serve(registry: Registry): void {
  const port = parentPort;
  if (!port) throw new Error('serve() runs in a worker thread');
  const loaded = new Map<string, Handler>();
  const loading = new Map<string, Promise<Handler>>();
  /** Running jobs: the listener of each, or the messages that came before it was set. */
  const running = new Map<number, ((message: unknown) => void) | unknown[]>();

  const load = (name: string): Promise<Handler> => {
    let p = loading.get(name);
    if (!p) {
      const loader = registry[name];
      p = loader ? loader() : Promise.reject(new Error(`no worker job named '${name}'`));
      p.then((h) => loaded.set(name, h)).catch(() => undefined);
      loading.set(name, p);
    }
    return p;
  };

  const reply = (id: number, run: (job: JobContext) => Promise<unknown> | unknown): void => {
    running.set(id, []);
    const job: JobContext = {
      post: (message, transfer) => port.postMessage({ id, message } satisfies FromWorker, transfer),
      onMessage: (listener) => {
        const early = running.get(id);
        if (!Array.isArray(early)) return;
        running.set(id, listener);
        for (const message of early) listener(message);
      },
      transfer: [],
    };
    const ok = (result: unknown) => {
      running.delete(id);
      port.postMessage({ id, result } satisfies FromWorker, job.transfer);
    };
    const failed = (e: unknown) => {
      running.delete(id);
      port.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    };
    try {
      Promise.resolve(run(job)).then(ok, failed);
    } catch (e) {
      failed(e);
    }
  };

  for (const name of (workerData as ServeData | undefined)?.preload ?? [])
    void load(name).catch(() => undefined);

  port.on('message', (msg: ToWorker) => {
    if ('name' in msg) {
      const handler = loaded.get(msg.name);
      if (handler) reply(msg.id, (job) => handler(msg.data, job));
      else reply(msg.id, async (job) => (await load(msg.name))(msg.data, job));
    } else {
      const to = running.get(msg.id);
      if (typeof to === 'function') to(msg.message);
      else to?.push(msg.message);
    }
  });
}
