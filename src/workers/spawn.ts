/**
 * Starts a worker thread on a module of this project, TypeScript or compiled JavaScript, the same
 * way under the CLI (tsx), `vitest run` and `vitest bench`: the worker is a real Node worker that
 * boots through boot.mjs, which registers tsx when the entry is a .ts file.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./boot.mjs', import.meta.url);

export interface SpawnOptions extends Omit<WorkerOptions, 'workerData' | 'eval'> {
  workerData?: Record<string, unknown>;
}

/** `entry` is a module URL, e.g. `new URL('./my-worker.js', import.meta.url)` (resolved to .ts when that exists). */
export function spawnWorker(entry: URL, options: SpawnOptions = {}): Worker {
  const { workerData, ...rest } = options;
  return new Worker(BOOT, {
    ...rest,
    workerData: { ...(workerData ?? {}), __entry: resolveEntry(entry).href },
  });
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Source files are .ts; callers may name them .js (NodeNext style). Use whichever exists. */
function resolveEntry(entry: URL): URL {
  const path = fileURLToPath(entry);
  if (existsSync(path)) return entry;
  if (path.endsWith('.js')) {
    const ts = new URL(entry.href.replace(/\.js$/, '.ts'));
    if (existsSync(fileURLToPath(ts))) return ts;
  }
  throw new Error(`worker entry not found: ${path}`);
}
