import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/profiling/analysis.js';
import {
  bottleneckStageOf,
  breakdownOf,
  callerCeiling,
  ingestSettingOf,
  ingestVariant,
  microsPerItemOf,
  shardedCeiling,
} from '../../src/profiling/pipeline-stages.js';
import type { BenchmarkResult, StageFigures } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';
import { CONFIG, ENVIRONMENT, type RowSpec, resultsFile, row } from '../support/analysis-fixtures.js';

const shares = (read_parse: number, transform: number, serialize: number, write: number): StageFigures => ({
  read_parse,
  transform,
  serialize,
  write,
});

/** A pipeline row: the caller placement fed by `ingest` at `level`. */
function pipe(
  ingest: string,
  level: number,
  tp: number,
  stageShares: StageFigures,
  over: Partial<RowSpec> = {},
) {
  return row({
    scenario: 'pipeline',
    strategy: 'caller',
    variant: ingestVariant(ingest, level),
    concurrency: level,
    tp,
    stageShares,
    elu: 0.9,
    ...over,
  });
}

const floors = [
  row({
    scenario: 'pipeline',
    kind: 'floor',
    strategy: 'transform-only',
    variant: 'update+validate',
    tp: 30_000,
  }),
  row({ scenario: 'pipeline', kind: 'floor', strategy: 'write-only', variant: 'pre-serialized', tp: 5000 }),
];

/** Workers take the reads off the caller, which then mostly awaits its writes. */
const writeBound = [
  pipe('sequential', 1, 2000, shares(0.45, 0.1, 0.05, 0.38)),
  pipe('concurrent', 10, 2300, shares(0.35, 0.12, 0.06, 0.45)),
  pipe('worker-threads', 1, 3000, shares(0.15, 0.15, 0.08, 0.6), { elu: 0.7 }),
  pipe('worker-threads', 2, 3050, shares(0.12, 0.15, 0.08, 0.63), { elu: 0.7 }),
  ...floors,
];

