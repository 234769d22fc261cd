import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { StacReporter } from './src/vitest/reporter.js';

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
      // The built-in table, then the project's results file, report and progress lines.
      reporters: ['default', new StacReporter()],
    },
  },
});
