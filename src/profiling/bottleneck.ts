/**
 * Names what limits a measured row — CPU, file I/O or the network — from its own measurements
 * (CPU time against wall time and cores, main-thread and worker event-loop utilisation, the local
 * API's CPU) and the floors measured in the same run on the same data: for an API row, the pages
 * floor at its own level is its measured ceiling. A floor a row beats beyond noise is no bound for
 * it: the sentence says so (and why) instead of printing a share above 100%.
 */
import { fmtInt, fmtNum } from './format.js';
import type { BenchmarkResult, Bottleneck, Scenario } from './result.js';
import { contrastValues, type RunNoise, runsOf } from './spread.js';

/** Above this, a thread (ELU) or the machine (CPU time / wall / cores) counts as saturated. */
export const SATURATED = 0.75;
/** A row reaching this share of the parse-only ceiling runs at the speed of parsing. */
export const NEAR_CEILING = 0.5;

export type FloorKind = 'read' | 'parse' | 'pages';

/** The fastest floor row of each kind in a group; the API's pages floors by their level. */
export interface FloorSet {
  read?: BenchmarkResult;
  parse?: BenchmarkResult;
  /** Requests in flight -> the pages floor measured there: the ceiling of the rows at that level. */
  pages: Map<number, BenchmarkResult>;
}

/**
 * Which floor a row is, from its strategy and variant names: `pages...` (an API's pages fetched,
 * bodies discarded; also schema 2's earlier `server`/`raw-pages` floor, the same fetch at 1),
 * `parse...`/`decode...` (parse-only), `read...` (read-only). Null for anything else.
 */
export function classifyFloor(r: BenchmarkResult): FloorKind | null {
  const name = `${r.strategy} ${r.variant ?? ''}`.toLowerCase();
  if (name.includes('pages')) return 'pages';
  if (name.includes('parse') || name.includes('decode')) return 'parse';
  if (name.includes('read')) return 'read';
  return null;
}

export function floorsOf(rows: readonly BenchmarkResult[]): FloorSet {
  const set: FloorSet = { pages: new Map() };
  const faster = (r: BenchmarkResult, have: BenchmarkResult | undefined) =>
    !have || (r.throughput_items_per_sec ?? 0) > (have.throughput_items_per_sec ?? 0);
  for (const r of rows) {
    const kind = classifyFloor(r);
    if (!kind || r.throughput_items_per_sec === null) continue;
    if (kind === 'pages') {
      if (faster(r, set.pages.get(r.concurrency))) set.pages.set(r.concurrency, r);
    } else if (faster(r, set[kind])) set[kind] = r;
  }
  return set;
}

export interface BottleneckCall {
  bottleneck: Bottleneck;
  /** Plain words with the figures the call rests on. */
  explanation: string;
}

interface Load {
  /** Cores' worth of CPU time per second of wall time. */
  cpuCores: number | null;
  machineShare: number;
  mainElu: number | null;
  workerElu: number | null;
  /** The local API's process: cores' worth of its CPU time per second of the row's wall time. */
  serverCores: number | null;
}

/** CPU seconds per second of a row's mean run: the cores' worth of CPU it kept busy. */
function perWallSecond(seconds: number | null | undefined, r: BenchmarkResult): number | null {
  return typeof seconds === 'number' && r.duration_seconds !== null && r.duration_seconds > 0
    ? seconds / r.duration_seconds
    : null;
}

function loadOf(r: BenchmarkResult, cores: number): Load {
  const cpuCores = perWallSecond(r.cpu_seconds, r);
  return {
    cpuCores,
    machineShare: cpuCores === null ? 0 : cpuCores / cores,
    mainElu: r.event_loop_utilization,
    workerElu: r.strategy === 'worker-threads' ? r.worker_elu : null,
    serverCores: perWallSecond(r.server_cpu_seconds, r),
  };
}

function describeLoad(load: Load, cores: number): string {
  const parts: string[] = [];
  if (load.cpuCores !== null) parts.push(`${fmtNum(load.cpuCores, 1)} of ${cores} cores busy`);
  if (load.mainElu !== null) parts.push(`main-thread ELU ${fmtNum(load.mainElu, 2)}`);
  if (load.workerElu !== null) parts.push(`worker ELU ${fmtNum(load.workerElu, 2)}`);
  if (load.serverCores !== null) parts.push(`the server ${fmtNum(load.serverCores, 2)} cores busy`);
  return parts.join(', ');
}

/**
 * The floor of a file scenario in items/s: the slower of reading alone (one thread) and parsing alone
 * spread over the cores. Null without both floors.
 */
