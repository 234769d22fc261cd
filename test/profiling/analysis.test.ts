import { describe, expect, it } from 'vitest';
import { analyze, recommend } from '../../src/profiling/analysis.js';
import { classifyFloor } from '../../src/profiling/bottleneck.js';
import type { BenchmarkResult } from '../../src/profiling/result.js';
import { CONFIG, ENVIRONMENT, row } from '../support/analysis-fixtures.js';

const cpuBound = [
  row({ strategy: 'sequential', tp: 2500, elu: 0.96, cpuCores: 1.05, mem: 40 }),
  row({ strategy: 'concurrent', concurrency: 5, tp: 2600, elu: 0.97, cpuCores: 1.1, mem: 48 }),
  row({ strategy: 'concurrent', concurrency: 10, tp: 2550, elu: 0.98, cpuCores: 1.1, mem: 55 }),
  row({
    strategy: 'worker-threads',
    concurrency: 1,
    tp: 2400,
    elu: 0.3,
    workerElu: 0.97,
    cpuCores: 1.1,
    mem: 70,
  }),
  row({
    strategy: 'worker-threads',
    concurrency: 2,
    tp: 4700,
    elu: 0.45,
    workerElu: 0.95,
    cpuCores: 1.9,
    mem: 95,
  }),
  row({ kind: 'floor', strategy: 'read-only', tp: 40_000, elu: 0.4 }),
  row({ kind: 'floor', strategy: 'parse-only', tp: 6000, elu: 1 }),
];

const ioBound = [
  row({ strategy: 'sequential', tp: 1000, elu: 0.2, cpuCores: 0.2, mem: 30 }),
  row({ strategy: 'concurrent', concurrency: 5, tp: 3000, elu: 0.35, cpuCores: 0.4, mem: 34, rme: 6 }),
  row({ strategy: 'concurrent', concurrency: 10, tp: 3150, elu: 0.36, cpuCores: 0.42, mem: 38, rme: 6 }),
  row({
    strategy: 'worker-threads',
    concurrency: 2,
    tp: 2000,
    elu: 0.1,
    workerElu: 0.3,
    cpuCores: 0.5,
    mem: 80,
  }),
  row({ kind: 'floor', strategy: 'read-only', tp: 4000, elu: 0.2 }),
  row({ kind: 'floor', strategy: 'parse-only', tp: 60_000, elu: 1 }),
];

const api = { scenario: 'api-search' as const };
const networkBound = [
  row({ ...api, strategy: 'sequential', tp: 1600, elu: 0.12, cpuCores: 0.15, mem: 30 }),
  row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 7000, elu: 0.4, cpuCores: 0.5, mem: 40 }),
  row({
    ...api,
    strategy: 'concurrent',
    concurrency: 10,
    tp: 9200,
    elu: 0.55,
    cpuCores: 0.7,
    mem: 52,
    rme: 7,
  }),
  row({
    ...api,
    strategy: 'concurrent',
    concurrency: 20,
    tp: 9500,
    elu: 0.6,
    cpuCores: 0.8,
    mem: 70,
    rme: 9,
  }),
  ...[
    [1, 1900],
    [5, 9000],
    [10, 20_000],
    [20, 30_000],
  ].map(([concurrency, tp]) =>
    row({ ...api, kind: 'floor', strategy: 'pages', variant: 'bodies-discarded', concurrency, tp }),
  ),
];

