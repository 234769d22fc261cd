/**
 * What the bench globalSetup `provide`s and bench files `inject`. Only src/vitest knows vitest;
 * this file declares the keys so that `inject('settings')` is typed everywhere.
 */
import type { FileFormat } from '../ingest/types.js';
import type { BenchApiInfo } from '../mock-api/bench-api.js';
import type { BenchSettings } from './settings.js';

/** One prepared file dataset. */
export interface DataPath {
  /** Directory or file the ingest reads. */
  path: string;
  /** Items in it. */
  items: number;
  /** Mean serialized size of one item in bytes; null when unknown. */
  itemBytesAvg: number | null;
}

/** Prepared datasets by format; a format the settings do not ask for is absent. */
export type DataPaths = Partial<Record<FileFormat, DataPath>>;

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
