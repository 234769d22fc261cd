/** `benchmark-ingest all` (`npm run bench`): every file format and the local STAC API in one run. */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { consoleFromArgs, runBench } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.all}\n`);
    return EXIT.ok;
  }
  return runBench('all', settingsFromArgs('all', argv), consoleFromArgs(argv));
}
