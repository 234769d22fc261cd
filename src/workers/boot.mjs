// Bootstraps a worker thread whose code is TypeScript. Node 20 cannot load .ts in a worker, and a
// `--import tsx` in the worker's execArgv is not applied to its entry, so the worker registers tsx
// itself and then imports the real entry. Plain .js/.mjs entries are imported directly.
import { workerData } from 'node:worker_threads';

const entry = workerData?.__entry;
if (typeof entry !== 'string') throw new Error('worker boot: workerData.__entry (a module URL) is missing');
if (/\.[cm]?ts$/.test(new URL(entry).pathname)) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
