/**
 * The measuring core: one measured run of a function, with wall time, CPU (user + system of the
 * whole process), the main thread's event-loop utilisation and the peak memory of the whole process.
 *
 * Peak memory follows the measurement rules (docs/architecture.md): the highest resident set size of the process
 * during the run minus the RSS just before it. On Linux the kernel's high-water mark (`VmHWM` in
 * /proc/self/status) is reset to the current RSS by writing `5` to /proc/self/clear_refs, and read after
 * the run: it sees every page the process touched (workers, Buffers, WASM), even while the main thread
 * is blocked, and is not hidden by an earlier run's peak. Where that is not available, a sampler in a
 * worker thread (which keeps running while the main thread is blocked) polls the process RSS instead,
 * and the measurement says so in `peak_method`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { usableCores } from './environment.js';
import { RssSampler } from './rss-sampler.js';

/** How `peak_memory_mb` was obtained. */
export type PeakMethod = 'vmhwm' | 'sampler';

/** Figures of one measured run. Seconds and MB (2^20 bytes). */
export interface Measurement {
  /** Elapsed real time of the run. */
  wall_seconds: number;
  /** User CPU time of the whole process (all threads) during the run. */
  cpu_user_seconds: number;
  /** System CPU time of the whole process during the run. */
  cpu_system_seconds: number;
  /** user + system. */
  cpu_seconds: number;
  /** cpu_seconds divided by the logical core count (seconds per core; compare with wall_seconds). */
  cpu_per_core: number;
  /** Main thread event-loop utilisation over the run, 0..1. */
  elu: number;
  /** Highest RSS of the whole process during the run minus `rss_before_mb` (never negative). */
  peak_memory_mb: number;
  /** RSS just before the run started. */
  rss_before_mb: number;
  /** 'vmhwm': kernel high-water mark reset before the run; 'sampler': worker-thread RSS polling. */
  peak_method: PeakMethod;
}

export interface Measured<T> extends Measurement {
  /** What the measured function returned (awaited). */
  result: T;
}

export interface MeasureOptions {
  /** 'auto' (default): the kernel high-water mark where available, else the sampler. */
  peakMethod?: 'auto' | PeakMethod;
  /** Sampler interval in ms (sampler method only). Default 5. */
  sampleIntervalMs?: number;
}

const STATUS = '/proc/self/status';
const CLEAR_REFS = '/proc/self/clear_refs';
const KB_PER_MB = 1024;

let hwmAvailable: boolean | undefined;

/** True where /proc/self/clear_refs can reset VmHWM (Linux with procfs). Probed once. */
export function highWaterMarkAvailable(): boolean {
  if (hwmAvailable === undefined) {
    try {
      resetHighWaterMark();
      hwmAvailable = readStatusKb('VmHWM') !== null && readStatusKb('VmRSS') !== null;
    } catch {
      hwmAvailable = false;
    }
  }
  return hwmAvailable;
}

/** Resets the kernel's resident-set high-water mark of this process to its current RSS. */
function resetHighWaterMark(): void {
  writeFileSync(CLEAR_REFS, '5');
}

/** Reads one `Name:   123 kB` field of /proc/self/status, in kB; null when absent. */
function readStatusKb(field: 'VmHWM' | 'VmRSS'): number | null {
  const status = readFileSync(STATUS, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) : null;
}

/** Current RSS of the whole process in MB. */
export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/** Peak-memory probe for one run: start just before, stop just after. */
interface PeakProbe {
  readonly method: PeakMethod;
  readonly rssBeforeMb: number;
  /** Highest RSS seen during the run, MB. */
  stop(): Promise<number>;
}

function hwmProbe(): PeakProbe {
  resetHighWaterMark();
  const rssBeforeMb = (readStatusKb('VmRSS') ?? 0) / KB_PER_MB;
  return {
    method: 'vmhwm',
    rssBeforeMb,
    stop: async () => (readStatusKb('VmHWM') ?? 0) / KB_PER_MB,
  };
}

async function samplerProbe(intervalMs: number): Promise<PeakProbe> {
  const sampler = await RssSampler.shared(intervalMs);
  await sampler.reset();
  const rssBeforeMb = rssMb();
  return {
    method: 'sampler',
    rssBeforeMb,
    stop: async () => Math.max(await sampler.peak(), rssMb()),
  };
}

