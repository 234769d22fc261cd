import { describe, expect, it } from 'vitest';
import { fmtInt } from '../../src/profiling/format.js';
import type { BenchmarkResult } from '../../src/profiling/result.js';
import {
  GROWTH_EXPONENT,
  MIN_MEMORY_NOISE_MB,
  memoryNoiseMb,
  memoryTrend,
  scalingOf,
} from '../../src/profiling/scaling.js';
import { type RowSpec, row } from '../support/analysis-fixtures.js';
import { reportFixture } from '../support/report-fixture.js';

const SMALL = 1000;
const LARGE = 100_000;

/** The same settings at two sizes: `at(items)` gives each setting's throughput and memory there. */
function sized(
  items: number,
  specs: Record<string, Omit<RowSpec, 'strategy' | 'concurrency' | 'variant'>>,
): BenchmarkResult[] {
  return Object.entries(specs).map(([name, spec]) => {
    const [strategy, concurrency, variant] = name.split(' ');
    return row({
      strategy: strategy!,
      concurrency: Number(concurrency),
      variant: variant ?? null,
      items,
      ...spec,
    });
  });
}

describe('scalingOf', () => {
  it('finds nothing to say when each scenario was measured at one size', () => {
    expect(scalingOf(reportFixture().results)).toEqual([]);
  });

  it("gives the fastest setting's throughput change from the smallest to the largest size, beyond noise", () => {
    const [s] = scalingOf([
      ...sized(SMALL, { 'sequential 1': { tp: 4000 }, 'worker-threads 1': { tp: 40_000 } }),
      ...sized(LARGE, { 'sequential 1': { tp: 4100 }, 'worker-threads 1': { tp: 48_000 } }),
    ]);
    expect(s!.scenario).toBe('directory');
    expect(s!.groups.map((g) => g.dataset.items)).toEqual([SMALL, LARGE]);
    expect(s!.best.rows.map((r) => r.key)).toEqual([
      `directory/${SMALL}/worker-threads/1`,
      `directory/${LARGE}/worker-threads/1`,
    ]);
    expect(s!.best.change).toBeCloseTo(48_000 / 40_000 - 1);
    expect(s!.best.verdict).toBe('different');
    expect(s!.summary).toContain(
      `The fastest at ${fmtInt(LARGE)} items, worker-threads with 1 worker: 40,000 → 48,000 items/s (+20%, beyond noise).`,
    );
  });

  it("gives each other strategy's fastest setting too, and calls a small change within noise", () => {
    const [s] = scalingOf([
      ...sized(SMALL, {
        'sequential 1': { tp: 4000 },
        'concurrent 5': { tp: 9000 },
        'concurrent 10': { tp: 9500 },
        'worker-threads 1': { tp: 40_000 },
      }),
      ...sized(LARGE, {
        'sequential 1': { tp: 4080 },
        'concurrent 5': { tp: 10_500 },
        'concurrent 10': { tp: 9900 },
        'worker-threads 1': { tp: 48_000 },
      }),
    ]);
    expect(s!.strategies.map((t) => t.rows.at(-1)!.key)).toEqual([
      `directory/${LARGE}/worker-threads/1`,
      `directory/${LARGE}/concurrent/5`,
      `directory/${LARGE}/sequential/1`,
    ]);
    const sequential = s!.strategies[2]!;
    expect(sequential.verdict).toBe('equivalent');
    expect(s!.summary).toContain(
      "Each other strategy's fastest: concurrent with 5 in flight 9,000 → 10,500 items/s (+17%, beyond noise); " +
        'sequential 4,000 → 4,080 items/s (+2%, within noise).',
    );
  });

  it('lists every size in order when there are three', () => {
    const specs = { 'sequential 1': { tp: 4000 } };
    const [s] = scalingOf([...sized(LARGE, specs), ...sized(SMALL, specs), ...sized(10_000, specs)]);
    expect(s!.groups.map((g) => g.dataset.items)).toEqual([SMALL, 10_000, LARGE]);
  });

  it('makes one scaling per scenario that has two sizes, and none for a scenario with one', () => {
    const api = { scenario: 'api-search' as const };
    const scalings = scalingOf([
      row({ ...api, strategy: 'sequential', items: 100 }),
      row({ ...api, strategy: 'sequential', items: 10_000 }),
      row({ scenario: 'ndjson', strategy: 'sequential', items: 10_000 }),
    ]);
    expect(scalings.map((s) => s.scenario)).toEqual(['api-search']);
  });

  it('leaves failed rows out: a setting that failed at one size has no change to give', () => {
    const [s] = scalingOf([
      ...sized(SMALL, { 'sequential 1': { tp: 4000 }, 'concurrent 5': { error: 'EMFILE' } }),
      ...sized(LARGE, { 'sequential 1': { tp: 4000 }, 'concurrent 5': { tp: 9000 } }),
    ]);
    expect(s!.best.rows).toHaveLength(1);
    expect(s!.best.change).toBeNull();
    expect(s!.summary).toContain('9,000 items/s (measured at this size only)');
  });
});

