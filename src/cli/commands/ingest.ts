/**
 * `benchmark-ingest ingest SOURCE [--collection-id ID] [--strategy S] [--concurrency N]
 *  [--max-items N] [--format F] [--variant V] [--batch-size N] [--output FILE] [--progress]`
 *
 * Streams the Items of SOURCE (a path, a static catalog URL or a STAC API URL) as NDJSON to FILE
 * or stdout, waiting for the stream to drain (backpressure reaches the ingest). A closed pipe
 * (`| head`) ends the ingest quietly. One summary line goes to stderr, with the failure count and
 * the first few failures (for a STAC API, the pages received too).
 *
 * Exit 0 when the source was read (even with per-item failures); 1 when it could not be read at
 * all, when it stopped early after Items were written (a STAC API page that could not be fetched or
 * read: the Items received before it are written, and the summary says how far it got and why it
 * stopped), or when nothing was ingested and failures were counted (every input failed); 2 for a
 * usage error.
 *
 * FILE is written to a temporary file beside it and renamed into place at the end, so an earlier
 * FILE stays whole until then. A run that fails after some Items keeps those Items.
 *
 * `--to PATH` converts instead (an items directory or NDJSON, with transforms): see ingest-to.ts.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type ApiIngestOptions, type ApiReport, newApiReport } from '../../ingest/api/index.js';
import { closeWorkerPool, ingest, parseVariant, VARIANT_TOKENS } from '../../ingest/index.js';
import { isUrl } from '../../ingest/io/reading.js';
import { FailureCollector, FILE_FORMATS, type IngestOptions, STRATEGIES } from '../../ingest/types.js';
import { type AtomicWriteStream, createAtomicWriteStream } from '../../output/atomic.js';
import {
  choiceFlag,
  EXIT,
  helpAsked,
  intFlag,
  MAX_RPS_RANGE,
  numberFlag,
  parseArgs,
  stringFlag,
  UsageError,
} from '../args.js';
import { progressText, totalOf } from '../ingest-progress.js';
import { parseToArgs, runTo, TO_FLAGS, type ToArgs } from '../ingest-to.js';
import { checkNotSource, checkWritableFile } from '../output-path.js';
import {
  headersFromArgs,
  REMOTE_FLAGS,
  REMOTE_USAGE,
  REPEATABLE_FLAGS,
  remoteFlagsGiven,
  searchFromArgs,
} from '../remote-flags.js';
import { formatFlag } from './generate.js';

const USAGE =
  'usage: benchmark-ingest ingest SOURCE [--collection-id ID] [--strategy S] [--concurrency N] ' +
  '[--max-items N] [--format F] [--variant V] [--batch-size N] [--output FILE] [--progress] ' +
  '[--max-body-mb N] [--timeout-s S] [--max-rps N] [--same-host] [--private-addresses auto|allow|refuse] ' +
  "[--header 'Name: value'] [--token-env NAME] [--bbox W,S,E,N] [--datetime A/B] [--query JSON] [--filter JSON] " +
  '[--to PATH [--transform update,validate] [--placement caller|sharded] [--workers N] [--base-url URL] ' +
  '[--asset-base-url URL [--asset-from URL]]]';

function longUsage(): string {
  return [
    USAGE,
    '  SOURCE: an items directory, a catalog or collection JSON, a FeatureCollection, NDJSON or',
    '          stac-geoparquet file, or a STAC API URL (with --collection-id)',
    `  --strategy ${STRATEGIES.join('|')} (default sequential)`,
    `  --format ${FILE_FORMATS.join('|')} (default: detected from SOURCE)`,
    `  --variant tokens joined with +: ${VARIANT_TOKENS.join(', ')}`,
    '  Remote sources (a catalog over http(s), a STAC API):',
    '    --max-body-mb N   largest document or page accepted, decompressed (default 64)',
    '    --timeout-s S     time allowed for one request (default 30)',
    '    --max-rps N       start at most N requests per second, for the whole ingest (workers share it)',
    "    --same-host       follow a remote catalog's links only on the root's origin",
    '    --private-addresses auto|allow|refuse  reach private/loopback addresses (auto: not from a public root)',
    ...REMOTE_USAGE,
    '  Items are written as NDJSON (stdout unless --output); a one-line summary goes to stderr.',
    '  --output FILE: its folder must exist; it must not be SOURCE, nor inside a SOURCE folder or a',
    "          catalog's folder; it is replaced only when the run ends (kept Items of a failed run too)",
    '  --to PATH: write the Items for real (not with --output): PATH.ndjson / PATH.jsonl is one NDJSON',
    '          file, PATH.parquet / PATH.geoparquet one stac-geoparquet 1.1 file (one schema, from the',
    '          first row group of 1,000 Items: a later Item that does not fit is counted, not written),',
    '          anything else an items directory PATH/{collection}/items/{id}.json with',
    '          PATH/{collection}/collection.json. A folder must be new, empty, or one this tool made',
    '          (its earlier content is replaced); it must not be SOURCE, inside it, nor hold it.',
    '    --transform update,validate  transforms in order (validate: an invalid Item is counted, not written)',
    "    --placement caller   the ingest (--strategy, --concurrency) hands Items to the caller's thread,",
    '                         which transforms, serializes and writes them (the default)',
    '    --placement sharded  --workers N workers (default 2) each read, parse, transform, serialize and',
    '                         write their share of SOURCE (file sources only)',
    '    --base-url URL       update: self/root/parent/collection links under URL (same layout)',
    '    --asset-base-url URL update: relative asset hrefs (and those under --asset-from URL) rewritten under URL',
  ].join('\n');
}

/** How often the progress line is written. */
const PROGRESS_MS = 1000;

