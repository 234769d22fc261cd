/**
 * `benchmark-ingest report RESULTS.json [--output DIR] [--export FORMAT=PATH ...]`: renders the
 * Markdown report and the charts of an existing results file again (after an upgrade, or from a
 * CI artifact) and writes its exports, without running anything. The results file is validated
 * first and never written; a file that is not a results file is a usage error, as in `compare`.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { planCharts } from '../../report/charts.js';
import { writeExports } from '../../report/export.js';
import { baseNameOf, writeRendered } from '../../report/write.js';
import { EXIT, helpAsked, parseArgs, stringFlag, UsageError } from '../args.js';
import { checkExports, EXPORT_USAGE, takeExports } from '../export-option.js';
import { makeFolders, probeFolder } from '../output-path.js';
import { ResultsFileError, readResults } from '../results-file.js';

export const REPORT_USAGE =
  'usage: benchmark-ingest report RESULTS.json [--output DIR]\n' +
  '       writes RESULTS_report.md and the SVG charts into DIR (default: the folder of RESULTS.json)\n' +
  EXPORT_USAGE;

/** --output: a folder (made when missing) that takes new files. */
async function outputFolder(raw: string): Promise<string> {
  if (raw.trim() === '') throw new UsageError('--output must not be empty');
  const dir = resolve(raw);
  const st = await stat(dir).catch(() => null);
  if (st && !st.isDirectory()) throw new UsageError(`--output ${dir}: not a directory`);
  try {
    await makeFolders(dir);
  } catch (e) {
    throw new UsageError(`--output ${dir}: cannot create it (${(e as NodeJS.ErrnoException).code})`);
  }
  await probeFolder(dir, join(dir, 'report'));
  return dir;
}

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const { exports, rest } = takeExports(argv);
  const args = parseArgs(rest, { values: ['output'] });
  if (args.positionals.length !== 1) {
    throw new UsageError(`expected one results file, got ${args.positionals.length} (see --help)`);
  }
  const jsonPath = resolve(args.positionals[0]!);
  const rawOutput = stringFlag(args, 'output');
  let file: Awaited<ReturnType<typeof readResults>>;
  try {
    file = await readResults(jsonPath);
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
  const dir = rawOutput === undefined ? dirname(jsonPath) : await outputFolder(rawOutput);
  if (rawOutput === undefined) await probeFolder(dir, jsonPath);
  const baseName = baseNameOf(jsonPath);
  const written = [
    jsonPath,
    join(dir, `${baseName}_report.md`),
    ...planCharts(file, baseName).map((c) => join(dir, c.fileName)),
  ];
  await checkExports(exports, written);
  const { markdown, charts } = await writeRendered(file, jsonPath, dir);
  const chartNote =
    charts.length === 0 ? 'no chart' : `${charts.length} chart${charts.length === 1 ? '' : 's'}`;
  process.stdout.write(`wrote ${markdown} and ${chartNote} from ${basename(jsonPath)}\n`);
  for (const line of await writeExports(file, exports)) process.stdout.write(`${line}\n`);
  return EXIT.ok;
}
