/**
 * `--export FORMAT=PATH` (repeatable) of the benchmark commands and `report`: parsed out of the
 * arguments before the command's own parser sees them, checked before any benchmark starts (a
 * bad spec or a path that cannot be written is one line and exit 2), and written once the results
 * file is. An export never goes over the results file, its report or another export.
 */
import { dirname, resolve } from 'node:path';
import type { BenchSettings } from '../bench/settings.js';
import {
  EXPORT_DESCRIPTIONS,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportSpec,
  writeExports,
} from '../report/export.js';
import { markdownPathFor, rejectedPathFor } from '../report/write.js';
import { UsageError } from './args.js';
import type { BenchMode } from './bench-options.js';
import { checkWritableFile, makeFolders } from './output-path.js';
import { readResults } from './results-file.js';
import { type RunBenchOptions, runBench } from './run-bench.js';

export const EXPORT_USAGE =
  `       [--export FORMAT=PATH ...]   FORMAT: ${EXPORT_FORMATS.join(', ')}\n` +
  EXPORT_FORMATS.map((f) => `         ${f}: ${EXPORT_DESCRIPTIONS[f]}`).join('\n');

/** `bmf=out/bmf.json` -> { format, path }; a UsageError naming the spec otherwise. */
export function parseExportSpec(raw: string): ExportSpec {
  const eq = raw.indexOf('=');
  const format = eq === -1 ? raw : raw.slice(0, eq);
  const path = eq === -1 ? '' : raw.slice(eq + 1);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--export takes FORMAT=PATH with FORMAT one of ${EXPORT_FORMATS.join(', ')}, got '${raw}'`,
    );
  }
  if (path.trim() === '') throw new UsageError(`--export ${format} needs a file: ${format}=PATH`);
  return { format: format as ExportFormat, path: resolve(path) };
}

/**
 * Takes every `--export SPEC` and `--export=SPEC` out of `argv`; the rest goes to the command's
 * own parser. Two exports to one path are a UsageError.
 */
export function takeExports(argv: readonly string[]): { exports: ExportSpec[]; rest: string[] } {
  const exports: ExportSpec[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--export') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--export needs FORMAT=PATH');
      exports.push(parseExportSpec(value));
    } else if (arg.startsWith('--export=')) {
      exports.push(parseExportSpec(arg.slice('--export='.length)));
    } else {
      rest.push(arg);
    }
  }
  const seen = new Set<string>();
  for (const e of exports) {
    if (seen.has(e.path)) throw new UsageError(`--export ${e.path}: given twice`);
    seen.add(e.path);
  }
  return { exports, rest };
}

/**
 * Each export's folder exists (made if missing) and takes a new file, and no export is one of
 * `reserved` (the results file, its report, the files being read): the user asked for the export
 * path, not for those to be replaced.
 */
export async function checkExports(
  exports: readonly ExportSpec[],
  reserved: readonly string[],
): Promise<void> {
  const taken = new Set(reserved.map((p) => resolve(p)));
  for (const e of exports) {
    if (taken.has(e.path)) {
      throw new UsageError(`--export ${e.path}: is a file this command reads or writes; choose another path`);
    }
    try {
      await makeFolders(dirname(e.path));
    } catch (err) {
      throw new UsageError(
        `--export ${e.path}: cannot create its folder (${(err as NodeJS.ErrnoException).code})`,
      );
    }
    await checkWritableFile(e.path, '--export');
  }
}

/** The files a benchmark run writes for `output`, which no export may replace. */
export function benchOutputs(output: string): string[] {
  return [output, markdownPathFor(output), rejectedPathFor(output)];
}

/**
 * A benchmark command with its exports: checked before the run, written from the results file the
 * run wrote — also when a bench errored (its row is left out; the exit code still says 1).
 * The lines saying what was exported go to stderr, so stdout keeps only the summary.
 */
export async function runBenchWithExports(
  mode: BenchMode,
  settings: BenchSettings,
  exports: readonly ExportSpec[],
  options: RunBenchOptions = {},
): Promise<number> {
  if (exports.length === 0) return runBench(mode, settings, options);
  await checkExports(exports, benchOutputs(settings.output));
  const code = await runBench(mode, settings, options);
  const results = await readResults(settings.output);
  const err = options.err ?? process.stderr;
  for (const line of await writeExports(results, exports)) err.write(`benchmark-ingest ${mode}: ${line}\n`);
  return code;
}
