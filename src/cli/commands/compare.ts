/**
 * `benchmark-ingest compare BASELINE.json CURRENT.json [--threshold PCT]`: prints a table of every
 * row matched by key; exits 3 naming the rows whose throughput dropped beyond both runs' noise (and
 * by more than PCT percent, default 10) or whose peak memory grew markedly, 0 otherwise.
 */
import { compareRuns, renderDiff } from '../../profiling/compare.js';
import { ResultsFileError, readResults } from '../results-file.js';
import { EXIT, helpAsked, numberFlag, parseArgs, UsageError } from '../args.js';

export const COMPARE_USAGE = 'usage: benchmark-ingest compare BASELINE.json CURRENT.json [--threshold PCT]';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  const args = parseArgs(argv, { values: ['threshold'] });
  if (args.positionals.length !== 2) {
    throw new UsageError(`expected two results files, got ${args.positionals.length} (${COMPARE_USAGE})`);
  }
  const threshold = numberFlag(args, 'threshold', { min: 0, max: 100 }) ?? 10;
  const [baselinePath, currentPath] = args.positionals as [string, string];
  const baseline = await readInput(baselinePath);
  const current = await readInput(currentPath);
  const diff = compareRuns(baseline, current, { minChange: threshold / 100 });
  process.stdout.write(renderDiff(diff));
  if (diff.regressions.length > 0) {
    const names = diff.regressions.map((r) => `${r.key} (${r.reason})`).join('; ');
    process.stderr.write(`benchmark-ingest compare: regressed beyond noise: ${names}\n`);
    return EXIT.regression;
  }
  const compared = diff.rows.filter((r) => r.baseline && r.current).length;
  process.stdout.write(`no regression beyond noise (${compared} rows compared)\n`);
  return EXIT.ok;
}

/** A file compare cannot read is the user's input mistake: a usage error (exit 2). */
async function readInput(path: string) {
  try {
    return await readResults(path);
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
}
