/**
 * Parquet benchmarks (scenario `parquet`): stac-geoparquet into full STAC Items. The readers side by
 * side, the default reader under each strategy and level, and the read-only and decode-only floors;
 * the rows are src/bench/cases.ts `parquetCases`.
 */
import { describe, inject } from 'vitest';
import { parquetCases } from '../src/bench/cases.js';
import { selectCases } from '../src/bench/only.js';
import { fileRun } from '../src/bench/runs.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';

const settings = inject('settings');
const cases = selectCases(parquetCases(settings, inject('dataPaths')), settings.only);

// Skipped, not absent, without data: vitest fails a bench file that registers nothing.
describe.runIf(cases.length > 0)('parquet', () => {
  measuredScenario(cases, fileRun);
});