const findingOf = (rows: BenchmarkResult[]) => {
  const findings = analyze(rows, CONFIG, ENVIRONMENT).findings.filter((f) => f.scenario === 'pipeline');
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

describe('pipeline rows', () => {
  it('name the ingest setting that fed them in their variant, and only pipeline rows do', () => {
    expect(ingestVariant('worker-threads', 2)).toBe('ingest=worker-threads:2');
    expect(ingestSettingOf(writeBound[3]!)).toEqual({ strategy: 'worker-threads', level: 2 });
    expect(ingestSettingOf(floors[0]!)).toBeNull();
    expect(ingestSettingOf(row({ strategy: 'concurrent', variant: 'ingest=concurrent:5' }))).toBeNull();
  });

  it("break a row's run down into its stages' seconds and shares, the rest as other", () => {
    const b = breakdownOf(writeBound[0]!)!;
    expect(b.wall).toBeCloseTo(5, 9);
    expect(b.seconds.read_parse).toBeCloseTo(2.25, 9);
    expect(b.shares.write).toBeCloseTo(0.38, 9);
    expect(b.other).toBeCloseTo(0.1, 9);
    expect(breakdownOf(floors[0]!)).toBeNull();
  });

  it('validate against the schema as the analysis writes them', () => {
    const all = [
      ...writeBound,
      row({
        scenario: 'pipeline',
        strategy: 'caller',
        variant: 'ingest=concurrent:5',
        concurrency: 5,
        error: 'SinkError: /out: disk full',
      }),
    ];
    const { findings, comparisons } = analyze(all, CONFIG, ENVIRONMENT);
    expect(validateResults(resultsFile(all, { findings, comparisons })).errors).toEqual([]);
  });
});

describe('the bottleneck stage', () => {
  it('is write I/O when the awaited writes take the largest share of the run', () => {
    expect(bottleneckStageOf(writeBound[2]!)).toEqual({ stage: 'write', share: 0.6, bottleneck: 'io' });
    const f = findingOf(writeBound);
    expect(f.bottleneck).toBe('io');
    expect(f.pipeline?.bottleneck_stage).toBe('write');
    expect(f.summary).toContain(
      "the limit is write I/O: the caller's thread awaited its writes for 60% of the run (write 60%, read+parse 15%, transform 15%, serialize 8%)",
    );
  });

  it("is a CPU stage when the caller's transform or serialize takes the largest share", () => {
    const rows = [
      pipe('sequential', 1, 1500, shares(0.2, 0.5, 0.1, 0.15)),
      pipe('worker-threads', 2, 1600, shares(0.1, 0.55, 0.12, 0.2)),
    ];
    const f = findingOf(rows);
    expect(f.bottleneck).toBe('cpu');
    expect(f.pipeline?.bottleneck_stage).toBe('transform');
    expect(f.summary).toMatch(/the limit is the transform stage on the caller's thread: 5\d% of the run/);
  });

  it("is read+parse, waiting on the ingest, when the caller's thread was mostly idle; its own work when busy", () => {
    const idle = pipe('sequential', 1, 800, shares(0.7, 0.1, 0.05, 0.1), { elu: 0.3 });
    const busy = pipe('sequential', 1, 800, shares(0.7, 0.1, 0.05, 0.1), { elu: 0.95 });
    expect(bottleneckStageOf(idle)).toMatchObject({ stage: 'read_parse', bottleneck: 'io' });
    expect(bottleneckStageOf(busy)).toMatchObject({ stage: 'read_parse', bottleneck: 'cpu' });
    expect(findingOf([busy]).summary).toContain(
      "the limit is the read+parse stage on the caller's thread (with a sequential ingest it holds each read as well as its parse): 70% of the run",
    );
    expect(findingOf([idle]).summary).toContain(
      "the caller's thread waited for the ingest's next Item for 70% of the run",
    );
  });

  it('is not named when the rows carry no stage times', () => {
    const bare = pipe('sequential', 1, 800, shares(0, 0, 0, 0));
    bare.pipeline = { ...bare.pipeline!, stage_seconds: null };
    const f = findingOf([bare]);
    expect(f.pipeline).toBeUndefined();
    expect(f.summary).toContain('the limit is not known: the rows carry no stage times');
  });
});

describe('the ceiling of the caller placement', () => {
  it("is one thread's summed time per Item in its own stages, from the row that left the least on it", () => {
    const c = callerCeiling(writeBound)!;
    // worker-threads x2: (0.12 + 0.15 + 0.08) of 10,000 / 3,050 s per run.
    const seconds = (0.35 * 10_000) / 3050;
    expect(c.from).toBe(writeBound[3]);
    expect(c.itemsPerSec).toBeCloseTo(10_000 / seconds, 6);
    expect(c.microsPerItem.transform).toBeCloseTo(((0.15 * 10_000) / 3050 / 10_000) * 1e6, 6);
    expect(findingOf(writeBound).pipeline?.ceiling_items_per_sec).toBe(Math.round(10_000 / seconds));
  });

  it('says how close the fastest row comes to it, and what the floors allow', () => {
    const f = findingOf(writeBound);
    expect(f.summary).toMatch(
      /the ceiling of the caller placement is 8,714 items\/s, one thread's time per Item across its stages \(39\.3 µs read\+parse, 49\.2 µs transform, 26\.2 µs serialize, with ingest worker-threads with 2 workers; awaited writes left out\), and the fastest, ingest worker-threads with 2 workers at 3,050 items\/s, reaches 35% of it/,
    );
    expect(f.summary).toMatch(
      /; transforming alone runs at 30,000 items\/s; writing the pre-serialized Items alone runs at 5,000 items\/s, and the fastest reaches 61% of it\.$/,
    );
  });
});

describe('the write-only floor', () => {
  const withWriteFloor = (tp: number) => [
    ...writeBound.filter((r) => r.kind === 'ingest'),
    row({ scenario: 'pipeline', kind: 'floor', strategy: 'write-only', variant: 'pre-serialized', tp }),
  ];

  it('bounds the pipeline: the fastest row reaches it within noise, or a share of it', () => {
    expect(findingOf(withWriteFloor(3000)).summary).toMatch(
      /writing the pre-serialized Items alone runs at 3,000 items\/s, and the fastest reaches it \(the difference is within noise\)\.$/,
    );
    expect(findingOf(withWriteFloor(6100)).summary).toMatch(
      /runs at 6,100 items\/s, and the fastest reaches 50% of it\.$/,
    );
  });

  it('is said not to bound a row that beats it beyond noise', () => {
    expect(findingOf(withWriteFloor(1500)).summary).toMatch(
      /writing the pre-serialized Items alone runs at 1,500 items\/s, yet the fastest runs faster beyond noise, so it is not a bound/,
    );
  });
});

describe('the advice for the caller placement', () => {
  it('recommends the cheapest ingest setting within noise of the fastest, by its ingest strategy and level', () => {
    const f = findingOf(writeBound);
    expect(f.best_strategy).toBe('worker-threads');
    expect(f.recommended_concurrency).toBe(1);
    expect(f.summary).toMatch(/use ingest worker-threads with 1 worker: 3,000 items\/s, 1\.50× sequential/);
    expect(f.conditions).toMatchObject({
      source: 'directory',
      transforms: ['update', 'validate'],
      sink: 'directory',
      placement: 'caller',
      page_cache: 'warm',
    });
    expect(f.summary).toContain(
      "from an items directory, through update and validate, into an items directory, every stage after ingest on the caller's thread",
    );
  });

  it('compares each ingest setting with the sequential ingest, by ingest strategy', () => {
    const { comparisons } = analyze(writeBound, CONFIG, ENVIRONMENT);
    expect(comparisons).toContainEqual({
      scenario: 'pipeline',
      baseline_strategy: 'sequential',
      strategy: 'worker-threads',
      concurrency: 2,
      speedup: 1.525,
      memory_overhead_mb: 0,
    });
    expect(comparisons.filter((c) => c.scenario === 'pipeline')).toHaveLength(3);
  });

  it('never recommends a setting whose runs were all slower than every run of the fastest', () => {
    // A noisy row widens the pooled noise so sequential is "within noise" of concurrent on the means;
    // its whole range is still below the fastest's.
    const measured = (ingest: string, level: number, durations: number[]): BenchmarkResult => {
      const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
      const r = pipe(ingest, level, 1000 / mean, shares(0.3, 0.1, 0.1, 0.4), {
        items: 1000,
        samples: durations.length,
      });
      const sorted = [...durations].sort((a, b) => a - b);
      return {
        ...r,
        duration_seconds: mean,
        duration_stats: { ...r.duration_stats!, min: sorted[0]!, max: sorted.at(-1)!, mean },
        duration_samples: sorted,
      };
    };
    const rows = [
      measured('sequential', 1, [0.6, 0.62]),
      measured('concurrent', 5, [0.55, 0.58]),
      measured('worker-threads', 2, [0.4, 0.9]),
    ];
    const f = findingOf(rows);
    expect(f.best_strategy).toBe('concurrent');
    expect(f.recommended_concurrency).toBe(5);
  });
});

/** A sharded row: `workers` workers, stage seconds summed over them (shares of one run's time). */
function shardedRow(workers: number, tp: number, stageShares: StageFigures, over: Partial<RowSpec> = {}) {
  return row({
    scenario: 'pipeline',
    strategy: 'sharded',
    variant: null,
    concurrency: workers,
    tp,
    stageShares,
    elu: 0.2,
    ...over,
  });
}

/** Sharded at 1 and 2 workers beside the caller rows: the two workers together beat the caller. */
const withSharded = [
  ...writeBound,
  // 1 worker: 0.95 of a run of 10,000 / 2,800 s in the stages, 339.3 µs per Item.
  shardedRow(1, 2800, shares(0.15, 0.12, 0.08, 0.6)),
  // 2 workers: 1.8 runs' worth of thread time, 450 µs per Item (the workers contend).
  shardedRow(2, 4000, shares(0.3, 0.24, 0.16, 1.1)),
];

describe('the ceiling of the sharded placement', () => {
  it('is the cores over the stages’ time per Item summed over the workers, from the row that took the least', () => {
    const c = shardedCeiling(withSharded, 2)!;
    const perItem = (0.95 * 10_000) / 2800 / 10_000; // seconds
    expect(c.from).toBe(withSharded.at(-2));
    expect(c.perCore).toBeCloseTo(1 / perItem, 6);
    expect(c.itemsPerSec).toBeCloseTo(2 / perItem, 6);
    expect(c.microsPerItem.write).toBeCloseTo(((0.6 * 10_000) / 2800 / 10_000) * 1e6, 6);
    expect(c.limiting).toBe('write');
    expect(shardedCeiling(writeBound, 2)).toBeNull();
  });

  it('leaves the sharded rows out of the caller placement’s ceiling', () => {
    expect(callerCeiling(withSharded)!.from).toBe(writeBound[3]);
  });

  it('shares a sharded row’s stages out of the workers’ time, not the wall time', () => {
    const b = breakdownOf(withSharded.at(-1)!)!;
    expect(b.wall).toBeCloseTo(2 * 2.5, 9);
    expect(b.shares.write).toBeCloseTo(0.55, 9);
    expect(b.other).toBeCloseTo(0.2 * 2.5, 9);
    expect(microsPerItemOf(withSharded.at(-1)!)).toBeCloseTo(450, 6);
    expect(bottleneckStageOf(withSharded.at(-1)!)).toMatchObject({ stage: 'write', bottleneck: 'io' });
  });

  it('states B for this machine’s cores and as a formula for N cores, the limiting stage, and from how many cores sharded passes caller', () => {
    const f = findingOf(withSharded);
    expect(f.summary).toContain(
      'per Item the sharded stages took 53.6 µs read+parse, 42.9 µs transform, 28.6 µs serialize, 214.3 µs write, ' +
        'summed over the workers (sharded with 1 worker), so the ceiling of the sharded placement is ' +
        'B = 2 cores / 339.3 µs = 5,895 items/s on this machine, limited by the write stage; ' +
        'the fastest, sharded with 2 workers at 4,000 items/s, reaches 68% of it',
    );
    // Without the writes: 53.6 + 42.9 + 28.6 = 125.0 µs per Item, 8,000 items/s per core.
    expect(f.summary).toContain(
      "on CPU alone (the awaited writes left out, as the caller's ceiling counts) B would be 2 cores / 125.0 µs = 16,000 items/s",
    );
    // The caller's ceiling, 8,714 items/s, over 8,000 (CPU) or 2,947 (writes counted) per core: 2 or 3 cores.
    expect(f.summary).toContain(
      'on N cores: caller ≤ 8,714 items/s (more cores do not lift it), sharded ≤ N × 8,000 items/s on CPU alone ' +
        "and N × 2,947 items/s with the writes as measured here, so sharded passes the caller's ceiling from 2 cores " +
        'on CPU, from 3 cores if the writes cost per Item what they did here',
    );
    expect(f.summary).toContain(
      "here sharded was faster than caller's fastest (ingest worker-threads with 2 workers, 3,050 items/s) beyond noise",
    );
  });

  it('bounds sharded by the write-only floor times its writers, since the floor writes with one', () => {
    // The floor (5,000 items/s, one writer) is beaten by sharded x2 at 9,000: two writers allow 10,000.
    const rows = [...withSharded.slice(0, -1), shardedRow(2, 9000, shares(0.3, 0.24, 0.16, 1.1))];
    expect(findingOf(rows).summary).toMatch(
      /writing the pre-serialized Items alone runs at 5,000 items\/s with one writer, so at most 10,000 with 2 writers at once, and the fastest reaches 90% of it\.$/,
    );
  });

  it('recommends the sharded placement and its level when it is faster beyond noise than every caller setting', () => {
    const f = findingOf(withSharded);
    expect(f.best_strategy).toBe('sharded');
    expect(f.recommended_concurrency).toBe(2);
    expect(f.pipeline).toEqual({
      placement: 'sharded',
      bottleneck_stage: 'write',
      ceiling_items_per_sec: 5895,
    });
    expect(f.summary).toMatch(/use sharded with 2 workers: 4,000 items\/s/);
    expect(f.conditions.placement).toBe('caller,sharded');
    expect(f.summary).toContain(
      "every stage after ingest on the caller's thread (caller) or every stage inside each worker (sharded)",
    );
  });

  it('keeps advising caller when sharded is no faster, and says sharded was not faster beyond noise', () => {
    const slower = [
      ...writeBound,
      shardedRow(1, 1500, shares(0.2, 0.15, 0.1, 0.5)),
      shardedRow(2, 2000, shares(0.4, 0.3, 0.2, 1)),
    ];
    const f = findingOf(slower);
    expect(f.best_strategy).toBe('worker-threads');
    expect(f.pipeline?.placement).toBe('caller');
    expect(f.summary).toContain("here sharded was not faster than caller's fastest");
  });

  it('writes results with sharded rows that the schema accepts', () => {
    expect(validateResults(resultsFile(withSharded)).errors).toEqual([]);
  });
});