describe('analyze: the bottleneck', () => {
  it('calls a run whose threads are saturated CPU-bound and recommends the worker level that scales', () => {
    const { findings } = analyze(cpuBound, CONFIG, ENVIRONMENT);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.bottleneck).toBe('cpu');
    expect(f.best_strategy).toBe('worker-threads');
    expect(f.recommended_concurrency).toBe(2);
    expect(f.summary).toContain('1.9 of 2 cores busy');
    expect(f.summary).toContain('parsing alone at 6,000 items/s per thread');
  });

  it('calls a run that waits on reads with idle CPU I/O-bound', () => {
    const f = analyze(ioBound, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.bottleneck).toBe('io');
    expect(f.best_strategy).toBe('concurrent');
    expect(f.recommended_concurrency).toBe(5);
    expect(f.summary).toContain('reading alone runs at 4,000 items/s');
  });

  it('calls an API run whose client mostly waits network-bound', () => {
    const f = analyze(networkBound, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.bottleneck).toBe('network');
    expect(f.recommended_concurrency).toBe(10);
    expect(f.summary).toContain('50 ms latency');
    expect(f.summary).toContain('the network and the server: the client mostly waits');
  });

  it("states a real API's latency as the median round trip its probe measured", () => {
    const real = networkBound.map((r) => ({
      ...r,
      dataset: { ...r.dataset, profile: 'real', latency_ms: 84.5 },
    }));
    const f = analyze(real, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain('84.5 ms median round trip');
    expect(f.summary).not.toContain('ms latency');
  });

  it('calls an API run whose main thread is saturated by parsing CPU-bound, not network-bound', () => {
    const parseBound = networkBound.map((r) =>
      r.concurrency >= 10 ? { ...r, event_loop_utilization: 0.92 } : r,
    );
    expect(analyze(parseBound, CONFIG, ENVIRONMENT).findings[0]!.bottleneck).toBe('cpu');
  });

  it('calls a file run near the parse-only ceiling CPU-bound even when its threads are not saturated', () => {
    const rows = [
      row({ strategy: 'sequential', tp: 5000, elu: 0.7, cpuCores: 0.7 }),
      row({ kind: 'floor', strategy: 'read-only', tp: 50_000 }),
      row({ kind: 'floor', strategy: 'parse-only', tp: 6000 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.bottleneck).toBe('cpu');
    expect(f.summary).toContain('83% of the parse-only ceiling');
  });

  it('states the file floor (the slower of reading alone and parsing over the cores) and how much of it the advice reaches', () => {
    // Parsing spread over 2 cores (12,000/s) is slower than reading (40,000/s): the floor is 12,000.
    expect(analyze(cpuBound, CONFIG, ENVIRONMENT).findings[0]!.summary).toContain(
      'the floor (the slower of reading alone and parsing spread over 2 cores) is 12,000 items/s, and this setting reaches 39% of it',
    );
    // Reading (4,000/s) is slower than parsing over 2 cores: the floor is reading alone.
    expect(analyze(ioBound, CONFIG, ENVIRONMENT).findings[0]!.summary).toContain(
      'is 4,000 items/s, and this setting reaches 75% of it',
    );
    // Parsing is the slower part here, and the caller parses every JSON Item on its one thread.
    expect(analyze(cpuBound, CONFIG, ENVIRONMENT).findings[0]!.summary).toContain(
      'parsing alone on one thread (6,000 items/s) bounds every strategy, and this setting reaches 78% of that',
    );
    expect(analyze(ioBound, CONFIG, ENVIRONMENT).findings[0]!.summary).not.toContain('on one thread');
    // Parquet rows are rebuilt in the workers: no one-thread bound is claimed.
    const parquet = cpuBound.map((r) => ({ ...r, scenario: 'parquet' as const }));
    const pq = analyze(parquet, CONFIG, ENVIRONMENT).findings[0]!.summary;
    expect(pq).toContain('is 12,000 items/s');
    expect(pq).not.toContain('on one thread');
    // No floor is claimed for an API run, nor when a floor row is missing.
    expect(analyze(networkBound, CONFIG, ENVIRONMENT).findings[0]!.summary).not.toContain('the floor (');
    const noParse = cpuBound.filter((r) => r.strategy !== 'parse-only');
    expect(analyze(noParse, CONFIG, ENVIRONMENT).findings[0]!.summary).not.toContain('the floor (');
  });

  it('weighs CPU time against the core count it is given', () => {
    const rows = [
      row({ strategy: 'worker-threads', concurrency: 4, tp: 5000, elu: 0.2, workerElu: 0.5, cpuCores: 1.6 }),
    ];
    expect(analyze(rows, CONFIG, { cpus: 2 }).findings[0]!.bottleneck).toBe('cpu');
    expect(analyze(rows, CONFIG, { cpus: 8 }).findings[0]!.bottleneck).toBe('io');
  });

  it('tells the floors apart by their names', () => {
    expect(classifyFloor(row({ kind: 'floor', strategy: 'read-only' }))).toBe('read');
    expect(classifyFloor(row({ kind: 'floor', strategy: 'floor', variant: 'parse-only' }))).toBe('parse');
    expect(classifyFloor(row({ kind: 'floor', strategy: 'pages', variant: 'bodies-discarded' }))).toBe(
      'pages',
    );
    // The one server floor of earlier schema 2 files fetched the same pages, one at a time.
    expect(classifyFloor(row({ kind: 'floor', strategy: 'server', variant: 'raw-pages' }))).toBe('pages');
    expect(classifyFloor(row({ kind: 'floor', strategy: 'something-else' }))).toBeNull();
  });
});

describe("analyze: an API row's ceiling and the server's CPU", () => {
  const summary = (rows: BenchmarkResult[]) => analyze(rows, CONFIG, ENVIRONMENT).findings[0]!.summary;
  /** The networkBound rows with the advised row (concurrent x10) and its ceiling changed. */
  const withAdvised = (over: Partial<BenchmarkResult>, ceiling?: number | null) =>
    networkBound
      .filter((r) => !(ceiling === null && r.kind === 'floor' && r.concurrency === 10))
      .map((r) => {
        if (r.kind === 'ingest' && r.concurrency === 10) return { ...r, ...over };
        if (r.kind === 'floor' && r.concurrency === 10 && ceiling)
          return { ...r, throughput_items_per_sec: ceiling, duration_seconds: 10_000 / ceiling };
        return r;
      });

  it('judges a row against the pages floor measured at its own level, and says what it allows', () => {
    const text = summary(networkBound);
    expect(text).toContain(
      "the server and network allow 20,000 items/s at 10 in flight (the collection's pages fetched, bodies discarded), and this setting reaches 46% of that",
    );
    expect(text).not.toMatch(/1,900|30,000|9,000 items\/s at/);
  });

  it('says a row that beats its ceiling beyond noise is not bound by it, never a share above 100%', () => {
    const text = summary(withAdvised({}, 6000));
    expect(text).toContain(
      "allow 6,000 items/s at 10 in flight (the collection's pages fetched, bodies discarded), yet this setting runs faster beyond noise, so that ceiling is not a bound for it",
    );
    expect(text).not.toMatch(/\d% of that/);
  });

  it('says a row a little above its ceiling, within noise, reaches it', () => {
    expect(summary(withAdvised({}, 9000))).toContain(
      'and this setting reaches that (the difference is within noise)',
    );
  });

  it('claims no ceiling for a level without a pages floor', () => {
    expect(summary(withAdvised({}, null))).not.toContain('the server and network allow');
  });

  it('names the server as the limit when its process is near a full core and the client is not saturated', () => {
    const f = analyze(withAdvised({ server_cpu_seconds: 0.95 * (10_000 / 9200) }), CONFIG, ENVIRONMENT)
      .findings[0]!;
    expect(f.bottleneck).toBe('cpu');
    expect(f.summary).toContain(
      "the limit is the server's CPU: the local API's process used 0.95 s of CPU per second, near the one core its requests run on, while the client is not saturated (0.7 of 2 cores busy, main-thread ELU 0.55, the server 0.95 cores busy); it shares the client's 2 cores",
    );
  });

  it('names the shared cores when client and server together keep them busy and neither is saturated', () => {
    const busy = withAdvised({
      cpu_seconds: 0.9 * (10_000 / 9200),
      server_cpu_seconds: 0.7 * (10_000 / 9200),
    });
    const f = analyze(busy, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.bottleneck).toBe('cpu');
    expect(f.summary).toContain(
      'the limit is the shared cores: client and local server together kept 1.6 of 2 cores busy, neither saturated alone',
    );
  });

  it("keeps the network call, with the server's CPU stated, when the server has CPU to spare", () => {
    const f = analyze(withAdvised({ server_cpu_seconds: 0.3 * (10_000 / 9200) }), CONFIG, ENVIRONMENT)
      .findings[0]!;
    expect(f.bottleneck).toBe('network');
    expect(f.summary).toContain('(0.7 of 2 cores busy, main-thread ELU 0.55, the server 0.30 cores busy)');
  });
});

describe('analyze: the recommended concurrency', () => {
  const curve = (rmes: number[], tps = [1000, 4000, 5000, 5600]) =>
    [1, 5, 10, 20].map((c, i) =>
      row({ strategy: 'concurrent', concurrency: c, tp: tps[i]!, rme: rmes[i]!, elu: 0.5, cpuCores: 0.5 }),
    );

  it('finds the knee of a noisy curve: the smallest level within noise of the best', () => {
    const rec = recommend(curve([6, 10, 16, 18]))!;
    expect(rec.best.concurrency).toBe(20);
    expect(rec.recommended.concurrency).toBe(10);
  });

  it('takes the best level itself when the spread is tight enough to tell the levels apart', () => {
    expect(recommend(curve([1, 1, 1, 1]))!.recommended.concurrency).toBe(20);
  });

  it('does not read a dip after the knee as a reason to go lower than the knee', () => {
    const rec = recommend(curve([3, 6, 8, 10], [1000, 4000, 5200, 5000]))!;
    expect(rec.best.concurrency).toBe(10);
    expect(rec.recommended.concurrency).toBe(10);
  });

  it('prefers sequential when concurrency buys nothing measurable', () => {
    const rows = [
      row({ strategy: 'sequential', tp: 1000, rme: 10 }),
      row({ strategy: 'concurrent', concurrency: 5, tp: 1050, rme: 10 }),
      row({ strategy: 'worker-threads', concurrency: 2, tp: 1080, rme: 10 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.best_strategy).toBe('sequential');
    expect(f.recommended_concurrency).toBe(1);
  });

  it("never advises a Parquet write row, nor names it a faster variant: it measures the sink's writers", () => {
    const rows = [
      row({ scenario: 'parquet', strategy: 'sequential', tp: 1000, rme: 10 }),
      row({ scenario: 'parquet', strategy: 'concurrent', concurrency: 5, tp: 1100, rme: 10 }),
      row({
        scenario: 'parquet',
        strategy: 'sequential',
        variant: 'write-2000:hyparquet-writer',
        tp: 9000,
        rme: 5,
      }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.conditions.variant).toBeUndefined();
    expect(f.summary).not.toMatch(/write-2000/);
  });

  it('tells rows apart when every run of one beat every run of the other, however wide the margins', () => {
    // Measured here under load: 4 samples each, margins inflated by one slow outlier.
    const measured = (strategy: string, c: number, mean: number, rme: number, min: number, max: number) => {
      const r = row({ strategy, concurrency: c, items: 1000, tp: 1000 / mean, rme, samples: 4 });
      r.duration_stats = { ...r.duration_stats!, min, max };
      return r;
    };
    const sequential = measured('sequential', 1, 0.735, 86, 0.23, 1.13);
    const fast = measured('concurrent', 16, 0.155, 31, 0.127, 0.19);
    expect(recommend([sequential, fast])!.recommended.concurrency).toBe(16);
    // With 2 samples each the rows borrow the noise pooled over both: still told apart.
    const fewSamples = [sequential, fast].map((r) => ({ ...r, samples: 2 }));
    expect(recommend(fewSamples)!.recommended.concurrency).toBe(16);
  });

  it('uses the spread of the other rows for single-sample rows', () => {
    const rows = [
      row({ strategy: 'concurrent', concurrency: 5, tp: 4000, samples: 1 }),
      row({ strategy: 'concurrent', concurrency: 10, tp: 4200, samples: 1 }),
      row({ strategy: 'concurrent', concurrency: 20, tp: 3000, rme: 10 }),
    ];
    expect(recommend(rows)!.recommended.concurrency).toBe(5);
  });

  it('says so when no row has any spread and picks the fastest', () => {
    const rows = [
      row({ strategy: 'concurrent', concurrency: 5, tp: 4000, samples: 1 }),
      row({ strategy: 'concurrent', concurrency: 10, tp: 4200, samples: 1 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.recommended_concurrency).toBe(10);
    expect(f.summary).toContain('not enough samples to judge noise');
    expect(f.summary).not.toContain('measurably');
  });
});

describe('analyze: comparisons, memory, conditions, failures', () => {
  it('compares every ingest row that ran with the sequential row of its scenario and dataset', () => {
    const { comparisons } = analyze(cpuBound, CONFIG, ENVIRONMENT);
    expect(comparisons).toHaveLength(4);
    expect(comparisons).toContainEqual({
      scenario: 'directory',
      baseline_strategy: 'sequential',
      strategy: 'worker-threads',
      concurrency: 2,
      speedup: 1.88,
      memory_overhead_mb: 55,
    });
  });

  it('keeps datasets of different sizes apart', () => {
    const rows = [
      row({ ...api, strategy: 'sequential', tp: 100, items: 100 }),
      row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 150, items: 100 }),
      ...networkBound,
    ];
    const { comparisons, findings } = analyze(rows, CONFIG, ENVIRONMENT);
    expect(findings.map((f) => f.conditions.items)).toEqual([100, 10_000]);
    expect(comparisons.find((c) => c.concurrency === 5 && c.speedup === 1.5)).toBeDefined();
  });

  it('compares a variant with the sequential row of the same variant', () => {
    const rows = [
      row({ scenario: 'parquet', strategy: 'sequential', variant: 'hyparquet', tp: 10_000 }),
      row({ scenario: 'parquet', strategy: 'sequential', variant: 'arrow', tp: 5000 }),
      row({ scenario: 'parquet', strategy: 'worker-threads', variant: 'arrow', concurrency: 2, tp: 9000 }),
    ];
    expect(analyze(rows, CONFIG, ENVIRONMENT).comparisons[0]!.speedup).toBe(1.8);
  });

  it('keeps a speedup far below one above zero, as the results schema requires', () => {
    const rows = [
      row({ scenario: 'directory', strategy: 'sequential', tp: 50_000 }),
      row({ scenario: 'directory', strategy: 'worker-threads', concurrency: 2, tp: 10 }),
    ];
    const speedup = analyze(rows, CONFIG, ENVIRONMENT).comparisons[0]!.speedup;
    expect(speedup).toBeGreaterThan(0);
    expect(speedup).toBeCloseTo(10 / 50_000, 6);
  });

  it('states the memory cost of the recommended level and of the highest level', () => {
    const f = analyze(networkBound, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain('+22.0 MB peak memory over sequential');
    expect(f.summary).toContain('(20 in flight: +40.0 MB)');
  });

  it('records the conditions a finding holds for', () => {
    const files = analyze(ioBound, CONFIG, ENVIRONMENT).findings[0]!;
    expect(files.conditions).toMatchObject({ items: 10_000, profile: 'small', cores: 2, page_cache: 'warm' });
    expect(files.summary).toMatch(
      /^For 10,000 small items \(~1.17 KB each\) .* warm page cache on 2 cores, use /,
    );
    const net = analyze(networkBound, CONFIG, ENVIRONMENT).findings[0]!;
    expect(net.conditions).toMatchObject({
      page_size: 100,
      latency_ms: 50,
      catalog: 'local STAC API (same machine)',
    });
  });

  it('leaves failed rows out of the maths and names them in the summary', () => {
    const rows = [
      ...ioBound,
      row({ strategy: 'concurrent', concurrency: 20, error: 'EMFILE: too many open files' }),
    ];
    const { comparisons, findings } = analyze(rows, CONFIG, ENVIRONMENT);
    expect(comparisons.some((c) => c.concurrency === 20)).toBe(false);
    expect(findings[0]!.recommended_concurrency).toBe(5);
    expect(findings[0]!.summary).toContain('directory/10000/concurrent/20 (EMFILE: too many open files)');
  });

  it('makes no finding for a scenario whose rows all failed, and no comparison without a baseline', () => {
    const rows = [
      row({ scenario: 'ndjson', strategy: 'sequential', error: 'boom' }),
      row({ scenario: 'ndjson', strategy: 'concurrent', concurrency: 5, tp: 100 }),
      row({ scenario: 'catalog', strategy: 'sequential', error: 'boom' }),
    ];
    const { comparisons, findings } = analyze(rows, CONFIG, ENVIRONMENT);
    expect(comparisons).toEqual([]);
    expect(findings.map((f) => f.scenario)).toEqual(['ndjson']);
  });

  it('does not change its input', () => {
    const rows = structuredClone(cpuBound);
    analyze(rows, CONFIG, ENVIRONMENT);
    expect(rows).toEqual(cpuBound);
  });
});

describe('advice between the default ingest path and its variants', () => {
  const parquet = { scenario: 'parquet' as const };
  const rows = [
    row({ ...parquet, strategy: 'sequential', tp: 8000, rme: 5, samples: 3 }),
    row({ ...parquet, strategy: 'concurrent', concurrency: 5, tp: 8200, rme: 5, samples: 3 }),
    // A very noisy slow variant: its margin of error would make it "within noise" of anything.
    row({ ...parquet, strategy: 'sequential', variant: 'hyparquet', tp: 1900, rme: 480, samples: 1 }),
  ];

  it('never recommends a noisy variant over the default path', () => {
    const { findings } = analyze(rows, CONFIG, ENVIRONMENT);
    expect(findings[0]!.conditions.variant).toBeUndefined();
    expect(findings[0]!.summary).not.toContain('hyparquet');
    expect(findings[0]!.best_strategy).toBe('sequential');
  });

  it('recommends a variant whose runs all beat every run of the default path', () => {
    const faster = [
      ...rows,
      row({ ...parquet, strategy: 'sequential', variant: 'turbo', tp: 30_000, rme: 3 }),
    ];
    const { findings } = analyze(faster, CONFIG, ENVIRONMENT);
    expect(findings[0]!.conditions.variant).toBe('turbo');
    expect(findings[0]!.summary).toContain('use sequential (turbo)');
  });

  it('prefers the default path to a variant of the same setting within noise', () => {
    const close = [
      row({ ...parquet, strategy: 'sequential', tp: 8000, rme: 5, samples: 3 }),
      row({ ...parquet, strategy: 'sequential', variant: 'whole-file', tp: 8100, rme: 5, samples: 3 }),
      row({
        ...parquet,
        strategy: 'concurrent',
        concurrency: 5,
        variant: 'turbo',
        tp: 8300,
        rme: 5,
        samples: 3,
      }),
    ];
    const { findings } = analyze(close, CONFIG, ENVIRONMENT);
    expect(findings[0]!.conditions.variant).toBeUndefined();
    expect(findings[0]!.best_strategy).toBe('sequential');
  });
});
