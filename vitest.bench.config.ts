import { defineConfig } from 'vitest/config';

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
    },
  },
});
