/** `benchmark-ingest api`: benchmarks STAC API ingest (a real --catalog-url, or the built-in local STAC API). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { EXPORT_USAGE, runBenchWithExports, takeExports } from '../export-option.js';
import { consoleFromArgs } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.api}\n${EXPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const { exports, rest } = takeExports(argv);
  return runBenchWithExports('api', settingsFromArgs('api', rest), exports, consoleFromArgs(rest));
}
