/**
 * Starts a worker thread on a module of this project, TypeScript or compiled JavaScript, the same
 * way under the CLI (tsx), `vitest run` and `vitest bench`. A .ts entry boots through boot.mjs,
 * which registers tsx in the worker first; a .js/.mjs entry (compiled code) is started directly,
 * without tsx.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./boot.mjs', import.meta.url);

export interface SpawnOptions extends Omit<WorkerOptions, 'workerData' | 'eval'> {
  workerData?: Record<string, unknown>;
}

/** `entry` is a module URL, e.g. `new URL('./my-worker.js', import.meta.url)` (resolved to .ts when that exists). */
export function spawnWorker(entry: URL, options: SpawnOptions = {}): Worker {
  const { workerData, ...rest } = options;
  const resolved = resolveEntry(entry);
  if (!isTypeScript(resolved)) return new Worker(resolved, { ...rest, workerData: workerData ?? {} });
  return new Worker(BOOT, {
    ...rest,
    workerData: { ...(workerData ?? {}), __entry: resolved.href },
  });
}

function isTypeScript(entry: URL): boolean {
  return /\.[cm]?ts$/.test(entry.pathname);
}

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
