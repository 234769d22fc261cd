/**
 * The benches a bench file will register, known before it starts: the same cases the bench files
 * build (src/bench/cases.ts, narrowed by --only), from the settings, data and API the globalSetup
 * provides. The progress line counts against this total and times its ETA with it
 * (src/vitest/eta.ts).
 */
import { basename } from 'node:path';
import { type DatasetInfo, resultKey } from '../profiling/result.js';
import type { BenchApiInfo } from './api.js';
import { apiCases, type BenchCase, type CaseMeta, fileCases, parquetCases, pipelineCases } from './cases.js';
import type { DataPaths } from './data.js';
import { selectCases } from './only.js';
import type { BenchSettings } from './settings.js';

export interface PlannedBench {
  name: string;
  /** The key of its results row: how the ETA finds its time in an earlier results file. */
  key: string;
  /** The benches that share a pace, for the ETA: scenario and dataset size (`ndjson/300`). */
  group: string;
  dataset: DatasetInfo;
  /** Warm-ups and measured runs. */
  runs: number;
  /**
   * The bench's share of its group's work, for the ETA: its Items times its runs. A file scenario's
   * floors weigh nothing: their runs are taken inside the rows they bound (measured-scenario.ts).
   */
  weight: number;
  /** A floor whose runs are taken inside its group's rows, so its time shows in theirs. */
  interleaved: boolean;
}

export interface PlanInputs {
  settings: BenchSettings;
  dataPaths: DataPaths;
  stacApi: BenchApiInfo | null;
}

function planned(cases: readonly BenchCase<unknown>[], interleavedFloors: boolean): PlannedBench[] {
  return cases.map((c) => plannedOne(c.name, c.meta, interleavedFloors && c.meta.kind === 'floor'));
}

function plannedOne(name: string, meta: CaseMeta, interleaved: boolean): PlannedBench {
  const runs = meta.samples + meta.warmups;
  return {
    name,
    key: resultKey(meta),
    group: `${meta.scenario}/${meta.dataset.items}`,
    dataset: { ...meta.dataset },
    runs,
    weight: interleaved ? 0 : Math.max(1, meta.dataset.items) * runs,
    interleaved,
  };
}

/** The benches of the bench file at `path`, or null for a file this plan does not know. */
export function plannedBenches(path: string, inputs: PlanInputs): PlannedBench[] | null {
  const { settings, dataPaths, stacApi } = inputs;
  const only = settings.only ?? [];
  // .ts from source, .js in the installed package.
  switch (basename(path).replace(/\.bench\.[jt]s$/, '')) {
    case 'file-io':
      return planned(selectCases(fileCases(settings, dataPaths), only), true);
    case 'parquet':
      return planned(selectCases(parquetCases(settings, dataPaths), only), true);
    case 'api':
      return planned(selectCases(apiCases(settings, stacApi), only), false);
    case 'pipeline':
      return planned(selectCases(pipelineCases(settings, dataPaths), only), true);
    default:
      return null;
  }
}
