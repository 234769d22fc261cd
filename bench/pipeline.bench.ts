/**
 * Scenario `pipeline`: source -> transforms -> sink with the caller placement (every stage after
 * ingest on the caller's thread), fed by each ingest strategy at the pipeline settings' levels, and
 * with the sharded placement (every stage in each of N workers) at the workers levels; its floors
 * (write-only, transform-only) are measured between the rows; the rows are src/bench/cases.ts
 * `pipelineCases`. Each run writes into a fresh folder, removed after it.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, inject } from 'vitest';
import { pipelineCases } from '../src/bench/cases.js';
import { selectCases } from '../src/bench/only.js';
import { PIPELINE_SCRATCH, pipelineRun } from '../src/bench/pipeline-runs.js';
import { closePipelinePool } from '../src/pipeline/index.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';

const settings = inject('settings');
const cases = selectCases(pipelineCases(settings, inject('dataPaths')), settings.only);

// A run that threw leaves its folder for the next run to remove; the last one is removed here.
afterAll(async () => {
  rmSync(PIPELINE_SCRATCH, { recursive: true, force: true });
  await closePipelinePool();
});

// Skipped, not absent, without data: vitest fails a bench file that registers nothing.
describe.runIf(cases.length > 0)('pipeline', () => {
  measuredScenario(cases, (c) => pipelineRun(c));
});
