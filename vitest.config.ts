import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: instrument and server tests measure real work, keep the machine quiet enough.
    maxWorkers: 2,
  },
});
