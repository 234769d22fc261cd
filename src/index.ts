/** Public API of stac-ingest-bench. */
export * from './ingest/types.js';
export * from './profiling/result.js';
export type { BenchSettings } from './vitest/settings.js';
export type { StacItem, StacCollection, Link, Asset, Geometry, ItemProfile } from './stac/item.js';
