/**
 * The worker entry of the pool: every job this project runs in worker threads, by name. A handler
 * is loaded the first time a worker runs a job of its kind.
 */
import { serve } from './serve.js';

serve({
  ingest: async () => (await import('../ingest/run/worker.js')).ingestJob,
  crawl: async () => (await import('../ingest/api/crawl-worker.js')).crawlJob,
  pipeline: async () => (await import('../pipeline/worker.js')).pipelineJob,
});
