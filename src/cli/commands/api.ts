/** `benchmark-ingest api`: benchmarks STAC API ingest (a real --catalog-url, or the built-in local STAC API). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { consoleFromArgs, runBench } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.api}\n`);
    return EXIT.ok;
  }
  return runBench('api', settingsFromArgs('api', argv), consoleFromArgs(argv));
}
