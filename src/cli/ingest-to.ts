/**
 * `ingest SOURCE --to PATH [--transform update,validate] [--placement caller|sharded [--workers N]]
 * [--base-url URL] [--asset-base-url URL [--asset-from URL]]`: converts for real with runPipeline. PATH
 * ending in `.ndjson` / `.jsonl` is one NDJSON file, `.parquet` / `.geoparquet` one stac-geoparquet
 * file, anything else an items directory (stac-manager layout).
 * The output is checked before anything runs (not SOURCE nor inside it, nor holding it; a folder
 * that is new, empty, or one this tool made); a problem there is a usage error. SIGINT / SIGTERM
 * abort the run: Item files already complete stay, temp files are removed, exit 128 + signal.
 */
import type { Writable } from 'node:stream';
import { closeWorkerPool, isJsonDocumentUrl } from '../ingest/index.js';
import { FailureCollector, type IngestOptions } from '../ingest/types.js';
import { SinkError, sinkTargetFor } from '../output/index.js';
import {
  closePipelinePool,
  PipelineError,
  type PipelineOptions,
  type PipelineReport,
  type Placement,
  runPipeline,
} from '../pipeline/index.js';
import { TRANSFORM_NAMES, type TransformOptions } from '../transform/index.js';
import { EXIT, intFlag, type ParsedArgs, stringFlag, UsageError } from './args.js';
import { progressText, totalOf } from './ingest-progress.js';
import { checkNotSource } from './output-path.js';

export const TO_FLAGS = [
  'to',
  'transform',
  'placement',
  'workers',
  'base-url',
  'asset-base-url',
  'asset-from',
] as const;

export interface ToArgs {
  path: string;
  transforms: string[];
  placement: Placement;
  /** sharded: the number of workers (default 2). */
  workers?: number;
  transformOptions: TransformOptions;
}

/** Workers of `--placement sharded` when --workers is not given. */
export const DEFAULT_SHARDED_WORKERS = 2;

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
const SHOWN_FAILURES = 5;

