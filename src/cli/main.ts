/** `benchmark-ingest`: dispatches to one module per command; maps errors to exit codes. */
import { EXIT, UsageError } from './args.js';

export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  generate: { summary: 'write generated STAC test data', load: () => import('./commands/generate.js') },
  ingest: {
    summary: 'ingest a file source or a STAC API, write NDJSON',
    load: () => import('./commands/ingest.js'),
  },
  serve: { summary: 'run the local STAC API', load: () => import('./commands/serve.js') },
  file: { summary: 'benchmark file ingest', load: () => import('./commands/file.js') },
  api: { summary: 'benchmark STAC API ingest', load: () => import('./commands/api.js') },
  pipeline: {
    summary: 'benchmark a pipeline: ingest -> transforms -> sink',
    load: () => import('./commands/pipeline.js'),
  },
  all: { summary: 'the whole benchmark suite (npm run bench)', load: () => import('./commands/all.js') },
  compare: {
    summary: 'compare results files (one or several runs per side)',
    load: () => import('./commands/compare.js'),
  },
  report: {
    summary: 'render the report and exports of a results file again',
    load: () => import('./commands/report.js'),
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return `usage: benchmark-ingest <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`benchmark-ingest: unknown command '${name}' (try --help)\n`);
    return EXIT.usage;
  }
  try {
    const { run } = await command.load();
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`benchmark-ingest ${name}: ${e.message}\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`benchmark-ingest ${name}: error: ${message}\n`);
    if (process.env.STAC_BENCH_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT.failed;
  }
}
