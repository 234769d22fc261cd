import { describe, expect, it } from 'vitest';
import { analyze, recommend } from '../../src/profiling/analysis.js';
import type { BenchmarkResult } from '../../src/profiling/result.js';
import { contrast, pooledNoise } from '../../src/profiling/spread.js';
import { CONFIG, ENVIRONMENT, type RowSpec, row } from '../support/analysis-fixtures.js';

/** A row whose runs took exactly `durations` seconds for `items` Items (schema 2 carries them). */
function measured(spec: RowSpec, durations: number[]): BenchmarkResult {
  const items = spec.items ?? 1000;
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  const r = row({ ...spec, items, tp: items / mean, samples: durations.length });
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    ...r,
    duration_seconds: mean,
    duration_stats: { ...r.duration_stats!, min: sorted[0]!, max: sorted.at(-1)!, mean },
    duration_samples: sorted,
  };
}

/** The file benchmark of the issue: `--samples 2` on 1,000 Items, sequential 10x slower than workers. */
const twoSamples = [
  measured({ strategy: 'sequential' }, [0.293, 0.338]),
  measured({ strategy: 'concurrent', concurrency: 5 }, [0.25, 0.29]),
  measured({ strategy: 'worker-threads', concurrency: 1 }, [0.031, 0.035]),
  measured({ strategy: 'worker-threads', concurrency: 4 }, [0.023, 0.032]),
];

describe('the noise rule', () => {
  it('calls 2-sample rows 10x apart different, and does not advise the slow one', () => {
    const [sequential, , , fastest] = twoSamples;
    expect(contrast(fastest!, sequential!, pooledNoise(twoSamples)).verdict).toBe('different');
    const f = analyze(twoSamples, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.best_strategy).toBe('worker-threads');
    expect(f.summary).not.toMatch(/sequential[^;]*within noise/);
  });

  it('pools the noise of every row, so a 2-sample row borrows strength from the others', () => {
    const noise = pooledNoise(twoSamples)!;
    expect(noise.df).toBe(4);
    // Alone, one 2-sample row has a margin of ±12.7 × its spread; pooled over 4 rows t is 2.776.
    expect(noise.sd).toBeGreaterThan(0.05);
    expect(noise.sd).toBeLessThan(0.25);
  });

  it('calls rows whose min–max ranges are apart by more than the noise different even when their means are close to the margin', () => {
    const a = measured({ strategy: 'concurrent', concurrency: 5 }, [1.0, 1.02]);
    const b = measured({ strategy: 'concurrent', concurrency: 10 }, [1.2, 1.22]);
    // A noisy third row widens the pooled noise so the means alone would not tell a and b apart.
    const noisy = measured({ strategy: 'sequential' }, [1.3, 1.66]);
    const noise = pooledNoise([a, b, noisy])!;
    // t(3 df) × sd × sqrt(1/2 + 1/2): the margin on the means, wider than their difference ...
    expect(Math.log(1.21 / 1.01)).toBeLessThan(3.182 * noise.sd);
    // ... while every run of a beat every run of b by more than one run's noise.
    expect(Math.log(1.2 / 1.02)).toBeGreaterThan(noise.sd);
    expect(contrast(a, b, noise).verdict).toBe('different');
  });

  it('neither claims nor denies a difference with 1 sample and nothing to pool', () => {
    const rows = [
      row({ strategy: 'sequential', tp: 1000, samples: 1 }),
      row({ strategy: 'worker-threads', concurrency: 2, tp: 10_000, samples: 1 }),
    ];
    expect(contrast(rows[1]!, rows[0]!, pooledNoise(rows)).verdict).toBe('unknown');
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain('not enough samples to judge noise');
    expect(f.summary).not.toMatch(/measurably|within noise|beyond noise/);
  });

  it('still prefers the cheaper of two settings within the noise', () => {
    const rows = [
      measured({ strategy: 'concurrent', concurrency: 5 }, [1.0, 1.1, 1.2]),
      measured({ strategy: 'concurrent', concurrency: 10 }, [0.98, 1.08, 1.15]),
    ];
    expect(recommend(rows)!.recommended.concurrency).toBe(5);
  });

  it('never advises a cheaper setting that is measurably slower than the best', () => {
    const rows = [
      measured({ strategy: 'sequential' }, [2.0, 2.02, 2.04]),
      measured({ strategy: 'concurrent', concurrency: 5 }, [1.0, 1.01, 1.02]),
    ];
    expect(recommend(rows)!.recommended.strategy).toBe('concurrent');
  });

  it('never advises a setting whose runs were all slower than every run of the fastest, even within wide 2-sample noise', () => {
    // A noisy neighbour widens the pooled noise so sequential (0.60–0.62 s) is "within noise" of
    // concurrent (0.55–0.58 s) on the means; its whole range is still below the fastest's.
    const rows = [
      measured({ strategy: 'sequential' }, [0.6, 0.62]),
      measured({ strategy: 'concurrent', concurrency: 5 }, [0.55, 0.58]),
      measured({ strategy: 'worker-threads', concurrency: 2 }, [0.4, 0.9]),
    ];
    const [sequential, concurrent] = rows;
    expect(contrast(concurrent!, sequential!, pooledNoise(rows)).verdict).toBe('equivalent');
    expect(recommend(rows)!.recommended.strategy).toBe('concurrent');
  });
});

