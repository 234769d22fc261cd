/** `benchmark-ingest pipeline`: benchmarks a whole pipeline (source -> transforms -> sink). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { consoleFromArgs, runBench } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.pipeline}\n`);
    return EXIT.ok;
  }
  return runBench('pipeline', settingsFromArgs('pipeline', argv), consoleFromArgs(argv));
}
