/** `benchmark-ingest file`: benchmarks file ingest (every file format, or a user's --directory). */
import { EXIT, helpAsked } from '../args.js';
import { settingsFromArgs, USAGE } from '../bench-options.js';
import { consoleFromArgs, runBench } from '../run-bench.js';

export async function run(argv: string[]): Promise<number> {
  if (helpAsked(argv)) {
    process.stdout.write(`${USAGE.file}\n`);
    return EXIT.ok;
  }
  return runBench('file', settingsFromArgs('file', argv), consoleFromArgs(argv));
}
