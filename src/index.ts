/**
 * Public API of stac-ingest-bench (the package's one entry, `import … from 'stac-ingest-bench'`): the
 * ingest library, pipelines, the generator, the local STAC API, the instruments and the reports.
 */

export type { BenchSettings } from './bench/settings.js';
export { ensureDataset } from './fixtures/cache.js';
export { generateItems, makeCollection } from './fixtures/profiles.js';
export { writeDataset } from './fixtures/writers.js';
export { closeApiWorkers, HttpError, ingestApi, RepeatedNextError } from './ingest/api/index.js';
export { closeWorkerPool, ingest } from './ingest/index.js';
export * from './ingest/types.js';
export { startStacApi } from './mock-api/server.js';
export {
  closePipelinePool,
  PipelineError,
  type PipelineOptions,
  type PipelineReport,
  type Placement,
  runPipeline,
  type StageSeconds,
} from './pipeline/index.js';
export { analyze } from './profiling/analysis.js';
export { compareRuns } from './profiling/compare.js';
export {
  collectGarbage,
  type Measured,
  type Measurement,
  type MeasureOptions,
  measure,
} from './profiling/instruments.js';
export * from './profiling/result.js';
export { validateResults } from './profiling/schema.js';
/** Writes the validated results JSON, `<name>_report.md` and the SVG charts (also exported as `saveResults`). */
export { writeReport, writeReport as saveResults } from './report/write.js';
export { itemToRow, rowToItem } from './stac/geoparquet.js';
export type { Asset, Geometry, ItemProfile, Link, StacCollection, StacItem } from './stac/item.js';
export { validateItem } from './stac/validate.js';
