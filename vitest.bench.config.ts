import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

// The same config runs from the repository (.ts sources) and compiled in the package's dist/ (.js).
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const globalSetup = existsSync(here('./src/vitest/global-setup.ts'))
  ? here('./src/vitest/global-setup.ts')
  : here('./src/vitest/global-setup.js');

export default defineConfig({
  test: {
    include: [],
    pool: 'forks',
    isolate: true,
    fileParallelism: false,
    globalSetup: [globalSetup],
    hookTimeout: 600_000,
    testTimeout: 600_000,
    benchmark: {
      include: ['bench/**/*.bench.{ts,js}'],
      includeSamples: true,
      // vitest's tables (without its summary, which ranks floors as winners), then the project's
      // results file, report and progress lines. The CLI passes its own (run-bench.ts).
      reporters: [new TablesReporter(), new StacReporter()],
    },
  },
});
