/**
 * The options of the benchmark commands (`file`, `api`, `pipeline`, `all`) turned into one `BenchSettings`,
 * and the checks made before any benchmark starts: an output path that can be written, a user's
 * directory that exists, a catalog URL that answers. Every mistake is a one-line UsageError.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { type ApiProbe, probeApi } from '../bench/api-probe.js';
import { estimateRequests, itemsPerRun } from '../bench/budget.js';
import { apiLevels } from '../bench/cases.js';
import { ONLY_STRATEGIES, selection } from '../bench/only.js';
import { type BenchSettings, DEFAULT_SETTINGS, PIPELINE_SOURCES } from '../bench/settings.js';
import { FILE_FORMATS, STRATEGIES } from '../ingest/types.js';
import { SINK_KINDS } from '../output/index.js';
import { PLACEMENTS, type Placement } from '../pipeline/types.js';
import { fmtInt } from '../profiling/format.js';
import { SCENARIOS } from '../profiling/result.js';
import { ITEM_PROFILES } from '../stac/item.js';
import { TRANSFORM_NAMES } from '../transform/types.js';
import {
  choiceFlag,
  intFlag,
  intListFlag,
  MAX_RPS_RANGE,
  numberFlag,
  type ParsedArgs,
  parseArgs,
  parseIntStrict,
  stringFlag,
  UsageError,
} from './args.js';
import { makeFolders, probeFolder } from './output-path.js';
import {
  headersFromArgs,
  REMOTE_FLAGS,
  REPEATABLE_FLAGS,
  remoteFlagsGiven,
  searchFromArgs,
} from './remote-flags.js';

export type BenchMode = 'file' | 'api' | 'pipeline' | 'all';

/** Items fetched from a real catalog when --max-items is not given. */
export const REAL_API_MAX_ITEMS = 1000;

/**
 * `all` with several --test-size sizes runs the API once: its large collection is the largest size,
 * at most this many items (a crawl's time grows with its pages, at the latency of each).
 */
export const API_SCALING_MAX_ITEMS = 10_000;

/** Flags every benchmark command takes. */
const COMMON = [
  'concurrency',
  'workers',
  'samples',
  'warmups',
  'output',
  'profile',
  'seed',
  'test-size',
  'only',
];
/** Boolean flags every benchmark command takes: what the console shows (console.ts). */
export const CONSOLE_BOOLEANS = ['quiet', 'json'];
const FILE_FLAGS = ['directory', 'uv-threadpool'];
const API_FLAGS = [
  'catalog-url',
  'collection-id',
  'max-items',
  'latency-ms',
  'page-size',
  'max-rps',
  'request-budget',
  ...REMOTE_FLAGS,
];
/** Boolean flags of `api` and `all`. */
const API_BOOLEANS = ['yes'];
const PIPELINE_FLAGS = ['from', 'to', 'transform', 'placement'];

export const KNOWN_FLAGS: Record<BenchMode, string[]> = {
  file: [...COMMON, ...FILE_FLAGS],
  api: [...COMMON, ...API_FLAGS],
  pipeline: [...COMMON, ...PIPELINE_FLAGS],
  all: [...COMMON, ...API_FLAGS, 'uv-threadpool'],
};

/** Where results go when --output is not given. */
export const DEFAULT_OUTPUT: Record<BenchMode, string> = {
  file: 'results/file_benchmark.json',
  api: 'results/api_benchmark.json',
  pipeline: 'results/pipeline_benchmark.json',
  all: 'results/benchmark.json',
};

