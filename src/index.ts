/** Public API of stac-ingest-bench: the ingest library, the generator, the local STAC API, the instruments and the reports. */
export { ingest, closeWorkerPool } from './ingest/index.js';
export { ingestApi, closeApiWorkers, HttpError, RepeatedNextError } from './ingest/api/index.js';
export * from './ingest/types.js';
export * from './profiling/result.js';
export { measure, collectGarbage, type Measurement } from './profiling/instruments.js';
export { validateResults } from './profiling/schema.js';
export { analyze } from './profiling/analysis.js';
export { compareRuns } from './profiling/compare.js';
/** Writes the validated results JSON, `<name>_report.md` and the SVG charts (also exported as `saveResults`). */
export { writeReport, writeReport as saveResults } from './report/write.js';
export { generateItems, makeCollection } from './fixtures/profiles.js';
export { writeDataset } from './fixtures/writers.js';
export { ensureDataset } from './fixtures/cache.js';
export { startStacApi } from './mock-api/server.js';
export { validateItem } from './stac/validate.js';
export { itemToRow, rowToItem } from './stac/geoparquet.js';
export type { BenchSettings } from './bench/settings.js';
export type { StacItem, StacCollection, Link, Asset, Geometry, ItemProfile } from './stac/item.js';
