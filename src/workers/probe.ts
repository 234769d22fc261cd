/** Library code that starts a worker: used by the tests that prove worker loading under every runner. */
import { once } from 'node:events';
import { spawnWorker } from './spawn.js';

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