export const USAGE: Record<BenchMode, string> = {
  file:
    'usage: benchmark-ingest file [--test-size N[,N...] | --directory DIR] [--concurrency 1,5,10,20] [--workers 1,2,4]\n' +
    '       [--profile small|sentinel-2] [--samples N] [--warmups N] [--seed S] [--output FILE.json]\n' +
    '       [--uv-threadpool 1,16]   (also measure directory `concurrent` with these libuv pool sizes)\n' +
    '       --test-size 1000,10000,100000: one run per size, joined into one results file with a scaling section',
  api:
    'usage: benchmark-ingest api [--catalog-url URL --collection-id ID] [--max-items N] [--test-size N]\n' +
    '       [--concurrency 1,5,10] [--workers 1,2,4] [--latency-ms L] [--page-size P] [--samples N] [--warmups N]\n' +
    '       [--output FILE.json]   (no --catalog-url: the built-in local STAC API)\n' +
    '  with --catalog-url: [--max-rps N] (requests per second, all runs) [--request-budget N] (default 2000)\n' +
    '       [--yes] (start above the budget, or when the requests cannot be estimated)\n' +
    "       [--header 'Name: value']... [--token-env NAME] (sent to the catalog's origin only)\n" +
    '       [--bbox W,S,E,N] [--datetime A/B] [--query JSON] [--filter CQL2-JSON] (the search the runs send)',
  pipeline:
    'usage: benchmark-ingest pipeline [--from directory|ndjson|feature-collection|parquet] [--to directory|ndjson|parquet]\n' +
    '       [--transform update,validate | none] [--placement caller,sharded] [--concurrency 10] [--workers 1,2]\n' +
    '       [--test-size N[,N...]] [--profile P] [--samples N] [--warmups N] [--seed S] [--output FILE.json]\n' +
    "  the pipeline source -> transforms -> sink: placement caller (every stage after ingest on the caller's\n" +
    '  thread) fed by sequential at 1, concurrent at each --concurrency level and worker-threads at each\n' +
    '  --workers level; placement sharded (every stage inside each worker) at each --workers level;\n' +
    '  each run writes into a fresh folder beside the generated data, removed after it',
  all:
    'usage: benchmark-ingest all [--test-size N[,N...]] [--output DIR | FILE.json] [--concurrency 1,5,10,20]\n' +
    '       [--workers 1,2,4] [--profile P] [--latency-ms L] [--samples N] [--warmups N] [--uv-threadpool 1,16]\n' +
    '       [--catalog-url URL --collection-id ID [--max-items N] [--max-rps N] [--request-budget N] [--yes]]\n' +
    '       --test-size 1000,10000,100000: one file run per size, joined, with a scaling section; the API runs\n' +
    `       once, its large collection the largest size up to ${API_SCALING_MAX_ITEMS.toLocaleString('en-US')} items`,
};

/** The console options every benchmark command takes, after its own usage. */
const CONSOLE_USAGE =
  '  --only NAME[,NAME...]  only these scenarios and/or strategies (e.g. --only directory,api-search)\n' +
  '  --quiet  the summary and findings only     --json  the results file on stdout (all else on stderr)';
for (const mode of Object.keys(USAGE) as BenchMode[]) USAGE[mode] = `${USAGE[mode]}\n${CONSOLE_USAGE}`;

/** Resolves --output: a .json file for file/api; for `all` a directory (benchmark.json inside) or a .json file. */
export function outputPath(mode: BenchMode, raw: string | undefined): string {
  if (raw === undefined) return resolve(DEFAULT_OUTPUT[mode]);
  if (raw.trim() === '') throw new UsageError('--output must not be empty');
  if (extname(raw).toLowerCase() === '.json') return resolve(raw);
  if (mode === 'all') return resolve(join(raw, 'benchmark.json'));
  throw new UsageError(`--output must name a .json file, got '${raw}'`);
}

function applyCommon(s: BenchSettings, args: ParsedArgs, mode: BenchMode): void {
  // `pipeline` takes the levels as its own (applyPipeline).
  if (mode !== 'pipeline') {
    s.concurrency = intListFlag(args, 'concurrency', { min: 1, max: 1000 }) ?? s.concurrency;
    s.workers = intListFlag(args, 'workers', { min: 1, max: 64 }) ?? s.workers;
  }
  s.samples = intFlag(args, 'samples', { min: 1, max: 1000 }) ?? s.samples;
  s.warmups = intFlag(args, 'warmups', { min: 0, max: 1000 }) ?? s.warmups;
  s.profile = choiceFlag(args, 'profile', ITEM_PROFILES) ?? s.profile;
  s.seed = intFlag(args, 'seed', { min: 0 }) ?? s.seed;
}

