import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateRequests, itemsPerRun, OPENING_REQUESTS, requestsPerRun } from '../../src/bench/budget.js';
import { apiLevels } from '../../src/bench/cases.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { closeApiWorkers, ingestApi } from '../../src/ingest/api/index.js';
import { MIN_PROBES, PARTITIONS_PER_SLOT } from '../../src/ingest/api/search-plan.js';
import { WINDOW } from '../../src/ingest/api/worker-pool.js';
import type { HttpStats, StrategyName } from '../../src/ingest/types.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';

describe('requestsPerRun', () => {
  const pageSize = 10;

  it('is the opening requests and one request per page for sequential', () => {
    expect(requestsPerRun('sequential', 1, 95, pageSize)).toBe(OPENING_REQUESTS + 10);
    expect(requestsPerRun('sequential', 1, 100, pageSize)).toBe(OPENING_REQUESTS + 10);
  });

  it('counts one page for an empty search', () => {
    expect(requestsPerRun('sequential', 1, 0, pageSize)).toBe(OPENING_REQUESTS + 1);
  });

  it('adds nothing for one slot or a search of one page (neither is partitioned)', () => {
    expect(requestsPerRun('worker-threads', 1, 95, pageSize)).toBe(
      requestsPerRun('sequential', 1, 95, pageSize),
    );
    expect(requestsPerRun('concurrent', 20, pageSize, pageSize)).toBe(OPENING_REQUESTS + 1);
  });

  it('adds the first page and a partly used page per partition when slots are fewer than the probed slices', () => {
    const slots = 2;
    expect(MIN_PROBES).toBeGreaterThan(slots);
    const partitions = Math.max(MIN_PROBES, slots * PARTITIONS_PER_SLOT);
    expect(requestsPerRun('worker-threads', slots, 1000, pageSize)).toBe(
      OPENING_REQUESTS + 100 + 1 + partitions,
    );
  });

  it('adds the pages fetched ahead of the consumer when --max-items stops the crawl', () => {
    const slots = 1;
    const whole = requestsPerRun('worker-threads', slots, 95, pageSize);
    expect(requestsPerRun('worker-threads', slots, 95, pageSize, true)).toBe(
      whole + slots * (2 * WINDOW + 1),
    );
    expect(requestsPerRun('sequential', 1, 95, pageSize, true)).toBe(
      requestsPerRun('sequential', 1, 95, pageSize),
    );
    const c = MIN_PROBES;
    expect(requestsPerRun('concurrent', c, c * 5 * pageSize, pageSize, true)).toBe(
      OPENING_REQUESTS + 1 + c * 5 + 2 * c,
    );
  });

  it("counts only the search's first page and the probe round when --max-items stops the crawl within the pages they kept", () => {
    const slots = MIN_PROBES * 2;
    expect(requestsPerRun('concurrent', slots, slots * pageSize, pageSize, true)).toBe(
      OPENING_REQUESTS + 1 + slots,
    );
  });

  it("adds the search's first page and a partly used page per partition", () => {
    const slots = MIN_PROBES * 2;
    expect(requestsPerRun('concurrent', slots, 1000, pageSize)).toBe(
      OPENING_REQUESTS + 100 + 1 + slots * PARTITIONS_PER_SLOT,
    );
  });
});

describe('estimateRequests', () => {
  it('is every level times the runs per level times its requests per run, plus the requests already sent', () => {
    const levels: [StrategyName, number][] = [
      ['sequential', 1],
      ['concurrent', 5],
      ['worker-threads', 2],
    ];
    const per = levels.map(([s, c]) => requestsPerRun(s, c, 1000, 100));
    const e = estimateRequests({ levels, runs: 4, items: 1000, pageSize: 100, cut: false, before: 8 });
    expect(e.total).toBe(8 + 4 * per.reduce((a, b) => a + b, 0));
    expect(e.perRun).toEqual({ min: Math.min(...per), max: Math.max(...per) });
  });

  it('covers the default levels of a benchmark run', () => {
    const settings = mergeSettings({});
    const levels = apiLevels(settings);
    const e = estimateRequests({
      levels,
      runs: settings.samples + settings.warmups,
      items: 1,
      pageSize: 1,
      cut: false,
      before: 0,
    });
    expect(e.total).toBe(levels.length * (settings.samples + settings.warmups) * (OPENING_REQUESTS + 1));
  });
});

describe('itemsPerRun', () => {
  it('is the count capped by --max-items, either alone, or unknown without both', () => {
    expect(itemsPerRun(5000, 1000)).toBe(1000);
    expect(itemsPerRun(300, 1000)).toBe(300);
    expect(itemsPerRun(null, 1000)).toBe(1000);
    expect(itemsPerRun(300, null)).toBe(300);
    expect(itemsPerRun(null, null)).toBeNull();
  });
});

describe('the estimate against the requests runs really send (local STAC API)', () => {
  const COUNT = 900;
  const PAGE = 40;
  let api: StacApi;
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: COUNT, seed: 5 })],
      pageSize: PAGE,
    });
  });
  afterAll(async () => {
    await api.close();
    await closeApiWorkers();
  });

  const LEVELS: [StrategyName, number][] = [
    ['sequential', 1],
    ['concurrent', 4],
    ['concurrent', 20],
    ['worker-threads', 1],
    ['worker-threads', 2],
    ['worker-threads', 4],
  ];
  for (const maxItems of [undefined, COUNT / 3]) {
    it.each(LEVELS)(
      `is not below what %s at %i sends (maxItems ${maxItems ?? 'none'})`,
      async (strategy, concurrency) => {
        const http: HttpStats = { requests: 0, retries: 0, peak_in_flight: 0 };
        let items = 0;
        for await (const _ of ingestApi(api.url, {
          collectionId: 'gen',
          strategy,
          concurrency,
          maxItems,
          http,
        }))
          items++;
        expect(items).toBe(maxItems ?? COUNT);
        const cut = items < COUNT;
        expect(http.requests).toBeLessThanOrEqual(requestsPerRun(strategy, concurrency, items, PAGE, cut));
      },
    );
  }
});