/** The --to flags, checked: undefined without --to (and then none of the others may be given). */
export function parseToArgs(args: ParsedArgs): ToArgs | undefined {
  const path = stringFlag(args, 'to');
  if (path === undefined) {
    const stray = TO_FLAGS.find((f) => args.flags.has(f));
    if (stray) throw new UsageError(`--${stray} applies to --to PATH only`);
    return undefined;
  }
  if (path === '') throw new UsageError('--to needs a path');
  if (args.flags.has('output')) throw new UsageError('--to and --output cannot be used together');
  const placement = stringFlag(args, 'placement') ?? 'caller';
  if (placement !== 'caller' && placement !== 'sharded') {
    throw new UsageError(`--placement must be caller or sharded, got '${placement}'`);
  }
  const workers = intFlag(args, 'workers', { min: 1, max: 256 });
  if (placement === 'caller' && workers !== undefined) {
    throw new UsageError(
      '--workers applies to --placement sharded (the caller placement takes --strategy and --concurrency)',
    );
  }
  if (placement === 'sharded') {
    const stray = ['strategy', 'concurrency'].find((f) => args.flags.has(f));
    if (stray) throw new UsageError(`--${stray} applies to --placement caller (sharded takes --workers)`);
    // A STAC API is crawled by the workers; a catalog over http is read by the caller placement only.
    const source = args.positionals[0];
    const format = stringFlag(args, 'format');
    if (
      source !== undefined &&
      /^https?:\/\//i.test(source) &&
      isJsonDocumentUrl(source, format as IngestOptions['format'])
    ) {
      throw new UsageError(
        `--placement sharded reads a STAC API or files on this machine, not the remote document '${source}' (use --placement caller)`,
      );
    }
  }
  const raw = stringFlag(args, 'transform');
  const transforms = raw === undefined ? [] : raw.split(',').map((s) => s.trim());
  for (const name of transforms) {
    if (!(TRANSFORM_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--transform must be a list of ${TRANSFORM_NAMES.join(', ')}, got '${raw}'`);
    }
  }
  const transformOptions: TransformOptions = {};
  for (const [flag, key] of [
    ['base-url', 'baseUrl'],
    ['asset-base-url', 'assetBaseUrl'],
    ['asset-from', 'assetFrom'],
  ] as const) {
    const value = stringFlag(args, flag);
    if (value === undefined) continue;
    if (!transforms.includes('update')) throw new UsageError(`--${flag} applies to --transform update`);
    if (!/^https?:\/\/[^/]/i.test(value) || !URL.canParse(value)) {
      throw new UsageError(`--${flag} must be an http(s) URL, got '${value}'`);
    }
    transformOptions[key] = value;
  }
  if (transformOptions.assetFrom !== undefined && transformOptions.assetBaseUrl === undefined) {
    throw new UsageError('--asset-from needs --asset-base-url');
  }
  return {
    path,
    transforms,
    placement,
    ...(placement === 'sharded' ? { workers: workers ?? DEFAULT_SHARDED_WORKERS } : {}),
    transformOptions,
  };
}

export async function runTo(
  source: string,
  options: IngestOptions,
  to: ToArgs,
  io: { stderr: Writable },
  progress = false,
  progressMs = 1000,
): Promise<number> {
  const target = sinkTargetFor(to.path);
  await checkNotSource(to.path, source, options.format, '--to');
  const { strategy = 'sequential', concurrency, variant, format, collectionId, ...rest } = options;
  const level = strategy === 'sequential' ? 1 : (concurrency ?? (strategy === 'worker-threads' ? 2 : 10));
  const failures = new FailureCollector();
  const abort = new AbortController();
  let signalled: keyof typeof SIGNALS | null = null;
  const onSignal = (signal: keyof typeof SIGNALS) => {
    signalled = signal;
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  for (const s of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.once(s, onSignal);
  const started = performance.now();
  let written = 0;
  const sharded = to.placement === 'sharded';
  // The caller placement's ingest says how many Items the source holds when it knows (onTotal); the
  // sharded workers each read a share, and a function does not cross to them.
  let total = totalOf(undefined, options.maxItems);
  const onTotal = (items: number) => {
    total = totalOf(items, options.maxItems);
  };
  const ticker = progress
    ? setInterval(() => {
        const s = (performance.now() - started) / 1000;
        io.stderr.write(`${progressText(written, failures.count, s, total, ' written')}\n`);
      }, progressMs)
    : null;
  ticker?.unref();
  const workers = to.workers ?? DEFAULT_SHARDED_WORKERS;
  const where = sharded ? `sharded x${workers}` : `${strategy} x${level}, caller`;
  const line = (report: Omit<PipelineReport, 'sink'>) =>
    summary(source, target.path, target.kind, where, report, performance.now() - started, failures);
  const common = {
    source,
    ...(format !== undefined ? { format } : {}),
    ...(collectionId !== undefined ? { collectionId } : {}),
    ingestOptions: sharded ? (variant !== undefined ? { ...rest, variant } : rest) : { ...rest, onTotal },
    transforms: to.transforms,
    transformOptions: to.transformOptions,
    to: target,
    signal: abort.signal,
    failures,
    onProgress: (n: number) => {
      written = n;
    },
  };
  const pipeline: PipelineOptions = sharded
    ? { ...common, placement: 'sharded', workers }
    : {
        ...common,
        placement: 'caller',
        ingest: { strategy, concurrency: level, ...(variant !== undefined ? { variant } : {}) },
      };
  try {
    const report = await runPipeline(pipeline);
    io.stderr.write(line(report));
    // Every input failed and nothing came out: not a success.
    return report.written === 0 && failures.count > 0 ? EXIT.failed : EXIT.ok;
  } catch (e) {
    // The output could not be prepared: the user's path is wrong, nothing ran.
    if (e instanceof SinkError) throw new UsageError(`--to ${e.message}`);
    if (!(e instanceof PipelineError)) throw e;
    io.stderr.write(line(e.report));
    io.stderr.write(`stopped: ${e.message}\n`);
    return signalled ? 128 + SIGNALS[signalled] : EXIT.failed;
  } finally {
    if (ticker) clearInterval(ticker);
    for (const s of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.off(s, onSignal);
    await closeWorkerPool();
    await closePipelinePool();
  }
}

function summary(
  source: string,
  path: string,
  kind: string,
  ingest: string,
  r: Omit<PipelineReport, 'sink'>,
  ms: number,
  failures: FailureCollector,
): string {
  const s = ms / 1000;
  const rate = s > 0 ? Math.round(r.written / s) : 0;
  const st = r.stage_seconds;
  const lines = [
    `wrote ${r.written} items to ${path} (${kind}) from ${source} (${ingest}) in ${s.toFixed(2)} s, ` +
      `${rate} items/s; ${r.items_in} read, ${r.invalid} invalid, ${r.duplicates} duplicates, ${r.failures} failures`,
    `  stage seconds: read+parse ${st.read_parse.toFixed(2)}, transform ${st.transform.toFixed(2)}, ` +
      `serialize ${st.serialize.toFixed(2)}, write ${st.write.toFixed(2)}`,
  ];
  for (const f of failures.failures.slice(0, SHOWN_FAILURES)) lines.push(`  ${f.source}: ${f.reason}`);
  if (failures.count > SHOWN_FAILURES) lines.push(`  ... and ${failures.count - SHOWN_FAILURES} more`);
  return `${lines.join('\n')}\n`;
}
