/** `benchmark-ingest all` (`npm run bench`): every file format and the local STAC API in one run. */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { EXPORT_USAGE, runBenchWithExports, takeExports } from '../export-option.js';
import { consoleFromArgs } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.all}\n${EXPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const { exports, rest } = takeExports(argv);
  return runBenchWithExports('all', settingsFromArgs('all', rest), exports, consoleFromArgs(rest));
}
