import { describe, expect, it } from 'vitest';
import type { PlannedBench } from '../../src/bench/plan.js';
import type { DatasetInfo } from '../../src/profiling/result.js';
import { type EtaBench, type PreviousRow, previousRows, RunEstimate } from '../../src/vitest/eta.js';

// A plan shaped like a real run: a latency-bound API search over 100 Items first (slow per Item),
// then file benches over 300 Items each (fast per Item), in two bench files.

function dataset(format: string, items: number, latency: number | null = null): DatasetInfo {
  return { format, items, item_bytes_avg: 900, profile: 'small', page_size: null, latency_ms: latency };
}

function planned(
  scenario: string,
  name: string,
  items: number,
  over: Partial<PlannedBench> = {},
): PlannedBench {
  const runs = 2;
  return {
    name,
    key: `${scenario}/${items}/${name}`,
    group: `${scenario}/${items}`,
    dataset: dataset(scenario, items, scenario === 'api-search' ? 50 : null),
    runs,
    weight: items * runs,
    interleaved: false,
    ...over,
  };
}

const API = 'bench/api.bench.ts';
const FILES = 'bench/file-io.bench.ts';
const bench = (module: string, b: PlannedBench): EtaBench => ({
  id: `${module}:${b.key}`,
  module,
  bench: b,
});

const plan: EtaBench[] = [
  bench(API, planned('api-search', 'sequential', 100)),
  bench(API, planned('api-search', 'concurrent', 100)),
  bench(FILES, planned('ndjson', 'sequential', 300)),
  bench(FILES, planned('ndjson', 'concurrent', 300)),
  bench(FILES, planned('ndjson', 'worker-threads', 300)),
  bench(FILES, planned('catalog', 'sequential', 300)),
];

/** An earlier run's rows: `perRun` seconds per run of each bench, on the same data. */
function previousOf(benches: readonly EtaBench[], perRun: (b: EtaBench) => number): Map<string, PreviousRow> {
  return new Map(
    benches.map((b) => [b.bench.key, { perRunSeconds: perRun(b), dataset: { ...b.bench.dataset } }]),
  );
}

const perRun = (b: EtaBench) => (b.module === API ? 1 : 0.05);

