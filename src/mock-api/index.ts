/** The local STAC API: node:http server, msw handlers, child-process runner, shared routes. */
export { buildCatalog, type CollectionSource, generatedSource, sourcesFromItems } from './catalog.js';
export { ApiError } from './errors.js';
export { serveHandlers, stacApiHandlers } from './handlers.js';
export { type ProcessOptions, type StacApiProcess, startStacApiProcess } from './process.js';
export { CONFORMS_TO } from './routes.js';
export { type StacApi, type StacApiOptions, startStacApi } from './server.js';
export type { ServiceOptions, StacApiMetrics } from './service.js';
