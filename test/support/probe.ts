/** Starts a worker the way library code does: the tests of worker loading under every runner use it. */
import { once } from 'node:events';
import { spawnWorker } from '../../src/workers/spawn.js';

export async function squareInWorker(n: number): Promise<number> {
  const worker = spawnWorker(new URL('./echo-worker.js', import.meta.url));
  try {
    worker.postMessage(n);
    const [answer] = (await once(worker, 'message')) as [number];
    return answer;
  } finally {
    await worker.terminate();
  }
}
