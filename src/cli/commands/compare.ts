/**
 * `benchmark-ingest compare`: prints every row matched by key with its verdict. Each side is one
 * results file or several runs of the same settings (`A1.json,A2.json`, or `--baseline A1.json
 * A2.json --current B1.json B2.json`), judged with the spread between them. Exit 3 names the rows
 * whose throughput dropped beyond the noise and beyond the threshold (or whose peak memory grew
 * markedly, or that now fail); rows that cannot be judged are listed as inconclusive (exit 0).
 */
import { compareRuns, DEFAULT_MIN_CHANGE, type DiffFormat, renderDiff } from '../../profiling/compare.js';
import type { ResultsFile } from '../../profiling/result.js';
import { EXIT, helpAsked, UsageError } from '../args.js';
import { ResultsFileError, readResults } from '../results-file.js';

export const COMPARE_USAGE =
  'usage: benchmark-ingest compare BASELINE.json[,MORE.json] CURRENT.json[,MORE.json] [--threshold PCT] [--format text|markdown|json]\n' +
  '       benchmark-ingest compare --baseline A.json [B.json ...] --current C.json [D.json ...] [--threshold PCT] [--format F]\n' +
  `       (PCT default: ${DEFAULT_MIN_CHANGE.single * 100} with one file per side, ${DEFAULT_MIN_CHANGE.several * 100} with several)`;

const FORMATS: readonly DiffFormat[] = ['text', 'markdown', 'json'];

export interface CompareArgs {
  baseline: string[];
  current: string[];
  /** Percent; undefined: the default for the number of files. */
  threshold: number | undefined;
  format: DiffFormat;
}

const splitList = (raw: string): string[] => raw.split(',').filter((p) => p.trim() !== '');

/**
 * Parses the two forms: two positionals (each a comma-separated list of files), or `--baseline`
 * and `--current` each followed by one or more files (commas allowed too). Mixing them, an empty
 * side or an unknown option is a UsageError.
 */
export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const positionals: string[] = [];
  const sides: Record<'baseline' | 'current', string[] | undefined> = {
    baseline: undefined,
    current: undefined,
  };
  let threshold: number | undefined;
  let format: DiffFormat = 'text';
  let collecting: 'baseline' | 'current' | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (collecting) sides[collecting]!.push(...splitList(arg));
      else positionals.push(arg);
      continue;
    }
    collecting = null;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === 'baseline' || name === 'current') {
      if (sides[name]) throw new UsageError(`--${name} given twice (list every file after one --${name})`);
      sides[name] = inline === undefined ? [] : splitList(inline);
      collecting = name;
      continue;
    }
    if (name !== 'threshold' && name !== 'format') throw new UsageError(`unknown option --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value`);
    }
    if (name === 'format') {
      if (!(FORMATS as readonly string[]).includes(value)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${value}'`);
      }
      format = value as DiffFormat;
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) {
        throw new UsageError(`--threshold must be a number, got '${value}'`);
      }
      if (n < 0 || n > 100) throw new UsageError(`--threshold must be within 0..100, got ${value}`);
      threshold = n;
    }
  }
  const named = sides.baseline !== undefined || sides.current !== undefined;
  if (named) {
    if (positionals.length > 0) {
      throw new UsageError(
        `unexpected argument '${positionals[0]}': with --baseline/--current, list the files after them`,
      );
    }
    if (!sides.baseline?.length || !sides.current?.length) {
      throw new UsageError('--baseline and --current each need at least one results file');
    }
    return { baseline: sides.baseline, current: sides.current, threshold, format };
  }
  if (positionals.length !== 2) {
    throw new UsageError(`expected two results files (or lists), got ${positionals.length} (see --help)`);
  }
  const [baseline, current] = positionals.map(splitList) as [string[], string[]];
  if (baseline.length === 0 || current.length === 0) throw new UsageError('an empty list of results files');
  return { baseline, current, threshold, format };
}

/** A file compare cannot read is the user's input mistake: a usage error (exit 2). */
async function readAll(paths: readonly string[]): Promise<ResultsFile[]> {
  const files: ResultsFile[] = [];
  for (const p of paths) {
    try {
      files.push(await readResults(p));
    } catch (e) {
      if (e instanceof ResultsFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  return files;
}

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  const args = parseCompareArgs(argv);
  const baseline = await readAll(args.baseline);
  const current = await readAll(args.current);
  const diff = compareRuns(
    baseline,
    current,
    args.threshold === undefined ? {} : { minChange: args.threshold / 100 },
  );
  process.stdout.write(renderDiff(diff, args.format));
  if (diff.inconclusive.length > 0) {
    const names = diff.inconclusive.map((r) => `${r.key} (${r.reason})`).join('; ');
    process.stderr.write(
      `benchmark-ingest compare: warning: inconclusive for ${diff.inconclusive.length} row(s): ${names}\n`,
    );
  }
  if (diff.regressions.length > 0) {
    const names = diff.regressions.map((r) => `${r.key} (${r.reason})`).join('; ');
    process.stderr.write(`benchmark-ingest compare: regressed beyond noise: ${names}\n`);
    return EXIT.regression;
  }
  // Markdown and JSON say it in their own first line / `verdict` field.
  if (args.format === 'text') {
    const compared = diff.rows.filter((r) => r.baseline && r.current).length;
    process.stdout.write(`no regression beyond noise (${compared} rows compared)\n`);
  }
  return EXIT.ok;
}
