import { defineConfig } from 'vitest/config';
import benchConfig from './vitest.bench.config.js';

// `vitest bench` with no flags runs the benchmark suite with the bench config (settings from
// STAC_BENCH_SETTINGS, defaults when absent); `vitest run` runs the tests.
export default defineConfig(({ mode }) =>
  mode === 'benchmark'
    ? benchConfig
    : {
        test: {
          include: ['test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // 2 cores: instrument and server tests measure real work, keep the machine quiet enough.
          maxWorkers: 2,
        },
      },
);
