/**
 * Fallback peak-memory probe where the kernel high-water mark cannot be reset (non-Linux): a worker
 * thread samples the process RSS every few milliseconds. It misses peaks shorter than the interval,
 * which is why the kernel method is preferred and the measurement records which one was used.
 */
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn.js';

const MB = 1024 * 1024;

export class RssSampler {
  private constructor(private readonly worker: Worker) {}

  /** Starts the sampler and resolves once it samples and has reset its maximum to the current RSS. */
  static async start(intervalMs = 5): Promise<RssSampler> {
    if (!(intervalMs > 0)) throw new TypeError(`RssSampler: intervalMs must be > 0, got ${intervalMs}`);
    const worker = spawnWorker(new URL('./rss-sampler-worker.js', import.meta.url), {
      workerData: { intervalMs },
    });
    await nextMessage(worker, 'ready');
    // The worker's own start-up memory is now resident: restart its maximum from here.
    worker.postMessage('reset');
    await nextMessage(worker, 'reset');
    return new RssSampler(worker);
  }

  /** Stops sampling and returns the highest RSS seen since start, in MB. */
  async stop(): Promise<number> {
    this.worker.postMessage('stop');
    const [maxBytes] = (await once(this.worker, 'message')) as [number];
    await this.worker.terminate();
    return maxBytes / MB;
  }
}

async function nextMessage(worker: Worker, expected: string): Promise<void> {
  const [message] = (await once(worker, 'message')) as [unknown];
  if (message !== expected)
    throw new Error(`RssSampler: expected '${expected}' from the worker, got ${String(message)}`);
}
