/**
 * Runs the benchmarks of one mode: starts vitest's benchmark mode from code with the bench config,
 * only the bench files of that mode, and the settings in STAC_BENCH_SETTINGS; the project's vitest
 * reporter writes `<name>.json`, `<name>_report.md` and the charts; several --test-size sizes are
 * one vitest run each, joined into one results file (size-runs.ts). Afterwards prints a summary
 * and the findings. Exit code: 0, or 1 when vitest failed or any bench errored; 130 / 143 when
 * SIGINT / SIGTERM stopped the run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { FILE_SCENARIOS } from '../bench/cases.js';
import { ONLY_STRATEGIES, selects } from '../bench/only.js';
import { type BenchSettings, QUIET_ENV, SETTINGS_ENV, settingsProblem } from '../bench/settings.js';
import { STRATEGIES } from '../ingest/types.js';
import { uvThreadpoolSize } from '../profiling/environment.js';
import { renderSummary } from '../report/summary.js';
import { markdownPathFor, writeReport } from '../report/write.js';
import { EXIT, UsageError } from './args.js';
import type { BenchMode } from './bench-options.js';
import { preflight } from './bench-options.js';
import { readResults } from './results-file.js';
import { stopChildrenOnSignal } from './signals.js';
import { runSizes, sizesOf } from './size-runs.js';

/**
 * Where the bench config and bench files are: the repository when this module runs from source
 * (.ts), the package's `dist/` when it runs compiled (.js), which mirrors the repository's layout
 * (dist/src, dist/bench, dist/vitest.bench.config.js, dist/schema).
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXT = fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js';
export const BENCH_CONFIG = `vitest.bench.config${EXT}`;

const FILE_IO = `bench/file-io.bench${EXT}`;
const PARQUET = `bench/parquet.bench${EXT}`;
const API = `bench/api.bench${EXT}`;
const PIPELINE = `bench/pipeline.bench${EXT}`;

/** The bench files of each mode, relative to the project root. */
export const BENCH_FILES: Record<BenchMode, string[]> = {
  file: [FILE_IO, PARQUET],
  api: [API],
  pipeline: [PIPELINE],
  all: [FILE_IO, PARQUET, API, PIPELINE],
};

/** Whether a bench file has a row to run with these settings (`--only` may leave one nothing). */
function fileRunsSomething(file: string, s: BenchSettings): boolean {
  const only = s.only ?? [];
  switch (file) {
    case FILE_IO:
      return FILE_SCENARIOS.some((f) => s.formats.includes(f) && selects(only, f, STRATEGIES));
    case PARQUET:
      return s.formats.includes('parquet') && selects(only, 'parquet', STRATEGIES);
    case API:
      return s.api.enabled && selects(only, 'api-search', STRATEGIES);
    case PIPELINE:
      return s.pipeline.enabled && selects(only, 'pipeline', ONLY_STRATEGIES);
    default:
      return true;
  }
}

/**
 * The mode's bench files that have something to run. A user's own directory has no Parquet file:
 * only the file-I/O benches run.
 */
export function benchFilesFor(mode: BenchMode, settings: BenchSettings): string[] {
  if (settings.directory) return [FILE_IO];
  return BENCH_FILES[mode].filter((f) => fileRunsSomething(f, settings));
}

/** What the console shows of a bench run (`--quiet`, `--json`), and where. */
export interface BenchConsole {
  /** The summary and findings only: no vitest tables, no progress or setup lines. */
  quiet?: boolean;
  /** stdout holds the results file and nothing else: every other line goes to `err`. */
  json?: boolean;
  /** Where vitest's tables go (default stdout; with `json`, `err`). */
  out?: Pick<NodeJS.WritableStream, 'write'>;
  /** Where progress and setup lines go (default stderr). */
  err?: Pick<NodeJS.WritableStream, 'write'>;
  /**
   * The earlier results file the progress line's ETA takes each bench's time from: the command's
   * `--output`, also for the runs of each size and of --uv-threadpool, whose own output is a scratch file.
   */
  etaFrom?: string;
}

/** The `--quiet` and `--json` of a benchmark command's arguments (already checked by settingsFromArgs). */
export function consoleFromArgs(argv: readonly string[]): BenchConsole {
  return { quiet: argv.includes('--quiet'), json: argv.includes('--json') };
}

/**
 * Colours only on a terminal: vitest's colours (tinyrainbow) are on unless NO_COLOR is set, pipe
 * or not, and are chosen when vitest is first loaded. So before that, when the stream vitest
 * writes to is not a terminal and neither NO_COLOR nor FORCE_COLOR is set, NO_COLOR is set (for
 * this process and the bench processes it starts).
 */