function applyApi(s: BenchSettings, args: ParsedArgs): void {
  const url = stringFlag(args, 'catalog-url');
  if (url !== undefined) s.api.catalogUrl = checkUrl(url);
  // The local API serves generated collections sized by --test-size: these only make sense remotely.
  for (const flag of ['collection-id', 'max-items', 'max-rps', 'request-budget']) {
    if (url === undefined && args.flags.has(flag)) {
      throw new UsageError(`--${flag} needs --catalog-url (the local API is sized with --test-size)`);
    }
  }
  s.api.collectionId = stringFlag(args, 'collection-id') ?? s.api.collectionId;
  // Not given: the checks before the run bound a real catalog to REAL_API_MAX_ITEMS (checkBudget).
  s.api.maxItems = intFlag(args, 'max-items', { min: 1 }) ?? s.api.maxItems;
  s.api.maxRps = numberFlag(args, 'max-rps', MAX_RPS_RANGE) ?? s.api.maxRps;
  s.api.requestBudget = intFlag(args, 'request-budget', { min: 1 }) ?? s.api.requestBudget;
  s.api.overBudget = args.flags.has('yes');
  s.api.latencyMs = numberFlag(args, 'latency-ms', { min: 0, max: 60_000 }) ?? s.api.latencyMs;
  s.api.pageSize = intFlag(args, 'page-size', { min: 1, max: 10_000 }) ?? s.api.pageSize;
  if (url === undefined && remoteFlagsGiven(args)) {
    throw new UsageError(
      '--header, --token-env, --bbox, --datetime, --query and --filter need --catalog-url (the local API searches its whole collections)',
    );
  }
  s.api.headers = headersFromArgs(args) ?? null;
  s.api.search = searchFromArgs(args) ?? null;
}