describe('RunEstimate: the time left of a bench run', () => {
  it("with an earlier results file, the ETA after the first bench is the rest's earlier time, within the sum of the earlier times", () => {
    const previous = previousOf(plan, perRun);
    const total = plan.reduce((s, b) => s + perRun(b) * b.bench.runs * 1000, 0);
    const eta = new RunEstimate(plan, previous);
    eta.moduleStarted(API, 1500);
    // Its own earlier time (2 runs of 1 s), after a start-up that is not the bench's.
    eta.finished(plan[0]!.id, 2000);
    const { ms, untimed } = eta.estimate();
    expect(untimed).toBe(0);
    // The API bench left (2 s), four file benches (0.1 s each) and the file-I/O bench file's start-up.
    expect(ms).toBeCloseTo(2000 + 4 * 100 + 1500, 6);
    expect(ms - 1500).toBeLessThanOrEqual(total);
  });

  it("a slow latency-bound first bench does not inflate the file benches' estimate", () => {
    const eta = new RunEstimate(plan);
    eta.moduleStarted(API, 1000);
    eta.finished(plan[0]!.id, 4000); // 20 ms per Item-run
    // The other API bench at the API's pace; the file benches are not timed by it.
    expect(eta.estimate()).toEqual({ ms: 4000 + 1000, untimed: 4 });
    eta.finished(plan[1]!.id, 4000);
    eta.moduleStarted(FILES, 1000);
    eta.finished(plan[2]!.id, 60); // 0.1 ms per Item-run
    // Two ndjson benches at ndjson's pace; catalog has started nothing, so it is counted, not guessed.
    expect(eta.estimate()).toEqual({ ms: 120, untimed: 1 });
    eta.finished(plan[3]!.id, 60);
    eta.finished(plan[4]!.id, 60);
    eta.finished(plan[5]!.id, 300);
    expect(eta.estimate()).toEqual({ ms: 0, untimed: 0 });
  });

  it('adds the overhead per bench this run shows beyond the earlier times, and never takes time off them', () => {
    const slower = new RunEstimate(plan, previousOf(plan, perRun));
    slower.moduleStarted(API, 0);
    slower.finished(plan[0]!.id, 2000);
    slower.finished(plan[1]!.id, 2000 + 300); // 300 ms beyond its earlier time
    slower.moduleStarted(FILES, 0);
    expect(slower.estimate().ms).toBeCloseTo(4 * (100 + 300), 6);
    const faster = new RunEstimate(plan, previousOf(plan, perRun));
    faster.moduleStarted(API, 0);
    faster.finished(plan[0]!.id, 2000);
    faster.finished(plan[1]!.id, 1000);
    faster.moduleStarted(FILES, 0);
    expect(faster.estimate().ms).toBeCloseTo(4 * 100, 6);
  });

  it('times the rest of a group by how its finished benches compare with their earlier times (a busier machine)', () => {
    const ndjson = [
      bench(FILES, planned('ndjson', 'a', 300)),
      bench(FILES, planned('ndjson', 'b', 300)),
      bench(FILES, planned('ndjson', 'c', 300)),
      bench(FILES, planned('catalog', 'a', 300)),
    ];
    const eta = new RunEstimate(
      ndjson,
      previousOf(ndjson, (b) => (b.bench.name === 'c' ? 1 : 0.1)),
    );
    eta.moduleStarted(FILES, 0);
    eta.finished(ndjson[0]!.id, 200); // the bench file's first: its excess is its setup
    eta.finished(ndjson[1]!.id, 400); // twice its earlier 200 ms
    // ndjson c at twice its earlier 2 s; catalog, not started, at its 200 ms plus 200 ms overhead.
    expect(eta.estimate().ms).toBeCloseTo(4000 + 400, 6);
  });

  it("counts a bench file's first bench's excess with the file's start-up, not as every bench's overhead", () => {
    const eta = new RunEstimate(plan, previousOf(plan, perRun));
    eta.moduleStarted(API, 1000);
    eta.finished(plan[0]!.id, 2000 + 1500); // a worker pool started, say
    // The API bench left at its earlier time; the file-I/O bench file's start-up at 1 s + 1.5 s.
    expect(eta.estimate().ms).toBeCloseTo(2000 + 4 * 100 + 2500, 6);
  });

  it("shares an interleaved floor's earlier time among its group's rows, which take its runs", () => {
    const floor = bench(FILES, planned('ndjson', 'floor', 300, { weight: 0, interleaved: true }));
    const benches = [...plan.slice(2, 4), floor];
    const previous = previousOf(benches, () => 0.05);
    const eta = new RunEstimate(benches, previous);
    eta.moduleStarted(FILES, 0);
    // Each row: its 100 ms and half the floor's 100 ms.
    expect(eta.estimate().ms).toBeCloseTo(2 * 150, 6);
    eta.finished(benches[0]!.id, 150);
    expect(eta.estimate().ms).toBeCloseTo(150, 6);
  });

  it('uses no earlier row of other data (a different latency) and no failed row', () => {
    const previous = previousOf(plan, perRun);
    const api = plan[1]!.bench;
    previous.set(api.key, { perRunSeconds: 1, dataset: { ...api.dataset, latency_ms: 0 } });
    const eta = new RunEstimate(plan, previous);
    expect(eta.estimate().untimed).toBe(1);
    const rows = previousRows({
      results: [
        { key: 'a', duration_seconds: 0.5, dataset: dataset('ndjson', 300) },
        { key: 'b', duration_seconds: null, dataset: dataset('ndjson', 300), error: 'boom' },
        { key: 'c', duration_seconds: 0.5 },
      ],
    });
    expect([...rows.keys()]).toEqual(['a']);
    expect(previousRows('not a results file').size).toBe(0);
    expect(previousRows(null).size).toBe(0);
  });

  it('times the bench files not started yet by the mean start-up of those that have', () => {
    const eta = new RunEstimate(
      plan,
      previousOf(plan, () => 0),
    );
    eta.moduleStarted(API, 1200);
    expect(eta.estimate().ms).toBeCloseTo(1200, 6);
    eta.moduleStarted(FILES, 800);
    expect(eta.estimate().ms).toBe(0);
  });
});