export function fileFloor(floors: FloorSet, cores: number): number | null {
  const read = floors.read?.throughput_items_per_sec ?? null;
  const parse = floors.parse?.throughput_items_per_sec ?? null;
  if (read === null || parse === null || read <= 0 || parse <= 0) return null;
  return Math.min(read, parse * cores);
}

/** How a row stands against a bound: a share of it, at it within noise, beyond it, or not judged. */
export type Reach =
  | { kind: 'share'; share: number }
  | { kind: 'within-noise' }
  | { kind: 'beyond' }
  | { kind: 'unjudged' };

/**
 * Where `row` stands against a bound of `bound` items/s derived from the floor row `from`: below
 * it, a share (never above 1); above it, beyond the noise or within it (or not judged without a
 * noise estimate).
 */
export function reachOf(
  row: BenchmarkResult,
  bound: number,
  from: BenchmarkResult,
  noise: RunNoise | null,
): Reach {
  const tp = row.throughput_items_per_sec ?? 0;
  if (tp <= bound) return { kind: 'share', share: bound > 0 ? tp / bound : 0 };
  const c = contrastValues({ tp, runs: runsOf(row) }, { tp: bound, runs: runsOf(from) }, noise);
  if (c.verdict === 'different') return { kind: 'beyond' };
  return c.verdict === 'equivalent' ? { kind: 'within-noise' } : { kind: 'unjudged' };
}

/** `reaches 78% of it`; above the bound, `reaches it (...)`: never a share above 100%. */
function reachText(reach: Reach, it: string): string {
  if (reach.kind === 'share') return `reaches ${fmtInt(Math.min(100, reach.share * 100))}% of ${it}`;
  if (reach.kind === 'within-noise') return `reaches ${it} (the difference is within noise)`;
  return `is at or above ${it} (not enough samples to judge noise)`;
}

interface FileBounds {
  floor: number;
  floorRow: BenchmarkResult;
  floorIsRead: boolean;
  reach: Reach;
  cores: number;
  callerBound: number | null;
  callerReach: Reach | null;
}

/** An API row against the pages floor measured at its own level. */
interface ApiCeiling {
  row: BenchmarkResult;
  reach: Reach;
}

/** `the server and network allow 12,000 items/s at 10 in flight ..., and this setting reaches 80% of that`. */
function ceilingText(c: ApiCeiling): string {
  const allow =
    `the server and network allow ${fmtInt(c.row.throughput_items_per_sec)} items/s at ` +
    `${c.row.concurrency} in flight (the collection's pages fetched, bodies discarded)`;
  if (c.reach.kind === 'beyond') {
    // Nothing reaches the server around it: the two were timed in separate runs, which drift.
    return `${allow}, yet this setting runs faster beyond noise, so that ceiling is not a bound for it (it was timed in runs of its own)`;
  }
  return `${allow}, and this setting ${reachText(c.reach, 'that')}`;
}

function describeFloors(floors: FloorSet, ceiling: ApiCeiling | null, file: FileBounds | null): string {
  const parts: string[] = [];
  if (floors.read)
    parts.push(`reading alone runs at ${fmtInt(floors.read.throughput_items_per_sec)} items/s`);
  if (floors.parse)
    parts.push(`parsing alone at ${fmtInt(floors.parse.throughput_items_per_sec)} items/s per thread`);
  if (ceiling) parts.push(ceilingText(ceiling));
  let text = parts.length ? `; ${parts.join(', ')}` : '';
  if (file) {
    const what = `the floor (the slower of reading alone and parsing spread over ${file.cores} cores)`;
    if (file.reach.kind === 'beyond') {
      // Reads overlap in a strategy (libuv's pool, workers) but were timed on one thread; parsing
      // was timed on one thread and spread over the cores only by arithmetic.
      const why = file.floorIsRead
        ? 'reading alone was timed on one thread, and this setting overlaps its reads'
        : 'parsing alone was timed on one thread in a run of its own and spread over the cores only by arithmetic';
      text += `: ${what} is ${fmtInt(file.floor)} items/s, but this setting runs faster beyond noise, so that floor is not a bound for it (${why})`;
    } else {
      text += `: ${what} is ${fmtInt(file.floor)} items/s, and this setting ${reachText(file.reach, 'it')}`;
    }
    if (file.callerBound !== null && file.callerReach) {
      const bound = `parsing alone on one thread (${fmtInt(file.callerBound)} items/s)`;
      text +=
        file.callerReach.kind === 'beyond'
          ? `. Every Item is parsed on the caller's one thread, yet this setting runs faster than ${bound} beyond noise, so that floor is not a bound for it: the floor was timed in a run of its own, and this setting's caller thread parsed faster than that run did`
          : `. Every Item is parsed on the caller's one thread, so ${bound} bounds every strategy, and this setting ${reachText(file.callerReach, 'that')}`;
    }
  }
  return text;
}

