/** `benchmark-ingest all` (`npm run bench`): every file format and the local STAC API in one run. */
import { EXIT } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { runBench } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE.all}\n`);
    return EXIT.ok;
  }
  return runBench('all', settingsFromArgs('all', argv));
}
