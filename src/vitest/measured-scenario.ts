/**
 * One scenario's benches: its rows in order, and its floors measured between them. A floor's
 * warm-ups and measured runs are taken after rows spread over the scenario (src/bench/cases.ts
 * `floorSlots`), in the same process, with the rows' samples and warm-ups, so it sees the conditions
 * of the rows it bounds rather than only those at the end of the file.
 */
import { floorSlots } from '../bench/cases.js';
import type { ResultKind } from '../profiling/result.js';
import {
  InterleavedBench,
  type MeasuredBenchOptions,
  measuredBench,
  type Workload,
} from './measured-bench.js';

export interface ScenarioCase {
  name: string;
  meta: MeasuredBenchOptions & { kind: ResultKind };
}

/** Registers `cases` (the current `describe` block's): the rows, then the floors that publish. */
export function measuredScenario<C extends ScenarioCase>(
  cases: readonly C[],
  workload: (c: C) => Workload,
): void {
  const rows = cases.filter((c) => c.meta.kind !== 'floor');
  const floors = cases
    .filter((c) => c.meta.kind === 'floor')
    .map((c) => ({
      bench: new InterleavedBench(c.name, workload(c), c.meta),
      slots: floorSlots(rows.length, c.meta.samples),
    }));
  rows.forEach((c, i) => {
    const work = workload(c);
    const afterRuns = async () => {
      for (const f of floors) await f.bench.take(f.slots[i] ?? 0);
    };
    const hooks = { beforeRun: work.beforeRun, afterRun: work.afterRun };
    measuredBench(c.name, work.run, { ...c.meta, afterRuns, ...hooks });
  });
  for (const f of floors) f.bench.register();
}
