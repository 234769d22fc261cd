/**
 * The local STAC API in a child process, for benchmarks. Why a process and not a worker thread:
 * the benchmark measures the client's process (CPU time, peak RSS, event-loop utilisation); a
 * server inside that process would add its own CPU and memory to the client's figures and share
 * its event loop. In its own process the server's CPU is measured apart (`process.cpuUsage()`
 * there is the server's alone) and reported through IPC, while it still shares the machine's
 * cores, as a local server does.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StacApiOptions } from './server.js';
import type { StacApiMetrics } from './service.js';

/** Options that can cross a process boundary (no item iterables: use `generated`). */
export type ProcessOptions = Omit<StacApiOptions, 'collections'> & {
  /** Also start the control listener (src/mock-api/control.ts): the bench side reads the CPU there. */
  control?: boolean;
};

/** Parent -> child. */
export type ToServer =
  | { type: 'start'; options: ProcessOptions }
  | { type: 'metrics'; id: number }
  | { type: 'reset'; id: number }
  | { type: 'close' };

/** Child -> parent. */
export type FromServer =
  | { type: 'ready'; url: string; controlUrl: string | null }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number; metrics: StacApiMetrics }
  | { type: 'reset'; id: number };

export interface StacApiProcess {
  url: string;
  /** The control listener's URL (`options.control`), else null. */
  controlUrl: string | null;
  pid: number;
  metrics(): Promise<StacApiMetrics>;
  resetMetrics(): Promise<void>;
  close(): Promise<void>;
}

function entryPath(): string {
  const ts = fileURLToPath(new URL('./process-entry.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./process-entry.js', import.meta.url));
}

function request<T extends FromServer>(child: ChildProcess, msg: ToServer & { id: number }): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: FromServer) => {
      if ('id' in reply && reply.id === msg.id && reply.type === msg.type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as T);
      }
    };
    const onExit = () => {
      child.off('message', onMessage);
      reject(new Error('the STAC API process exited'));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(msg);
  });
}

/** Starts the local STAC API in a child process; resolves once it listens. */
export async function startStacApiProcess(
  options: ProcessOptions,
  startTimeoutMs = 120_000,
): Promise<StacApiProcess> {
  const path = entryPath();
  const child = fork(path, [], {
    execArgv: path.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), startTimeoutMs);
  try {
    const ready = new Promise<Extract<FromServer, { type: 'ready' }>>((resolve, reject) => {
      child.on('message', (m: FromServer) => {
        if (m.type === 'ready') resolve(m);
        if (m.type === 'failed') reject(new Error(`the STAC API process failed to start: ${m.message}`));
      });
      child.once('exit', (code) =>
        reject(new Error(`the STAC API process exited (code ${code}) before it was ready`)),
      );
    });
    child.send({ type: 'start', options } satisfies ToServer);
    const { url, controlUrl } = await ready;
    let nextId = 1;
    return {
      url,
      controlUrl,
      pid: child.pid ?? -1,
      metrics: async () =>
        (await request<Extract<FromServer, { type: 'metrics' }>>(child, { type: 'metrics', id: nextId++ }))
          .metrics,
      resetMetrics: async () => {
        await request(child, { type: 'reset', id: nextId++ });
      },
      close: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.send({ type: 'close' } satisfies ToServer);
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
