import { defineConfig } from 'vitest/config';
import { settingsProblem } from './src/bench/settings.js';
import { StacReporter } from './src/vitest/reporter.js';
import { TablesReporter } from './src/vitest/tables-reporter.js';

// Checked before any bench starts: a typo in STAC_BENCH_SETTINGS is one line and exit 2, not a
// silently ignored key or a stack trace from inside a bench process.
const problem = settingsProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

export default defineConfig({
  test: {
    include: [],
    pool: 'forks',
    isolate: true,
    fileParallelism: false,
    globalSetup: ['./src/vitest/global-setup.ts'],
    hookTimeout: 600_000,
    testTimeout: 600_000,
    benchmark: {
      include: ['bench/**/*.bench.ts'],
      includeSamples: true,
      // vitest's tables (without its summary, which ranks floors as winners), then the project's
      // results file, report and progress lines. The CLI passes its own (run-bench.ts).
      reporters: [new TablesReporter(), new StacReporter()],
    },
  },
});
