import { defineConfig } from 'vitest/config';
import { StacReporter } from './src/vitest/reporter.js';

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
      // The built-in table, then the project's results file, report and progress lines.
      reporters: ['default', new StacReporter()],
    },
  },
});
