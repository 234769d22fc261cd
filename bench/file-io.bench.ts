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
import { selectCases } from '../src/bench/only.js';
import { checkUvSweep, fileRun } from '../src/bench/runs.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';

const settings = inject('settings');
checkUvSweep(settings);

const groups = byGroup(selectCases(fileCases(settings, inject('dataPaths')), settings.only));
for (const [scenario, cases] of groups) {
  describe(scenario, () => {
    measuredScenario(cases, fileRun);
  });
}
// Skipped, not absent, when --only leaves nothing here: vitest fails a bench file that registers nothing.
if (groups.size === 0) describe.skip('file (no scenario selected)', () => {});
