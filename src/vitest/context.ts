/**
 * What the bench globalSetup `provide`s and bench files `inject`. Only src/vitest knows vitest;
 * this file declares the keys so that `inject('settings')` is typed everywhere.
 */
import type { BenchApiInfo } from '../bench/api.js';
import type { DataPaths } from '../bench/data.js';
import type { BenchSettings } from '../bench/settings.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** The run's settings (STAC_BENCH_SETTINGS merged over the defaults). */
    settings: BenchSettings;
    /** File datasets prepared through the cache (or the user's own directory). */
    dataPaths: DataPaths;
    /** The STAC API the api-search benches search (local child process or settings.api.catalogUrl); null: off. */
    stacApi: BenchApiInfo | null;
  }
}