describe('peak memory against items', () => {
  const mem = (values: [number, number][], noise = MIN_MEMORY_NOISE_MB) =>
    memoryTrend(
      values.map(([items, m]) => row({ strategy: 'sequential', items, mem: m })),
      noise,
    )!;

  it('is bounded when it stays flat as the items grow', () => {
    const m = mem([
      [SMALL, 5],
      [LARGE, 6],
    ]);
    expect(m.verdict).toBe('bounded');
    expect(m.perTenfoldMb).toBeCloseTo((6 - 5) / Math.log10(LARGE / SMALL));
  });

  it('grows with the input when it follows the items', () => {
    const m = mem([
      [SMALL, 4],
      [LARGE, 400],
    ]);
    expect(m.verdict).toBe('grows with the input');
    expect(m.exponent).toBeGreaterThanOrEqual(GROWTH_EXPONENT);
  });

  it('reads small figures that vary several-fold within the noise as bounded', () => {
    const figures: [number, number][] = [
      [SMALL, 0.1],
      [LARGE, 1.5],
    ];
    expect(mem(figures).verdict).toBe('bounded');
    // Without the noise added, the same figures would fit a steep curve.
    expect(mem(figures, 0).verdict).toBe('grows with the input');
  });

  it("takes the noise from the spread between one strategy's levels, never below the least assumed", () => {
    const at = (items: number, levels: number[]) =>
      levels.map((m, i) => row({ strategy: 'concurrent', concurrency: i + 1, items, mem: m }));
    const [s] = scalingOf([...at(SMALL, [2, 30]), ...at(LARGE, [3, 31])]);
    expect(s!.memoryNoiseMb).toBeCloseTo(28);
    const [quiet] = scalingOf([...at(SMALL, [2, 2.1]), ...at(LARGE, [3, 3])]);
    expect(quiet!.memoryNoiseMb).toBe(MIN_MEMORY_NOISE_MB);
    expect(memoryNoiseMb(quiet!.groups)).toBe(MIN_MEMORY_NOISE_MB);
  });

  it("calls growth within the scenario's memory noise bounded", () => {
    // Concurrent levels differ by ~28 MB at each size: a worker row going 2 -> 30 MB is within that.
    const rows = (items: number, worker: number) => [
      row({ strategy: 'concurrent', concurrency: 5, items, mem: 2 }),
      row({ strategy: 'concurrent', concurrency: 10, items, mem: 30 }),
      row({ strategy: 'worker-threads', concurrency: 1, items, mem: worker, tp: 5000 }),
    ];
    const [s] = scalingOf([...rows(SMALL, 2), ...rows(10_000, 30)]);
    const worker = s!.memory.find((m) => m.rows[0]!.strategy === 'worker-threads')!;
    expect(worker.verdict).toBe('bounded');
  });

  it("names each strategy's memory, and any other setting whose memory grows with the input", () => {
    const [s] = scalingOf([
      ...sized(SMALL, {
        'sequential 1': { tp: 4000, mem: 1 },
        'sequential 1 whole-file': { tp: 3000, mem: 4 },
      }),
      ...sized(LARGE, {
        'sequential 1': { tp: 4000, mem: 1.5 },
        'sequential 1 whole-file': { tp: 3000, mem: 400 },
      }),
    ]);
    expect(s!.memory.map((m) => [m.rows[0]!.variant, m.verdict])).toEqual([
      [null, 'bounded'],
      ['whole-file', 'grows with the input'],
    ]);
    expect(s!.summary).toContain('sequential (whole-file) +198.0 MB (4.0 → 400.0 MB), grows with the input');
    // The advice stays on the default path: the variant is never the fastest setting.
    expect(s!.best.rows[0]!.variant).toBeNull();
  });
});

describe('rank changes between sizes', () => {
  it('names a setting that overtakes others beyond noise', () => {
    const [s] = scalingOf([
      ...sized(SMALL, {
        'sequential 1': { tp: 4000 },
        'concurrent 5': { tp: 20_000 },
        'worker-threads 1': { tp: 10_000 },
      }),
      ...sized(LARGE, {
        'sequential 1': { tp: 4000 },
        'concurrent 5': { tp: 10_000 },
        'worker-threads 1': { tp: 48_000 },
      }),
    ]);
    expect(s!.rankChanges!.map((c) => [c.setting.strategy, c.overtakes.map((o) => o.strategy)])).toEqual([
      ['worker-threads', ['concurrent']],
    ]);
    expect(s!.summary).toContain(
      `Rank changes beyond noise from ${fmtInt(SMALL)} to ${fmtInt(LARGE)} items: worker-threads with 1 worker overtakes concurrent with 5 in flight.`,
    );
  });

  it('finds none when the order only changes within noise, and says the fastest moved', () => {
    const [s] = scalingOf([
      ...sized(SMALL, { 'concurrent 5': { tp: 10_100 }, 'worker-threads 1': { tp: 10_000 } }),
      ...sized(LARGE, { 'concurrent 5': { tp: 10_000 }, 'worker-threads 1': { tp: 10_100 } }),
    ]);
    expect(s!.rankChanges).toEqual([]);
    expect(s!.summary).toContain(
      'No setting changes rank beyond noise from 1,000 to 100,000 items (the fastest as measured moves from concurrent with 5 in flight to worker-threads with 1 worker, within noise).',
    );
  });

  it('cannot judge rank changes with one sample per setting', () => {
    const one = { samples: 1 };
    const [s] = scalingOf([
      ...sized(SMALL, { 'concurrent 5': { tp: 20_000, ...one }, 'worker-threads 1': { tp: 10_000, ...one } }),
      ...sized(LARGE, { 'concurrent 5': { tp: 10_000, ...one }, 'worker-threads 1': { tp: 48_000, ...one } }),
    ]);
    expect(s!.rankChanges).toBeNull();
    expect(s!.best.verdict).toBe('unknown');
    // The changes are given as measured, and the noise is said once to be unknown.
    expect(s!.summary).toContain('10,000 → 48,000 items/s (4.8x).');
    expect(s!.summary).toContain('cannot be judged: one sample per setting gives no noise estimate');
  });
});