export function noColourOffTerminal(
  stream: Pick<NodeJS.WritableStream, 'write'>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if ('NO_COLOR' in env || 'FORCE_COLOR' in env) return;
  if ((stream as { isTTY?: boolean }).isTTY !== true) env.NO_COLOR = '1';
}

/** The reporters of a bench run from the CLI: the project's always; vitest's tables unless quiet. */
async function reportersFor(view: BenchConsole): Promise<unknown[]> {
  const { StacReporter } = await import('../vitest/reporter.js');
  const stac = new StacReporter({
    quiet: view.quiet === true,
    progress: view.err ?? process.stderr,
    ...(view.etaFrom ? { etaFrom: view.etaFrom } : {}),
  });
  if (view.quiet) return [stac];
  const { TablesReporter } = await import('../vitest/tables-reporter.js');
  return [new TablesReporter(), stac];
}

export interface VitestOutcome {
  /** vitest reported a failure (a failed module, an unhandled error). */
  failed: boolean;
}

/** Starts vitest's benchmark mode on `files` with `settings`; the process environment is restored after. */
export async function startBenchRun(
  settings: BenchSettings,
  files: string[],
  view: BenchConsole = {},
): Promise<VitestOutcome> {
  const { startVitest } = await import('vitest/node');
  const previousEnv = process.env[SETTINGS_ENV];
  const previousQuiet = process.env[QUIET_ENV];
  const previousExit = process.exitCode;
  process.env[SETTINGS_ENV] = JSON.stringify(settings);
  if (view.quiet) process.env[QUIET_ENV] = '1';
  process.exitCode = undefined;
  // vitest writes to streams; a caller's `write`-only sink (tests) is wrapped in one.
  const out = asStream(view.out ?? process.stdout);
  const err = asStream(view.err ?? process.stderr);
  try {
    const reporters = (await reportersFor(view)) as never[];
    const ctx = await startVitest(
      'benchmark',
      [],
      {
        root: PROJECT_ROOT,
        config: join(PROJECT_ROOT, BENCH_CONFIG),
        run: true,
        watch: false,
        benchmark: { include: files, reporters },
      },
      {},
      { stdout: out, stderr: err },
    );
    const failed =
      (process.exitCode !== undefined && process.exitCode !== 0) ||
      ctx.state.getCountOfFailedTests() > 0 ||
      ctx.state.getUnhandledErrors().length > 0;
    return { failed };
  } finally {
    if (previousEnv === undefined) delete process.env[SETTINGS_ENV];
    else process.env[SETTINGS_ENV] = previousEnv;
    if (previousQuiet === undefined) delete process.env[QUIET_ENV];
    else process.env[QUIET_ENV] = previousQuiet;
    process.exitCode = previousExit;
  }
}

function asStream(sink: Pick<NodeJS.WritableStream, 'write'>): Writable {
  if (sink instanceof Writable) return sink;
  return new Writable({
    write(chunk, _encoding, done) {
      sink.write(String(chunk));
      done();
    },
  });
}

/**
 * `--uv-threadpool`: the directory's `concurrent` rows again for each other libuv pool size, each in
 * its own vitest run (its forks inherit UV_THREADPOOL_SIZE; a process cannot change the size once
 * its pool started). Their rows join the results file as variant `uv-threadpool-N`.
 */
