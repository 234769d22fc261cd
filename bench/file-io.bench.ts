/**
 * File ingest benchmarks: the JSON scenarios (directory, feature-collection, ndjson, catalog), each
 * strategy at its levels, the variants and the floors; the rows are src/bench/cases.ts `fileCases`.
 * The worker pool stays alive between benches (as in a long-running service): starting workers falls
 * in the warm-up runs. Its workers are unref'd and end with the process.
 * A run for another libuv pool size (`--uv-threadpool`) measures only the directory's `concurrent`
 * rows; its process must have that pool size, which checkUvSweep makes sure of.
 */
import { describe, inject } from 'vitest';
import { byGroup, fileCases } from '../src/bench/cases.js';
import { checkUvSweep, fileRun } from '../src/bench/runs.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';

const settings = inject('settings');
checkUvSweep(settings);

for (const [scenario, cases] of byGroup(fileCases(settings, inject('dataPaths')))) {
  describe(scenario, () => {
    measuredScenario(cases, fileRun);
  });
}
