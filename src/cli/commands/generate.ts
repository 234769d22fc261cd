/**
 * `benchmark-ingest generate --output PATH --count N --format F [--profile P] [--seed S] [--force]`
 * Writes a generated dataset (streaming) and prints a one-line summary on stdout. Long runs show
 * progress on stderr: `\r`-updated on a terminal, otherwise one line every few seconds. Where it
 * may write, and how it replaces an earlier data set: generate-output.ts.
 */
import { resolve } from 'node:path';
import { writeDataset } from '../../fixtures/writers.js';
import { FILE_FORMATS } from '../../ingest/types.js';
import { ITEM_PROFILES } from '../../stac/item.js';
import {
  choiceFlag,
  EXIT,
  helpAsked,
  intFlag,
  type ParsedArgs,
  parseArgs,
  stringFlag,
  UsageError,
} from '../args.js';
import { checkParent, checkTarget, MARKER, type OutputKind, writeInPlace } from '../generate-output.js';

export const DEFAULT_SEED = 42;
/** Non-TTY progress: at most one line per this many milliseconds. */
const LINE_EVERY_MS = 3000;
/** TTY progress: at most one redraw per this many milliseconds. */
const REDRAW_EVERY_MS = 200;

export const GENERATE_USAGE =
  'generate --output PATH --count N --format directory|feature-collection|ndjson|catalog|parquet ' +
  '[--profile small|sentinel-2] [--seed S] [--force]';

const LONG_USAGE = [
  `usage: benchmark-ingest ${GENERATE_USAGE}`,
  '  directory and catalog write a folder: a new or empty one, or one generate made (it holds',
  `  ${MARKER}); the other formats write a new file. --force replaces anything else.`,
].join('\n');

export interface GenerateArgs {
  output: string;
  count: number;
  format: (typeof FILE_FORMATS)[number];
  profile: (typeof ITEM_PROFILES)[number];
  seed: number;
  force: boolean;
}

/** Other spellings of a format: the GeoJSON type name, as the origin's tools write it. */
const FORMAT_ALIASES: Record<string, string> = { FeatureCollection: 'feature-collection' };

/** `--format`, with the GeoJSON spelling `FeatureCollection` taken for `feature-collection`. */
export function formatFlag<T extends string>(args: ParsedArgs, choices: readonly T[]): T | undefined {
  const raw = stringFlag(args, 'format');
  const alias = raw === undefined ? undefined : FORMAT_ALIASES[raw];
  if (alias !== undefined) args.flags.set('format', alias);
  return choiceFlag(args, 'format', choices);
}

/** Parses and checks the arguments; every mistake is a one-line UsageError. */
export function parseGenerateArgs(argv: string[]): GenerateArgs {
  const args = parseArgs(argv, {
    values: ['output', 'count', 'format', 'profile', 'seed'],
    booleans: ['force'],
  });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const output = stringFlag(args, 'output');
  const count = intFlag(args, 'count', { min: 1, max: 100_000_000 });
  const format = formatFlag(args, FILE_FORMATS);
  if (output === undefined || output.trim() === '')
    throw new UsageError(`--output is required (${GENERATE_USAGE})`);
  if (count === undefined) throw new UsageError(`--count is required (${GENERATE_USAGE})`);
  if (format === undefined) throw new UsageError(`--format is required (${GENERATE_USAGE})`);
  return {
    output: resolve(output),
    count,
    format,
    profile: choiceFlag(args, 'profile', ITEM_PROFILES) ?? 'small',
    seed: intFlag(args, 'seed', { min: 0, max: 2 ** 31 - 1 }) ?? DEFAULT_SEED,
    force: args.flags.get('force') === true,
  };
}

/** A progress reporter for stderr that suits a terminal or a log. */
export function progressReporter(
  total: number,
  stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  now: () => number = Date.now,
): { update(done: number): void; end(): void } {
  const started = now();
  let last = started;
  let drawn = false;
  const line = (done: number) => {
    const seconds = (now() - started) / 1000;
    const pct = total > 0 ? ((100 * done) / total).toFixed(0) : '100';
    return `generate: ${done}/${total} items (${pct}%) ${seconds.toFixed(1)} s`;
  };
  return {
    update(done) {
      const t = now();
      if (stream.isTTY) {
        if (t - last < REDRAW_EVERY_MS) return;
        stream.write(`\r${line(done)}`);
        drawn = true;
      } else {
        if (t - last < LINE_EVERY_MS) return;
        stream.write(`${line(done)}\n`);
      }
      last = t;
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${LONG_USAGE}\n`);
    return EXIT.ok;
  }
  const opts = parseGenerateArgs(argv);
  const kind: OutputKind = opts.format === 'directory' || opts.format === 'catalog' ? 'folder' : 'file';
  const target = { path: opts.output, kind, format: opts.format, force: opts.force };
  await checkTarget(target.path, kind, opts.format, opts.force);
  await checkParent(target.path);
  const progress = progressReporter(opts.count);
  const started = performance.now();
  let written: Awaited<ReturnType<typeof writeDataset>>;
  try {
    written = await writeInPlace(target, (path) =>
      writeDataset({
        format: opts.format,
        path,
        profile: opts.profile,
        count: opts.count,
        seed: opts.seed,
        onProgress: (done) => progress.update(done),
      }),
    );
  } finally {
    progress.end();
  }
  const seconds = (performance.now() - started) / 1000;
  const mb = written.bytes / 1e6;
  process.stdout.write(
    `generated ${written.items} ${opts.profile} items as ${opts.format} (seed ${opts.seed}) at ${written.path}: ` +
      `${mb.toFixed(1)} MB in ${seconds.toFixed(2)} s (${Math.round(written.items / Math.max(seconds, 1e-9))} items/s)\n`,
  );
  return EXIT.ok;
}
