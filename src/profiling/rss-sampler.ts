/**
 * Fallback peak-memory probe where the kernel high-water mark cannot be reset (non-Linux): a worker
 * thread samples the process RSS every few milliseconds. It misses peaks shorter than the interval,
 * which is why the kernel method is preferred and a measurement records which one was used.
 * One sampler is kept per interval and reused across runs (starting a worker costs far more than a sample).
 */
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn.js';

const MB = 1024 * 1024;

export class RssSampler {
  private static readonly samplers = new Map<number, Promise<RssSampler>>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly worker: Worker) {}

  /** Starts a sampler; resolves once it is sampling. Stop it with `stop()`. */
  static async start(intervalMs = 5): Promise<RssSampler> {
    if (!(intervalMs > 0)) throw new TypeError(`RssSampler: intervalMs must be > 0, got ${intervalMs}`);
    const worker = spawnWorker(new URL('./rss-sampler-worker.js', import.meta.url), {
      workerData: { intervalMs },
    });
    const [message] = (await once(worker, 'message')) as [unknown];
    if (message !== 'ready')
      throw new Error(`RssSampler: expected 'ready' from the worker, got ${String(message)}`);
    return new RssSampler(worker);
  }

  /** A sampler shared by every caller with this interval; it does not keep the process alive. */
  static shared(intervalMs = 5): Promise<RssSampler> {
    let sampler = RssSampler.samplers.get(intervalMs);
    if (!sampler) {
      sampler = RssSampler.start(intervalMs).then((s) => {
        s.worker.unref();
        return s;
      });
      sampler.catch(() => RssSampler.samplers.delete(intervalMs));
      RssSampler.samplers.set(intervalMs, sampler);
    }
    return sampler;
  }

  /** Restarts the maximum from the current RSS. */
  async reset(): Promise<void> {
    await this.ask('reset');
  }

  /** Highest RSS since the last reset (or start), in MB. */
  async peak(): Promise<number> {
    return ((await this.ask('peak')) as number) / MB;
  }

  /** Stops the worker; returns the highest RSS since the last reset, in MB. */
  async stop(): Promise<number> {
    const max = ((await this.ask('stop')) as number) / MB;
    await this.worker.terminate();
    return max;
  }

  /** One request at a time, so each answer belongs to its question. */
  private ask(message: 'reset' | 'peak' | 'stop'): Promise<unknown> {
    const answer = this.queue.then(async () => {
      this.worker.postMessage(message);
      const [reply] = (await once(this.worker, 'message')) as [unknown];
      return reply;
    });
    this.queue = answer.catch(() => undefined);
    return answer;
  }
}