async function startProbe(options: MeasureOptions): Promise<PeakProbe> {
  const wanted = options.peakMethod ?? 'auto';
  if (wanted === 'vmhwm' && !highWaterMarkAvailable()) {
    throw new Error(`peak memory method 'vmhwm' needs a writable ${CLEAR_REFS} (Linux)`);
  }
  if (wanted !== 'sampler' && highWaterMarkAvailable()) return hwmProbe();
  return samplerProbe(options.sampleIntervalMs ?? 5);
}

/**
 * Runs `fn` once and measures it. The measured region is exactly the call and the awaiting of its
 * result. If `fn` throws, the probe is stopped and the error is rethrown unchanged.
 */
export async function measure<T>(
  fn: () => T | Promise<T>,
  options: MeasureOptions = {},
): Promise<Measured<T>> {
  const probe = await startProbe(options);
  const eluStart = performance.eventLoopUtilization();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await probe.stop();
    throw error;
  }
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  const elu = performance.eventLoopUtilization(eluStart);
  const peakMb = await probe.stop();
  return { ...figures(wallMs, cpu, elu.utilization, peakMb, probe), result };
}

function figures(
  wallMs: number,
  cpu: NodeJS.CpuUsage,
  elu: number,
  peakMb: number,
  probe: PeakProbe,
): Measurement {
  const wall = wallMs / 1000;
  const user = cpu.user / 1e6;
  const system = cpu.system / 1e6;
  const cpuSeconds = user + system;
  return {
    wall_seconds: wall,
    cpu_user_seconds: user,
    cpu_system_seconds: system,
    cpu_seconds: cpuSeconds,
    cpu_per_core: cpuSeconds / usableCores(),
    elu: Number.isFinite(elu) ? elu : 0,
    peak_memory_mb: Math.max(0, peakMb - probe.rssBeforeMb),
    rss_before_mb: probe.rssBeforeMb,
    peak_method: probe.method,
  };
}

export interface SettleOptions {
  /** Also wait until the RSS is at or below this many MB (e.g. what it was before a big allocation). */
  belowMb?: number;
  /** Give up after this long, ms. Default 5,000. */
  maxMs?: number;
  /** How often the RSS is read, ms. Default 10. */
  intervalMs?: number;
  /** The RSS counts as settled once it has not fallen by more than 1 MB for this long, ms. Default 100. */
  quietMs?: number;
}

/**
 * Collects garbage, then waits until the process RSS has stopped falling (and, with `belowMb`, is
 * at or below it), at most `maxMs`. V8 returns the pages of a freed ArrayBuffer on a background
 * thread, later on a busy machine; a run started before that is over sees them released inside it
 * and reads too little growth (its baseline is measured too high). A fixed pause is not enough
 * under load; this waits for the thing itself. Resolves whether it settled, and the RSS.
 */
export async function settleRss(options: SettleOptions = {}): Promise<{ settled: boolean; rssMb: number }> {
  const maxMs = options.maxMs ?? 5000;
  const intervalMs = options.intervalMs ?? 10;
  const quietMs = options.quietMs ?? 100;
  const start = performance.now();
  collectGarbage();
  let low = rssMb();
  let quietSince = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const now = performance.now();
    const rss = rssMb();
    if (rss < low - 1) {
      low = rss;
      quietSince = now;
    }
    const below = options.belowMb === undefined || rss <= options.belowMb;
    if (below && now - quietSince >= quietMs) return { settled: true, rssMb: rss };
    if (now - start >= maxMs) return { settled: false, rssMb: rss };
    // Freed pages may wait for a collection that has not run yet.
    if (!below) collectGarbage();
  }
}

let gcFn: (() => void) | null | undefined;

/**
 * Runs full garbage collections when the runtime allows it (`--expose-gc`, or exposing it at run
 * time through V8 flags), so that garbage of earlier work is released before a measured run rather
 * than inside it. Two collections: V8 frees ArrayBuffer/Buffer memory on a concurrent sweeper that
 * the next collection finishes; with one, under CPU contention, an earlier run's large Buffer could
 * still be resident and be released inside the next run, hiding that run's growth. Used between
 * runs, never inside a measured region. Returns whether collections ran.
 */
export function collectGarbage(): boolean {
  if (gcFn === undefined) gcFn = findGc();
  if (!gcFn) return false;
  gcFn();
  gcFn();
  return true;
}

function findGc(): (() => void) | null {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}
