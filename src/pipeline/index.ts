/** runPipeline: ingest -> transforms -> serialize -> write, every stage after ingest on one thread. */
import type { PipelineOptions, PipelineReport } from './types.js';

export type { PipelineOptions, PipelineReport, StageSeconds } from './types.js';

export async function runPipeline(_options: PipelineOptions): Promise<PipelineReport> {
  throw new Error('runPipeline: not built yet');
}
