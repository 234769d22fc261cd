/**
 * Worker side of RssSampler: polls the RSS of the whole process on its own event loop (so it keeps
 * sampling while the main thread is blocked). Messages: 'reset' restarts the maximum from the
 * current RSS; 'peak' answers the highest RSS seen since the last reset, in bytes; 'stop' answers
 * the same and stops sampling.
 */
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort!;
const intervalMs = Number((workerData as { intervalMs?: number }).intervalMs ?? 5);
let max = process.memoryUsage.rss();
const sample = (): void => {
  const rss = process.memoryUsage.rss();
  if (rss > max) max = rss;
};
const timer = setInterval(sample, intervalMs);

port.on('message', (message: unknown) => {
  if (message === 'reset') {
    max = process.memoryUsage.rss();
    port.postMessage('reset');
  } else if (message === 'peak' || message === 'stop') {
    if (message === 'stop') clearInterval(timer);
    sample();
    port.postMessage(max);
  }
});
port.postMessage('ready');