/**
 * CPU when a thread or the machine is saturated, or (files) when the parse-only floor is the
 * lower ceiling and the row runs at half of it or more. For the API also when the local server,
 * sharing the cores, is: its process near a full core (its requests run on one thread), or client
 * and server together near all the cores; the sentence names the server then. Otherwise the row
 * is waiting: on file I/O for file scenarios, on the network (server and latency) for the API.
 */
export function explainBottleneck(
  scenario: Scenario,
  row: BenchmarkResult,
  floors: FloorSet,
  cores: number,
  noise: RunNoise | null = null,
): BottleneckCall {
  const load = loadOf(row, cores);
  const busiest = Math.max(load.machineShare, load.mainElu ?? 0, load.workerElu ?? 0);
  const tp = row.throughput_items_per_sec ?? 0;
  const threads = row.strategy === 'worker-threads' ? Math.min(row.concurrency, cores) : 1;
  const parseCeiling = floors.parse ? (floors.parse.throughput_items_per_sec ?? 0) * threads : null;
  const readCeiling = floors.read?.throughput_items_per_sec ?? null;
  const ceilingRow = scenario === 'api-search' ? floors.pages.get(row.concurrency) : undefined;
  const ceilingTp = ceilingRow?.throughput_items_per_sec ?? 0;
  const ceiling =
    ceilingRow && ceilingTp > 0 && tp > 0
      ? { row: ceilingRow, reach: reachOf(row, ceilingTp, ceilingRow, noise) }
      : null;
  const loadText = describeLoad(load, cores);
  const floor = scenario === 'api-search' ? null : fileFloor(floors, cores);
  // JSON sources reach the caller as text it parses (worker-threads included); Parquet rows are
  // rebuilt in the workers, so only there does the parse-only floor spread over the cores.
  const onePerThread = floors.parse?.throughput_items_per_sec ?? null;
  const callerBound =
    floor !== null && scenario !== 'parquet' && onePerThread !== null && onePerThread < floor
      ? onePerThread
      : null;
  let file: FileBounds | null = null;
  if (floor !== null && tp > 0 && floors.read && floors.parse) {
    const floorIsRead = floor === floors.read.throughput_items_per_sec;
    const floorRow = floorIsRead ? floors.read : floors.parse;
    file = {
      floor,
      floorRow,
      floorIsRead,
      reach: reachOf(row, floor, floorRow, noise),
      cores,
      callerBound,
      callerReach: callerBound !== null ? reachOf(row, callerBound, floors.parse, noise) : null,
    };
  }
  const floorText = describeFloors(floors, ceiling, file);

  if (busiest >= SATURATED) {
    return { bottleneck: 'cpu', explanation: `CPU (${loadText})${floorText}` };
  }
  const server = scenario === 'api-search' ? load.serverCores : null;
  if (server !== null && server >= SATURATED) {
    return {
      bottleneck: 'cpu',
      explanation:
        `the server's CPU: the local API's process used ${fmtNum(server, 2)} s of CPU per second, ` +
        `near the one core its requests run on, while the client is not saturated (${loadText}); ` +
        `it shares the client's ${cores} cores${floorText}`,
    };
  }
  const shared = server !== null && load.cpuCores !== null ? server + load.cpuCores : null;
  if (shared !== null && shared >= SATURATED * cores) {
    return {
      bottleneck: 'cpu',
      explanation:
        `the shared cores: client and local server together kept ${fmtNum(shared, 1)} of ${cores} ` +
        `cores busy, neither saturated alone (${loadText})${floorText}`,
    };
  }
  const parseBound =
    scenario !== 'api-search' &&
    parseCeiling !== null &&
    (readCeiling === null || parseCeiling <= readCeiling) &&
    tp >= NEAR_CEILING * parseCeiling;
  if (parseBound) {
    const reach = reachOf(row, parseCeiling, floors.parse!, noise);
    const at =
      reach.kind === 'beyond'
        ? `it runs faster than parsing alone on its ${threads} thread${threads === 1 ? '' : 's'} (${fmtInt(parseCeiling)} items/s) beyond noise, so that ceiling is not its bound`
        : reach.kind === 'share'
          ? `it runs at ${fmtInt(Math.min(100, reach.share * 100))}% of the parse-only ceiling`
          : `it ${reachText(reach, 'the parse-only ceiling')}`;
    return { bottleneck: 'cpu', explanation: `CPU: ${at} (${loadText})${floorText}` };
  }
  if (scenario === 'api-search') {
    return {
      bottleneck: 'network',
      explanation: `the network and the server: the client mostly waits (${loadText})${floorText}`,
    };
  }
  return {
    bottleneck: 'io',
    explanation: `file I/O: the CPU mostly waits on reads (${loadText})${floorText}`,
  };
}
