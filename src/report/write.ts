/**
 * Writes a results file and its report: `<name>.json` (validated against the schema first; nothing
 * is written when invalid), `<name>_report.md` and the SVG charts beside it. Each file is replaced
 * whole (temporary file and rename), so an interrupted run never leaves half a file.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from '../output/atomic.js';
import type { ResultsFile } from '../profiling/result.js';
import { validateResults } from '../profiling/schema.js';
import { planCharts } from './charts.js';
import { renderMarkdown } from './markdown.js';

export interface WrittenReport {
  json: string;
  markdown: string;
  charts: string[];
}

/** `results/run.json` -> `run`. */
export function baseNameOf(jsonPath: string): string {
  return basename(jsonPath, extname(jsonPath));
}

/** `results/run.json` -> `results/run_report.md`. */
export function markdownPathFor(jsonPath: string): string {
  return join(dirname(jsonPath), `${baseNameOf(jsonPath)}_report.md`);
}

/** `results/run.json` -> `results/run.rejected.json`: where results that could not be written are kept. */
export function rejectedPathFor(jsonPath: string): string {
  return join(dirname(jsonPath), `${baseNameOf(jsonPath)}.rejected.json`);
}

/** Throws naming the path and the first problems when `file` does not match the schema. */
export function assertValid(file: unknown, jsonPath: string): asserts file is ResultsFile {
  const { valid, errors } = validateResults(file);
  if (valid) return;
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  throw new Error(
    `${jsonPath}: results do not match schema/results.schema.json: ${errors.slice(0, 5).join('; ')}${more}`,
  );
}

export async function writeReport(file: ResultsFile, jsonPath: string): Promise<WrittenReport> {
  assertValid(file, jsonPath);
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFileAtomic(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
  return { json: jsonPath, ...(await writeRendered(file, jsonPath, dirname(jsonPath))) };
}

/**
 * The Markdown report and the charts of the results file at `jsonPath`, written into `dir` (its
 * own folder, or another one); the results file itself is not written. Named after `jsonPath`:
 * `run.json` -> `dir/run_report.md`, `dir/run_<chart>.svg`.
 */
export async function writeRendered(
  file: ResultsFile,
  jsonPath: string,
  dir: string,
): Promise<Omit<WrittenReport, 'json'>> {
  const baseName = baseNameOf(jsonPath);
  const charts = planCharts(file, baseName);
  const markdown = join(dir, `${baseName}_report.md`);
  await writeFileAtomic(markdown, renderMarkdown(file, { baseName, charts }));
  const chartPaths: string[] = [];
  for (const c of charts) {
    const path = join(dir, c.fileName);
    await writeFileAtomic(path, c.svg);
    chartPaths.push(path);
  }
  return { markdown, charts: chartPaths };
}