export function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--catalog-url must be an http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--catalog-url must be an http(s) URL, got '${raw}'`);
  }
  return url.href;
}

/**
 * `--test-size N`, or for `file` and `all` a list `1000,10000,100000`: the sizes ascending, each once.
 * A list with a hole, a size twice or a size out of range is a UsageError.
 */
export function testSizesFlag(args: ParsedArgs, mode: BenchMode): number[] | undefined {
  const raw = stringFlag(args, 'test-size');
  if (raw === undefined) return undefined;
  const range = { min: 1, max: 10_000_000 };
  if (!raw.includes(',')) return [parseIntStrict(raw, '--test-size', range)];
  if (mode === 'api') {
    throw new UsageError(
      `--test-size takes one size in api mode (the local API's large collection), got '${raw}'`,
    );
  }
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) {
    throw new UsageError(`--test-size must be a size or a list like 1000,10000, got '${raw}'`);
  }
  const sizes = parts.map((p) => parseIntStrict(p, '--test-size', range));
  const twice = sizes.find((n, i) => sizes.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--test-size lists ${twice} twice`);
  return sizes.sort((a, b) => a - b);
}

/** `--transform update,validate`: known names, each once; `none` for no transform. */
export function transformsFlag(args: ParsedArgs): string[] | undefined {
  const raw = stringFlag(args, 'transform');
  if (raw === undefined) return undefined;
  if (raw === 'none') return [];
  const names = raw.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(TRANSFORM_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--transform must list ${TRANSFORM_NAMES.join(', ')} (comma-separated) or be none, got '${raw}'`,
      );
    }
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--transform lists ${twice} twice`);
  return names;
}

/** `--placement caller,sharded`: each placement once, known ones only. */
function placementsFlag(args: ParsedArgs): Placement[] | undefined {
  const raw = stringFlag(args, 'placement');
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(PLACEMENTS as readonly string[]).includes(name)) {
      throw new UsageError(`--placement must be a list of ${PLACEMENTS.join(', ')}, got '${raw}'`);
    }
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`--placement lists ${twice} twice`);
  return names as Placement[];
}

/** The pipeline command's own options: what the pipeline runs and its ingest levels. */
function applyPipeline(s: BenchSettings, args: ParsedArgs): void {
  const p = s.pipeline;
  p.placements = placementsFlag(args) ?? p.placements;
  p.from = choiceFlag(args, 'from', PIPELINE_SOURCES) ?? p.from;
  p.to = choiceFlag(args, 'to', SINK_KINDS) ?? p.to;
  p.transforms = transformsFlag(args) ?? p.transforms;
  // The levels are the pipeline's (the file levels do not apply: no file bench runs).
  p.concurrency = intListFlag(args, 'concurrency', { min: 1, max: 1000 }) ?? p.concurrency;
  p.workers = intListFlag(args, 'workers', { min: 1, max: 64 }) ?? p.workers;
  p.enabled = true;
  // The data the run prepares: the pipeline's source (no file bench runs in this mode).
  s.formats = [p.from];
  s.api.enabled = false;
}

/** Builds the settings of one benchmark command from its arguments (no I/O). */
export function settingsFromArgs(mode: BenchMode, argv: string[]): BenchSettings {
  const booleans = [...(mode === 'api' || mode === 'all' ? API_BOOLEANS : []), ...CONSOLE_BOOLEANS];
  const repeatable = mode === 'api' || mode === 'all' ? REPEATABLE_FLAGS : [];
  const args = parseArgs(argv, { values: KNOWN_FLAGS[mode], booleans, repeatable });
  if (args.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${args.positionals[0]}' (see --help)`);
  }
  const s = structuredClone(DEFAULT_SETTINGS);
  applyCommon(s, args, mode);
  const testSizes = testSizesFlag(args, mode);
  if (mode === 'api' || mode === 'all') applyApi(s, args);
  // The pipeline bench runs in `pipeline` and `all` (its defaults there) only.
  if (mode === 'pipeline') applyPipeline(s, args);
  else if (mode !== 'all') s.pipeline.enabled = false;
  // Given explicitly, --samples and --warmups hold for the pipeline too (its defaults are its own).
  s.pipeline.samples = intFlag(args, 'samples', { min: 1, max: 1000 }) ?? s.pipeline.samples;
  s.pipeline.warmups = intFlag(args, 'warmups', { min: 0, max: 1000 }) ?? s.pipeline.warmups;
  if (mode === 'file') {
    s.api.enabled = false;
    const dir = stringFlag(args, 'directory');
    if (dir !== undefined && testSizes !== undefined) {
      throw new UsageError('--directory and --test-size exclude each other');
    }
    if (dir !== undefined) {
      s.directory = resolve(dir);
      s.formats = ['directory'];
    }
  }
  if (mode === 'api') s.formats = [];
  if (mode === 'file' || mode === 'all') {
    s.uvThreadpool = intListFlag(args, 'uv-threadpool', { min: 1, max: 1024 }) ?? [];
  }
  if (testSizes !== undefined) {
    s.testSize = testSizes[0]!;
    if (testSizes.length > 1) s.testSizes = testSizes;
    // Several sizes: the API runs once, sized by the largest within a sane crawl time.
    const largest = testSizes.at(-1)!;
    if (mode === 'api' || mode === 'all') {
      s.api.largeItems = testSizes.length > 1 ? Math.min(largest, API_SCALING_MAX_ITEMS) : largest;
    }
  }
  s.output = outputPath(mode, stringFlag(args, 'output'));
  applyOnly(s, args, mode);
  return s;
}

/** The scenarios each mode can run. */
const MODE_SCENARIOS: Record<BenchMode, readonly string[]> = {
  file: FILE_FORMATS,
  api: ['api-search'],
  pipeline: ['pipeline'],
  all: SCENARIOS,
};

/** The strategies whose rows each mode can run (pipeline rows: placements, and the ingest feeding caller). */
const MODE_STRATEGIES: Record<BenchMode, readonly string[]> = {
  file: STRATEGIES,
  api: STRATEGIES,
  pipeline: ONLY_STRATEGIES,
  all: ONLY_STRATEGIES,
};

/**
 * `--only directory,api-search`: scenario and strategy names. An unknown name, or a selection
 * that leaves nothing for the mode to run, is a UsageError listing the names that would.
 * Scenarios left out prepare no data and start no API.
 */
