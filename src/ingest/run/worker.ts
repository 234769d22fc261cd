/** The ingest worker: runs jobs with blocking reads (this thread does nothing else) and replies. */
import { parentPort } from 'node:worker_threads';
import { transferables } from './transfer.js';
import { runJob } from './jobs.js';
import type { JobReply, JobRequest } from './worker-pool.js';

const port = parentPort!;

port.on('message', (request: JobRequest) => {
  runJob(request.job, { read: 'sync', transfer: request.transfer, buffer: request.buffer }).then(
    (result) => port.postMessage({ id: request.id, result } satisfies JobReply, transferables(result)),
    (e: unknown) =>
      port.postMessage({
        id: request.id,
        error: e instanceof Error ? e.message : String(e),
      } satisfies JobReply),
  );
});