/** Failures listed in the summary; the rest are counted. */
const SHOWN_FAILURES = 5;
/** Lines are written in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 16;

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
}

export { type ProgressTotal, progressText, totalOf } from '../ingest-progress.js';

export async function run(
  argv: string[],
  io: CommandIo = process,
  progressMs = PROGRESS_MS,
): Promise<number> {
  if (helpAsked(argv)) {
    io.stdout.write(`${longUsage()}\n`);
    return EXIT.ok;
  }
  const { source, options, output, progress, to } = parseIngestArgs(argv);
  // At 1 nothing is ignored: sequential runs at 1.
  if ((options.strategy ?? 'sequential') === 'sequential' && (options.concurrency ?? 1) !== 1) {
    io.stderr.write(
      `benchmark-ingest ingest: --strategy sequential ignores --concurrency ${options.concurrency} (it ingests one Item at a time)\n`,
    );
    delete options.concurrency;
  }
  if (to !== undefined) return runTo(source, options, to, io, progress === true, progressMs);
  if (output !== undefined) {
    await checkNotSource(output, source, options.format);
    await checkWritableFile(output);
  }
  const failures = new FailureCollector();
  const target = output !== undefined ? createAtomicWriteStream(output) : null;
  const out = target ? target.stream : io.stdout;
  const sink = new LineSink(out);
  const started = performance.now();
  let count = 0;
  let total = totalOf(undefined, options.maxItems);
  // Progress on stderr while it runs: on a terminal by default, or when asked (--progress).
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const ticker =
    progress || tty
      ? setInterval(() => {
          const s = (performance.now() - started) / 1000;
          const line = progressText(count, failures.count, s, total);
          io.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        }, progressMs)
      : null;
  ticker?.unref();
  // Filled in by a STAC API ingest (pages received); file sources leave it empty.
  const report = newApiReport();
  let stopped: unknown = null;
  try {
    const ingestOptions: ApiIngestOptions = {
      ...options,
      failures,
      report,
      onTotal: (items) => {
        total = totalOf(items, options.maxItems);
      },
    };
    try {
      for await (const item of ingest(source, ingestOptions)) {
        if (!(await sink.write(`${JSON.stringify(item)}\n`))) break;
        count++;
      }
    } catch (e) {
      // Nothing written: the source could not be read (one error line, as before). Otherwise the
      // Items already received are written and the summary says why the run stopped.
      if (count === 0) throw e;
      stopped = e;
    }
    await sink.end(target !== null);
    await target?.commit();
  } catch (e) {
    await keepReceived(sink, target, count);
    throw e;
  } finally {
    if (ticker) clearInterval(ticker);
    if (ticker && tty) io.stderr.write('\r\x1b[K');
    await closeWorkerPool();
  }
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(summary(source, options, count, seconds, failures, sink.closed, report, stopped));
  if (stopped !== null) return EXIT.failed;
  // Every input failed and nothing came out: not a success.
  if (count === 0 && failures.count > 0 && !sink.closed) return EXIT.failed;
  return EXIT.ok;
}

/**
 * After a failed run: the Items received so far are flushed and, for --output, put in place. A run
 * that wrote no Item, or whose output itself failed, leaves an earlier FILE as it was.
 */
