import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_SAMPLES, probeApi } from '../../src/bench/api-probe.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';

describe('probeApi', () => {
  const COUNT = 130;
  const PAGE = 25;
  const LATENCY = 20;
  let api: StacApi;
  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: COUNT, seed: 2 })],
      pageSize: PAGE,
      latencyMs: LATENCY,
      jitterMs: 0,
    });
  });
  afterAll(() => api.close());

  it('finds the count, the page size of the runs search and a round trip no shorter than the latency', async () => {
    api.resetMetrics();
    const probe = await probeApi(api.url, 'gen', { maxItems: 1000 });
    expect(probe.matched).toBe(COUNT);
    expect(probe.pageSize).toBe(PAGE);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(LATENCY);
    // The landing page, the collection, the one-item searches and a first page: all counted.
    expect(probe.requests).toBe(2 + LATENCY_SAMPLES + 1);
    expect(api.metrics().requests).toBe(probe.requests);
  });

  it('sees the page size the runs ask for when --max-items is below a default page', async () => {
    const probe = await probeApi(api.url, 'gen', { maxItems: 7 });
    expect(probe.pageSize).toBe(7);
  });

  it('counts the Items of the search the runs send when it is narrowed (--datetime, --bbox)', async () => {
    const narrowed = await probeApi(api.url, 'gen', { maxItems: 1000, search: { bbox: [0, 0, 180, 90] } });
    expect(narrowed.matched).toBeGreaterThan(0);
    expect(narrowed.matched).toBeLessThan(COUNT);
  });

  it('fails naming the collection when the API does not have it', async () => {
    await expect(probeApi(api.url, 'nope', { maxItems: 10 })).rejects.toThrow(/collection 'nope' not found/);
  });
});