export async function sweepThreadpool(
  settings: BenchSettings,
  view: BenchConsole = {},
): Promise<VitestOutcome> {
  const own = uvThreadpoolSize(process.env);
  const sizes = [...new Set(settings.uvThreadpool)].filter((n) => n !== own);
  if (sizes.length === 0 || !settings.formats.includes('directory')) return { failed: false };
  const results = await readResults(settings.output);
  const scratch = await mkdtemp(join(tmpdir(), 'stac-bench-uv-'));
  const previous = process.env.UV_THREADPOOL_SIZE;
  let failed = false;
  try {
    for (const n of sizes) {
      const output = join(scratch, `uv-${n}.json`);
      process.env.UV_THREADPOOL_SIZE = String(n);
      const sub: BenchSettings = {
        ...settings,
        formats: ['directory'],
        api: { ...settings.api, enabled: false },
        output,
        uvThreadpool: [],
        uvSweep: n,
      };
      const outcome = await startBenchRun(sub, [FILE_IO], view);
      failed ||= outcome.failed;
      const extra = await readResults(output).catch(() => null);
      if (!extra) {
        failed = true;
        continue;
      }
      results.results.push(...extra.results.filter((r) => r.variant === `uv-threadpool-${n}`));
    }
  } finally {
    if (previous === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = previous;
    await rm(scratch, { recursive: true, force: true });
  }
  await writeReport(results, settings.output);
  return { failed };
}

/** The bench files of a size's run after the first: the API ran once, in the first. */
export function withoutApi(files: readonly string[]): string[] {
  return files.filter((f) => !BENCH_FILES.api.includes(f));
}

/** One vitest run of `files` and its --uv-threadpool runs, for one size (its own output). */
async function runOneSize(
  settings: BenchSettings,
  files: string[],
  view: BenchConsole,
): Promise<{ failed: boolean }> {
  const outcome = await startBenchRun(settings, files, view);
  // Nothing to add --uv-threadpool rows to: the size's run already counts as failed.
  if (!(await stat(settings.output).catch(() => null))) return { failed: true };
  const swept = await sweepThreadpool(settings, view);
  return { failed: outcome.failed || swept.failed };
}

function missingFiles(files: string[]): string[] {
  return files.filter((f) => !existsSync(join(PROJECT_ROOT, f)));
}

export interface RunBenchOptions extends BenchConsole {
  /** Bench files to run instead of the mode's (tests). */
  files?: string[];
}

/**
 * The one warning of a run with fewer than 3 samples per bench: the findings pool the noise over a
 * scenario's rows, which still judges 2 samples, but weakly; 1 sample cannot judge it at all.
 * Null from 3 samples on.
 */
export function samplesWarning(samples: number): string | null {
  if (samples >= 3) return null;
  return samples <= 1
    ? '--samples 1: one run per bench cannot judge noise, so the findings will neither claim nor deny differences (use 3 or more)'
    : `--samples ${samples}: below 3 samples per bench the advice is weaker (the noise is pooled over each scenario's rows; use 3 or more)`;
}

/** `83000` -> `1m23s`. */
export function formatElapsed(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

/**
 * Preflight, the vitest run, then the summary. SIGINT or SIGTERM meanwhile stops every child
 * process (bench forks, the local STAC API) and exits 130 or 143 (signals.ts).
 */
export async function runBench(
  mode: BenchMode,
  settings: BenchSettings,
  options: RunBenchOptions = {},
): Promise<number> {
  const release = stopChildrenOnSignal(`benchmark-ingest ${mode}`);
  try {
    return await runBenchSteps(mode, settings, options);
  } finally {
    release();
  }
}

async function runBenchSteps(
  mode: BenchMode,
  settings: BenchSettings,
  options: RunBenchOptions,
): Promise<number> {
  const stdout = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  // --json: stdout is the results file alone; vitest's tables and the summary go to stderr.
  const out = options.json ? err : stdout;
  const view: BenchConsole = {
    quiet: options.quiet === true,
    json: options.json === true,
    out,
    err,
    etaFrom: settings.output,
  };
  noColourOffTerminal(out);
  // The options set the run; a STAC_BENCH_SETTINGS in the environment (for `vitest bench` run
  // directly) is checked all the same, so that a typo in it is not taken for a setting in force.
  const problem = settingsProblem();
  if (problem) throw new UsageError(problem);
  if (process.env[SETTINGS_ENV]) {
    err.write(`benchmark-ingest ${mode}: ${SETTINGS_ENV} is ignored: the command's options set the run\n`);
  }
  await preflight(settings, (line) => err.write(`benchmark-ingest ${mode}: ${line}\n`));
  const warning = samplesWarning(settings.samples);
  if (warning) err.write(`benchmark-ingest ${mode}: warning: ${warning}\n`);
  const files = options.files ?? benchFilesFor(mode, settings);
  const missing = missingFiles(files);
  if (missing.length > 0) throw new Error(`bench file(s) not found: ${missing.join(', ')}`);
  const startedAt = Date.now();
  let failed: boolean;
  if (sizesOf(settings).length > 1) {
    const log = (line: string) => err.write(`benchmark-ingest ${mode}: ${line}\n`);
    const run = (sub: BenchSettings, i: number) => runOneSize(sub, i === 0 ? files : withoutApi(files), view);
    ({ failed } = await runSizes(settings, run, log));
  } else {
    const outcome = await startBenchRun(settings, files, view);
    const written = await stat(settings.output).catch(() => null);
    if (!written || written.mtimeMs < startedAt - 1000) {
      throw new Error(`the bench run wrote no results file at ${settings.output}`);
    }
    const swept = await sweepThreadpool(settings, view);
    failed = outcome.failed || swept.failed;
  }
  const results = await readResults(settings.output);
  out.write(
    `\n${renderSummary(results, { json: settings.output, markdown: markdownPathFor(settings.output) })}`,
  );
  out.write(`Finished in ${formatElapsed(Date.now() - startedAt)}.\n`);
  if (options.json) stdout.write(await readFile(settings.output, 'utf8'));
  const errored = results.results.filter((r) => r.error !== null);
  if (errored.length > 0 || failed) {
    const why = errored.length > 0 ? `${errored.length} bench(es) errored` : 'vitest reported a failure';
    err.write(`benchmark-ingest ${mode}: ${why}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