async function keepReceived(sink: LineSink, target: AtomicWriteStream | null, count: number): Promise<void> {
  try {
    // An ended stream means the failure came from finishing the output itself.
    if (count === 0 || target?.stream.writableEnded) throw new Error('nothing to keep');
    await sink.end(target !== null);
    await target?.commit();
  } catch {
    await target?.abort();
  }
}

export function parseIngestArgs(argv: string[]): {
  source: string;
  options: IngestOptions;
  output?: string;
  progress?: boolean;
  to?: ToArgs;
} {
  const args = parseArgs(argv, {
    booleans: ['progress', 'same-host'],
    values: [
      'collection-id',
      'strategy',
      'concurrency',
      'max-items',
      'format',
      'variant',
      'batch-size',
      'output',
      'max-body-mb',
      'timeout-s',
      'private-addresses',
      'max-rps',
      ...REMOTE_FLAGS,
      ...TO_FLAGS,
    ],
    repeatable: REPEATABLE_FLAGS,
  });
  if (args.positionals.length === 0) throw new UsageError(`SOURCE is missing (${USAGE})`);
  if (args.positionals.length > 1)
    throw new UsageError(`one SOURCE expected, got ${args.positionals.length}`);
  const options: IngestOptions = {};
  const set = <K extends keyof IngestOptions>(key: K, value: IngestOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('strategy', choiceFlag(args, 'strategy', STRATEGIES));
  set('concurrency', intFlag(args, 'concurrency', { min: 1, max: 1024 }));
  set('maxItems', intFlag(args, 'max-items', { min: 0 }));
  set('format', formatFlag(args, ['json', ...FILE_FORMATS] as const));
  set('collectionId', stringFlag(args, 'collection-id'));
  set('variant', variantFlag(stringFlag(args, 'variant')));
  set('batchSize', intFlag(args, 'batch-size', { min: 1, max: 100_000 }));
  const maxBodyMb = numberFlag(args, 'max-body-mb', { min: 0.001, max: 4096 });
  set('maxBodyBytes', maxBodyMb === undefined ? undefined : Math.round(maxBodyMb * 1024 * 1024));
  const timeoutS = numberFlag(args, 'timeout-s', { min: 0.001, max: 3600 });
  set('timeoutMs', timeoutS === undefined ? undefined : Math.round(timeoutS * 1000));
  set('privateAddresses', choiceFlag(args, 'private-addresses', ['auto', 'allow', 'refuse'] as const));
  set('maxRps', numberFlag(args, 'max-rps', MAX_RPS_RANGE));
  if (options.maxRps !== undefined && !isUrl(args.positionals[0]!)) {
    throw new UsageError(
      `--max-rps applies to remote sources (a STAC API or a catalog URL), not to '${args.positionals[0]}'`,
    );
  }
  if (remoteFlagsGiven(args) && !isUrl(args.positionals[0]!)) {
    throw new UsageError(
      `--header, --token-env and the search flags apply to remote sources (a STAC API or a catalog URL), not to '${args.positionals[0]}'`,
    );
  }
  set('headers', headersFromArgs(args));
  set('search', searchFromArgs(args));
  if (options.search && /\.(geo)?json$/i.test(new URL(args.positionals[0]!).pathname)) {
    throw new UsageError('--bbox, --datetime, --query and --filter search a STAC API, not a JSON document');
  }
  if (args.flags.has('same-host')) options.otherHosts = false;
  const output = stringFlag(args, 'output');
  const to = parseToArgs(args);
  return {
    source: args.positionals[0]!,
    options,
    ...(output ? { output } : {}),
    ...(to ? { to } : {}),
    ...(args.flags.has('progress') ? { progress: true } : {}),
  };
}

/** `--variant`: tokens joined with `+`, each one the library knows. */
function variantFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    parseVariant(raw);
  } catch (e) {
    throw new UsageError(`--variant: ${(e as Error).message.replace(/^variant /, '')}`);
  }
  return raw;
}

