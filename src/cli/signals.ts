/**
 * SIGINT and SIGTERM during a benchmark run. The run has child processes the signal may not reach:
 * vitest's bench forks (and the worker threads inside them) and the local STAC API process, plus
 * what they started. A signal sent to the CLI's process alone (`kill PID`, a CI runner cancelling a
 * step) left the forks running after the CLI exited, and vitest's own handler exits without
 * stopping them. So the CLI handles both signals itself: every descendant process gets SIGTERM,
 * the ones still running after a grace period get SIGKILL, then the CLI exits with 128 + the
 * signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a process a signal ended.
 *
 * Descendants are found through /proc (Linux), else `ps`; the handler works the same whether stdin
 * is a terminal or not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** How long descendants get to exit after SIGTERM before SIGKILL. */
export const GRACE_MS = 2000;

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type HandledSignal = keyof typeof SIGNALS;

/** Parent of every process: from /proc, or `ps` where there is no /proc; empty when neither answers. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last ')'.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        map.set(Number(name), ppid);
      } catch {
        // exited meanwhile
      }
    }
    return map;
  }
  try {
    const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid !== undefined && ppid !== undefined && !Number.isNaN(pid)) map.set(pid, ppid);
    }
  } catch {
    // no ps either: only the children this process knows of are stopped (by their own means)
  }
  return map;
}

/** Every process below `root` (children, their children, ...). */
export function descendants(root: number = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** True while a process exists and is not a zombie (a zombie has ended; it waits to be reaped). */
export function isRunning(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Sleeps without the event loop (a signal handler that must finish before the process exits). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** SIGTERM to every descendant, SIGKILL to those still running after `graceMs`; the pids stopped. */
export function stopDescendants(graceMs = GRACE_MS): number[] {
  const pids = descendants();
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let running = pids.filter(isRunning);
  while (running.length > 0 && Date.now() < deadline) {
    sleepSync(20);
    running = running.filter(isRunning);
  }
  for (const pid of running) signal(pid, 'SIGKILL');
  // Whatever the stopped processes started meanwhile (a fork replacing one that died).
  for (const pid of descendants()) signal(pid, 'SIGKILL');
  return pids;
}

/**
 * Until the returned function is called, SIGINT and SIGTERM stop every descendant process and exit
 * with 128 + the signal's number, after one line on stderr.
 */
export function stopChildrenOnSignal(label: string): () => void {
  const on = (name: HandledSignal) => {
    const stopped = stopDescendants();
    process.stderr.write(
      `${label}: interrupted by ${name}; stopped ${stopped.length} child process${stopped.length === 1 ? '' : 'es'}\n`,
    );
    process.exit(128 + SIGNALS[name]);
  };
  const handlers = (Object.keys(SIGNALS) as HandledSignal[]).map((name) => {
    const handler = () => on(name);
    // First in line: vitest's own handler exits the process without stopping its forks.
    process.prependListener(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}
