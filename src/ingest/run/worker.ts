/** The ingest job, as run in a pool worker: blocking reads (this thread does nothing else). */
import type { JobContext } from '../../workers/serve.js';
import { type JobOutput, runJob } from './jobs.js';
import { transferables } from './transfer.js';
import type { JobRequest } from './worker-pool.js';

export async function ingestJob(request: JobRequest, ctx: JobContext): Promise<JobOutput> {
  const result = await runJob(request.job, {
    read: 'sync',
    transfer: request.transfer,
    buffer: request.buffer,
  });
  ctx.transfer.push(...transferables(result));
  return result;
}