function summary(
  source: string,
  options: IngestOptions,
  count: number,
  seconds: number,
  failures: FailureCollector,
  pipeClosed: boolean,
  report: ApiReport,
  stopped: unknown,
): string {
  const strategy = options.strategy ?? 'sequential';
  const rate = seconds > 0 ? Math.round(count / seconds) : 0;
  const pages = report.partitions.reduce((sum, p) => sum + p.pages, 0);
  const api = report.searchUrl !== null;
  const lines = [
    `ingested ${count} items from ${source} (${strategy}${options.concurrency ? ` x${options.concurrency}` : ''}) ` +
      `in ${seconds.toFixed(2)} s, ${rate} items/s, ${failures.count} failures` +
      `${api ? `, ${pages} ${pages === 1 ? 'page' : 'pages'}` : ''}${pipeClosed ? ' (output closed early)' : ''}`,
  ];
  if (stopped !== null) {
    const why = stopped instanceof Error ? stopped.message : String(stopped);
    const got = `${count} items${api ? ` from ${pages} ${pages === 1 ? 'page' : 'pages'}` : ''}`;
    lines.push(`stopped early after ${got}: ${why}`);
  }
  for (const f of failures.failures.slice(0, SHOWN_FAILURES)) lines.push(`  ${f.source}: ${f.reason}`);
  if (failures.count > SHOWN_FAILURES) lines.push(`  ... and ${failures.count - SHOWN_FAILURES} more`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes text in chunks and waits for 'drain' when the stream asks for it. A reader that went away
 * (EPIPE, a destroyed stream) makes `write` answer false instead of throwing.
 */
class LineSink {
  private buffer = '';
  closed = false;
  private error: Error | null = null;

  constructor(private readonly stream: Writable) {
    stream.on('error', this.onError);
  }

  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
    else this.error = e;
  };

  async write(text: string): Promise<boolean> {
    this.buffer += text;
    if (this.buffer.length >= CHUNK_CHARS) await this.flush();
    return !this.closed;
  }

  async end(close: boolean): Promise<void> {
    if (!this.closed) await this.flush();
    // A destroyed stream has already emitted 'close': waiting for it would never end.
    if (close && !this.closed && !this.stream.destroyed) {
      this.stream.end();
      await Promise.race([once(this.stream, 'finish'), once(this.stream, 'close')]);
    }
    this.stream.off('error', this.onError);
    if (this.error) throw this.error;
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (this.error) throw this.error;
    if (this.closed || chunk === '' || this.stream.destroyed) {
      if (this.stream.destroyed) this.closed = true;
      return;
    }
    if (!this.stream.write(chunk)) await this.drained();
    if (this.error) throw this.error;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }
}