describe('requests are a cost', () => {
  const api = { scenario: 'api-search' as const, items: 10_000 };
  const http = (perThousand: number) => ({
    requests: perThousand * 10,
    retries: 0,
    peak_in_flight: 1,
    requests_per_1000_items: perThousand,
    duplicates_dropped: 0,
  });

  it('does not advise a setting with +300% requests and a 1.3x gain within noise', () => {
    // worker-threads and concurrent are both worth a look; concurrent is the cheaper strategy but
    // partitions the search and makes four times the requests for a gain the noise covers.
    const rows = [
      row({ ...api, strategy: 'worker-threads', concurrency: 2, tp: 1000, rme: 40, http: http(10) }),
      row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 1300, rme: 40, http: http(40) }),
    ];
    const rec = recommend(rows)!;
    expect(contrast(rows[1]!, rows[0]!, rec.noise).verdict).toBe('equivalent');
    expect(rec.recommended.strategy).toBe('worker-threads');
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.best_strategy).toBe('worker-threads');
    expect(f.summary).toContain('40.0 requests per 1,000 Items (+300% over the fewest, 10.0)');
  });

  it('advises a setting with extra requests when it is measurably faster, and states the overhead', () => {
    const rows = [
      row({ ...api, strategy: 'sequential', tp: 1000, rme: 2, http: http(10) }),
      row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 4000, rme: 2, http: http(14) }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.best_strategy).toBe('concurrent');
    expect(f.summary).toContain('14.0 requests per 1,000 Items (+40% over the fewest, 10.0)');
  });

  it('does not count a few extra requests (within ~10%) as a cost', () => {
    const rows = [
      row({ ...api, strategy: 'worker-threads', concurrency: 2, tp: 1000, rme: 40, http: http(10) }),
      row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 1300, rme: 40, http: http(10.5) }),
    ];
    expect(recommend(rows)!.recommended.strategy).toBe('concurrent');
  });
});

