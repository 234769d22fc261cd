/** What the file bench files share: one ingest run as a RunOutcome, and the read-only floor row. */
import { readOnly } from './floors.js';
import { ingest, newIngestStats } from '../ingest/index.js';
import { FailureCollector, type IngestOptions } from '../ingest/types.js';
import type { DatasetInfo, Scenario } from '../profiling/result.js';
import { measuredBench, type RunOutcome } from '../vitest/measured-bench.js';

/** Ingests `path` once, counting items and failures; the measured work is exactly the ingest. */
export async function runIngest(path: string, options: IngestOptions): Promise<RunOutcome> {
  const failures = new FailureCollector();
  const stats = newIngestStats();
  let items = 0;
  for await (const _item of ingest(path, { ...options, failures, stats })) items++;
  return { items, failures: failures.count, workerElu: stats.workerElu };
}

export interface FloorCommon {
  scenario: Scenario;
  dataset: DatasetInfo;
  samples: number;
  warmups: number;
}

/** The read-only floor: every byte of `files` read into one reused buffer, nothing parsed (floors.ts). */
export function readOnlyFloor(name: string, files: string[], items: number, common: FloorCommon): void {
  measuredBench(name, async () => ({ items: readOnly(files) > 0 ? items : 0 }), {
    ...common,
    kind: 'floor',
    strategy: 'read-only',
    variant: 'sync-reused-buffer',
    concurrency: 1,
  });
}
