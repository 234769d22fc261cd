/** `benchmark-ingest file`: benchmarks file ingest (every file format, or a user's --directory). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { EXPORT_USAGE, runBenchWithExports, takeExports } from '../export-option.js';
import { consoleFromArgs } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.file}\n${EXPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const { exports, rest } = takeExports(argv);
  return runBenchWithExports('file', settingsFromArgs('file', rest), exports, consoleFromArgs(rest));
}
