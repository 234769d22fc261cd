/** `benchmark-ingest pipeline`: benchmarks a whole pipeline (source -> transforms -> sink). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { EXPORT_USAGE, runBenchWithExports, takeExports } from '../export-option.js';
import { consoleFromArgs } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.pipeline}\n${EXPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const { exports, rest } = takeExports(argv);
  return runBenchWithExports('pipeline', settingsFromArgs('pipeline', rest), exports, consoleFromArgs(rest));
}