function applyOnly(s: BenchSettings, args: ParsedArgs, mode: BenchMode): void {
  const raw = stringFlag(args, 'only');
  if (raw === undefined) return;
  const names = [...new Set(raw.split(',').map((n) => n.trim()))];
  const valid = [...MODE_SCENARIOS[mode], ...MODE_STRATEGIES[mode]];
  const wrong = names.filter((n) => !valid.includes(n));
  if (names.includes('') || wrong.length > 0) {
    const what = names.includes('') ? `a list of names, got '${raw}'` : `got '${wrong.join(',')}'`;
    throw new UsageError(`--only takes ${valid.join(', ')}; ${what}`);
  }
  const { scenarios } = selection(names);
  s.only = names;
  if (scenarios.length === 0) return;
  // The pipeline's source data is prepared through `formats` (applyPipeline): kept while it runs.
  const pipeline = s.pipeline.enabled && scenarios.includes('pipeline');
  s.formats = s.formats.filter((f) => scenarios.includes(f) || (pipeline && f === s.pipeline.from));
  if (pipeline && !s.formats.includes(s.pipeline.from)) s.formats.push(s.pipeline.from);
  s.api.enabled &&= scenarios.includes('api-search');
  s.pipeline.enabled = pipeline;
}

/** The output's folder can be created and written, and the output is not a directory. */
export async function checkOutput(output: string): Promise<void> {
  const parent = await stat(dirname(output)).catch(() => null);
  if (parent && !parent.isDirectory()) {
    throw new UsageError(`--output ${output}: ${dirname(output)} is not a directory`);
  }
  try {
    await makeFolders(dirname(output));
  } catch (e) {
    throw new UsageError(
      `--output ${output}: cannot create its folder (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  const st = await stat(output).catch(() => null);
  if (st?.isDirectory()) throw new UsageError(`--output ${output}: is a directory, expected a .json file`);
  // The results are written beside the output and renamed over it: the folder must take a new file.
  await probeFolder(dirname(output), output);
}

export async function checkDirectory(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => null);
  if (!st) throw new UsageError(`--directory ${dir}: no such directory`);
  if (!st.isDirectory()) throw new UsageError(`--directory ${dir}: not a directory`);
  // Exists but holds nothing to ingest: the input cannot be ingested at all (exit 1, not a usage error).
  const names = await readdir(dir);
  if (!names.some((n) => n.endsWith('.json')))
    throw new Error(`--directory ${dir}: no .json item files in it`);
}

/** The catalog's landing page answers 2xx within `timeoutMs`; a UsageError naming the URL otherwise. */
export async function checkCatalog(
  url: string,
  timeoutMs = 5000,
  headers: Record<string, string> = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { ...headers, accept: 'application/json' },
      // The user's headers must not follow a redirect to another host: a redirect answers too.
      redirect: Object.keys(headers).length > 0 ? 'manual' : 'follow',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new UsageError(`--catalog-url ${url}: unreachable (${why})`);
  }
  await res.body?.cancel();
  const redirected = res.status >= 300 && res.status < 400;
  if (!res.ok && !redirected) throw new UsageError(`--catalog-url ${url}: answered HTTP ${res.status}`);
}

/**
 * The collection exists: `GET {catalog}/collections/{id}` does not answer 404. Other answers (an
 * API without that route, a transient error) are left to the benchmark to report.
 */
export async function checkCollection(
  url: string,
  collectionId: string,
  timeoutMs = 5000,
  headers: Record<string, string> = {},
): Promise<void> {
  const base = url.endsWith('/') ? url : `${url}/`;
  const target = new URL(`collections/${encodeURIComponent(collectionId)}`, base).href;
  // Same origin as the catalog by construction: its headers may go with it.
  const res = await fetch(target, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { ...headers, accept: 'application/json' },
    redirect: Object.keys(headers).length > 0 ? 'manual' : 'follow',
  }).catch(() => null);
  await res?.body?.cancel();
  if (res?.status === 404) {
    throw new UsageError(
      `--collection-id ${collectionId}: no such collection at ${url} (HTTP 404 from ${target})`,
    );
  }
}

/** Requests checkCatalog and checkCollection send. */
export const CHECK_REQUESTS = 2;

/** A duration at the rate cap: `45 s`, `12 min`. */
function atLeast(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 120 ? `${Math.ceil(s / 60)} min` : `${s} s`;
}

/**
 * A real API: probes it (api-probe.ts), estimates the requests of the whole run (budget.ts) and
 * says so, or refuses (a UsageError) a run above the budget, or one whose requests cannot be
 * estimated (the API does not count the collection and --max-items was not given), unless --yes.
 * Records the probe in `settings.api.probe` and the Items per run in `settings.api.maxItems`
 * (REAL_API_MAX_ITEMS when not given): the bench processes read both.
 */
export async function checkBudget(settings: BenchSettings, log: (line: string) => void): Promise<void> {
  const api = settings.api;
  const url = api.catalogUrl!;
  const where = new URL(url).host;
  let probe: ApiProbe;
  try {
    probe = await probeApi(url, api.collectionId, {
      maxItems: api.maxItems ?? REAL_API_MAX_ITEMS,
      maxRps: api.maxRps,
      ...(api.headers ? { headers: api.headers } : {}),
      ...(api.search ? { search: api.search } : {}),
    });
  } catch (e) {
    throw new UsageError(`--catalog-url ${url}: the probe before the run failed: ${(e as Error).message}`);
  }
  api.probe = probe;
  const given = api.maxItems;
  api.maxItems ??= REAL_API_MAX_ITEMS;
  const items = itemsPerRun(probe.matched, given ?? (probe.matched === null ? null : REAL_API_MAX_ITEMS));
  if (items === null) {
    const why = `${where} does not count the Items of ${api.collectionId} (no numberMatched or context.matched), so the run's requests cannot be estimated`;
    if (!api.overBudget)
      throw new UsageError(`${why}: give --max-items N to bound them, or --yes to start anyway`);
    log(`${why}; starting anyway (--yes), at most ${fmtInt(api.maxItems)} Items per run`);
    return;
  }
  const levels = apiLevels(settings);
  const runs = settings.samples + settings.warmups;
  const estimate = estimateRequests({
    levels,
    runs,
    items,
    pageSize: probe.pageSize,
    // Without a count, --max-items may stop the runs early: counted as if it did (errs high).
    cut: probe.matched === null || probe.matched > items,
    before: CHECK_REQUESTS + probe.requests,
  });
  const of = probe.matched !== null && probe.matched > items ? ` of its ${fmtInt(probe.matched)}` : '';
  const what =
    `about ${fmtInt(estimate.total)} requests to ${where} for ${levels.length} settings × ${runs} run${runs === 1 ? '' : 's'} ` +
    `of ${fmtInt(items)}${of} Items, ${fmtInt(probe.pageSize)} per page`;
  const budget = `the request budget of ${fmtInt(api.requestBudget)}`;
  if (estimate.total > api.requestBudget && !api.overBudget) {
    throw new UsageError(
      `${what}: above ${budget}; lower --max-items, --samples, --warmups or the levels, ` +
        'raise --request-budget, or give --yes to start anyway',
    );
  }
  const { min, max } = estimate.perRun;
  const perRun = min === max ? fmtInt(min) : `${fmtInt(min)}-${fmtInt(max)}`;
  const verdict =
    estimate.total > api.requestBudget ? `above ${budget}, starting anyway (--yes)` : `within ${budget}`;
  const pace = api.maxRps
    ? `; at most ${api.maxRps} per second (--max-rps): at least ${atLeast(estimate.total / api.maxRps)}`
    : '';
  log(
    `${what}: ${perRun} requests a run, plus ${CHECK_REQUESTS + probe.requests} to check and probe the API; ${verdict}${pace}`,
  );
}

/** Every check that must pass before a benchmark starts; `log` takes one line (the budget's). */
export async function preflight(
  settings: BenchSettings,
  log: (line: string) => void = (line) => process.stderr.write(`benchmark-ingest: ${line}\n`),
): Promise<void> {
  await checkOutput(settings.output);
  if (settings.directory) await checkDirectory(settings.directory);
  if (settings.api.enabled && settings.api.catalogUrl) {
    const headers = settings.api.headers ?? {};
    await checkCatalog(settings.api.catalogUrl, 5000, headers);
    await checkCollection(settings.api.catalogUrl, settings.api.collectionId, 5000, headers);
    await checkBudget(settings, log);
  }
}
