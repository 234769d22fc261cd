/** The local STAC API a bench run describes (two collections, as `npm run bench` serves them), for tests of the bench's cases and plan. */
import type { BenchApiInfo } from '../../src/bench/api.js';

export const LOCAL_BENCH_API: BenchApiInfo = {
  url: 'http://127.0.0.1:4000',
  local: true,
  collections: [
    { id: 'bench-small', items: 100 },
    { id: 'bench-large', items: 10_000 },
  ],
  pageSize: 100,
  latencyMs: 50,
  controlUrl: 'http://127.0.0.1:4001',
};