describe('ceilings that bound', () => {
  /** Every share of a bound a summary prints: `reaches 116% of that` -> 116. */
  const shares = (text: string) =>
    [...text.matchAll(/(\d[\d,]*)% of/g)].map((m) => Number(m[1]!.replace(/,/g, '')));

  it('never prints a share above 100% of a bound', () => {
    const beats = [
      row({ strategy: 'sequential', tp: 5000, elu: 0.99, cpuCores: 1 }),
      row({
        strategy: 'worker-threads',
        concurrency: 2,
        tp: 58_000,
        elu: 0.9,
        workerElu: 0.8,
        cpuCores: 1.8,
      }),
      row({ kind: 'floor', strategy: 'read-only', tp: 61_000 }),
      row({ kind: 'floor', strategy: 'parse-only', tp: 50_000 }),
    ];
    const near = beats.map((r) =>
      r.strategy === 'worker-threads' ? { ...r, throughput_items_per_sec: 51_000 } : r,
    );
    const noNoise = beats.map((r) => ({ ...r, samples: 1 }));
    for (const rows of [beats, near, noNoise]) {
      const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
      expect(f.summary).toMatch(/% of|not a bound|reaches that|at or above/);
      for (const share of shares(f.summary)) expect(share, f.summary).toBeLessThanOrEqual(100);
    }
  });

  it('says a floor the setting beats beyond noise is not a bound for it, and why', () => {
    const rows = [
      row({
        strategy: 'worker-threads',
        concurrency: 2,
        tp: 58_000,
        elu: 0.9,
        workerElu: 0.8,
        cpuCores: 1.8,
      }),
      row({ kind: 'floor', strategy: 'read-only', tp: 61_000 }),
      row({ kind: 'floor', strategy: 'parse-only', tp: 50_000 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain('runs faster than parsing alone on one thread (50,000 items/s) beyond noise');
    expect(f.summary).toContain('so that floor is not a bound for it');
    expect(f.summary).not.toContain('bounds every strategy');
  });

  it('says a setting a little above a floor, within noise, reaches it', () => {
    const rows = [
      row({
        strategy: 'worker-threads',
        concurrency: 2,
        tp: 51_000,
        elu: 0.9,
        workerElu: 0.8,
        cpuCores: 1.8,
      }),
      row({ kind: 'floor', strategy: 'read-only', tp: 61_000 }),
      row({ kind: 'floor', strategy: 'parse-only', tp: 50_000 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain(
      'bounds every strategy, and this setting reaches that (the difference is within noise)',
    );
  });

  it('says a setting that beats the read floor by overlapping reads is not bound by it', () => {
    const rows = [
      row({ strategy: 'concurrent', concurrency: 10, tp: 9000, elu: 0.4, cpuCores: 0.5 }),
      row({ kind: 'floor', strategy: 'read-only', tp: 6000 }),
      row({ kind: 'floor', strategy: 'parse-only', tp: 60_000 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain(
      'is 6,000 items/s, but this setting runs faster beyond noise, so that floor is not a bound for it (reading alone was timed on one thread, and this setting overlaps its reads)',
    );
  });
});

describe('small truths in the findings', () => {
  it('shows a peak memory below sequential as no more than sequential', () => {
    const rows = [
      row({ strategy: 'sequential', tp: 1000, mem: 30, rme: 2 }),
      row({ strategy: 'worker-threads', concurrency: 1, tp: 5000, mem: 28.4, rme: 2 }),
      row({ strategy: 'worker-threads', concurrency: 4, tp: 4000, mem: 29, rme: 2 }),
    ];
    const f = analyze(rows, CONFIG, ENVIRONMENT).findings[0]!;
    expect(f.summary).toContain('peak memory no more than sequential (4 workers: no more than sequential)');
    expect(f.summary).not.toMatch(/-\d+\.\d MB/);
  });

  it("states a Parquet dataset's compressed bytes per row and its Items' JSON size, labelled", () => {
    const rows = [
      row({ scenario: 'ndjson', strategy: 'sequential', tp: 1000, dataset: { item_bytes_avg: 3500 } }),
      row({ scenario: 'parquet', strategy: 'sequential', tp: 1000, dataset: { item_bytes_avg: 257 } }),
    ];
    const findings = analyze(rows, CONFIG, ENVIRONMENT).findings;
    const pq = findings.find((f) => f.scenario === 'parquet')!;
    expect(pq.summary).toContain('(~257 B per row in Parquet, ~3.42 KB each as JSON)');
    expect(pq.conditions.item_json_bytes_avg).toBe(3500);
    expect(findings.find((f) => f.scenario === 'ndjson')!.summary).toContain('(~3.42 KB each)');
  });
});
