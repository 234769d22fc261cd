/**
 * Scenario `pipeline`: source -> transforms -> sink with the caller placement (every stage after
 * ingest on the caller's thread), fed by each ingest strategy at the pipeline settings' levels, and
 * its floors (write-only, transform-only) measured between the rows; the rows are
 * src/bench/cases.ts `pipelineCases`. Each run writes into a fresh folder, removed after it.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, inject } from 'vitest';
import { pipelineCases } from '../src/bench/cases.js';
import { PIPELINE_SCRATCH, pipelineRun } from '../src/bench/pipeline-runs.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';

const cases = pipelineCases(inject('settings'), inject('dataPaths'));

// A run that threw leaves its folder for the next run to remove; the last one is removed here.
afterAll(() => rmSync(PIPELINE_SCRATCH, { recursive: true, force: true }));

// Skipped, not absent, without data: vitest fails a bench file that registers nothing.
describe.runIf(cases.length > 0)('pipeline', () => {
  measuredScenario(cases, (c) => pipelineRun(c));
});
