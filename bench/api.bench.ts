/**
 * Scenario `api-search`: STAC API search ingest with each strategy at its levels, against the local
 * STAC API the globalSetup started in a child process (a small collection of one page and a large
 * one) or against settings.api.catalogUrl. Every run counts the Items it received and reports the
 * HTTP counters; against the local API a floor row (`server`, kind 'floor') times every page
 * fetched one after another and read without parsing.
 */
import { afterAll, describe, inject } from 'vitest';
import { type ApiReport, ingestApi, newApiReport } from '../src/ingest/api/index.js';
import { FailureCollector, type HttpStats, newIngestStats, type StrategyName } from '../src/ingest/types.js';
import type { BenchCollection, BenchApiInfo } from '../src/bench/api.js';
import { fetchRawPages, pageHead } from '../src/bench/api-floor.js';
import type { DatasetInfo } from '../src/profiling/result.js';
import { measuredBench } from '../src/vitest/measured-bench.js';

const settings = inject('settings');
const api = inject('stacApi');

/** Mean bytes of one item, from the first page of the collection (local API only). */
async function itemBytes(info: BenchApiInfo, c: BenchCollection): Promise<number | null> {
  if (!info.local) return null;
  const url = `${info.url}/collections/${encodeURIComponent(c.id)}/items`;
  const text = await (await fetch(url)).text();
  const n = pageHead(text, url).numberReturned ?? 0;
  return n ? Math.round(text.length / n) : null;
}

/**
 * `concurrent` at 1 is not measured: with one slot it plans no partitions and runs the
 * `sequential` code path exactly (same requests, one after another), so its row would repeat the
 * sequential row at the cost of ~25 s of a 10,000-item run.
 */
function levels(): [StrategyName, number][] {
  return [
    ['sequential', 1],
    ...settings.concurrency.filter((c) => c > 1).map((c): [StrategyName, number] => ['concurrent', c]),
    ...settings.workers.map((w): [StrategyName, number] => ['worker-threads', w]),
  ];
}

/** The last run's report per bench: how the search was split (printed after the file's benches). */
const reports = new Map<string, ApiReport>();

function describeReport(name: string, r: ApiReport): string {
  const items = r.partitions.map((p) => p.items).sort((a, b) => a - b);
  const mid = items[Math.floor(items.length / 2)] ?? 0;
  return (
    `${name}: ${r.method} ${r.partitions.length} partition(s), items per partition ` +
    `min ${items[0] ?? 0} / median ${mid} / max ${items.at(-1) ?? 0}, ${r.probes} probes, ` +
    `${r.duplicatesDropped} duplicates dropped`
  );
}

afterAll(() => {
  for (const [name, r] of reports) process.stderr.write(`[api] ${describeReport(name, r)}\n`);
});

async function ingestRun(
  info: BenchApiInfo,
  c: BenchCollection,
  strategy: StrategyName,
  concurrency: number,
) {
  const http: HttpStats = { requests: 0, retries: 0, peak_in_flight: 0 };
  const report = newApiReport();
  const failures = new FailureCollector();
  const stats = newIngestStats();
  let items = 0;
  const maxItems = info.local ? undefined : (settings.api.maxItems ?? undefined);
  for await (const _item of ingestApi(info.url, {
    collectionId: c.id,
    strategy,
    concurrency,
    maxItems,
    http,
    failures,
    stats,
    report,
    // A real API: the levels asked for are the user's explicit choice.
    maxRemoteConcurrency: Math.max(...settings.concurrency, ...settings.workers),
  })) {
    items++;
  }
  reports.set(`${c.id} ${strategy} x${concurrency}`, report);
  return { items, http, failures: failures.count, workerElu: stats.workerElu };
}

async function register(info: BenchApiInfo): Promise<void> {
  for (const c of info.collections) {
    const dataset: DatasetInfo = {
      format: 'stac-api',
      items: c.items ?? 0,
      item_bytes_avg: await itemBytes(info, c),
      profile: info.local ? settings.profile : 'real',
      page_size: info.pageSize,
      latency_ms: info.latencyMs,
    };
    const common = {
      scenario: 'api-search',
      dataset,
      samples: settings.samples,
      warmups: settings.warmups,
    } as const;
    describe(`api-search ${c.id}`, () => {
      for (const [strategy, concurrency] of levels()) {
        measuredBench(
          `api-search ${c.id} ${strategy} x${concurrency}`,
          () => ingestRun(info, c, strategy, concurrency),
          {
            ...common,
            strategy,
            concurrency,
          },
        );
      }
      if (info.local) {
        measuredBench(
          `api-search ${c.id} server floor`,
          async () => {
            const raw = await fetchRawPages(info.url, c.id);
            return { items: raw.items, http: { requests: raw.pages, retries: 0, peak_in_flight: 1 } };
          },
          // No warm-up: the floor parses nothing (no JIT to warm) and a run is mostly latency.
          { ...common, warmups: 0, kind: 'floor', strategy: 'server', variant: 'raw-pages', concurrency: 1 },
        );
      }
    });
  }
}

if (api) await register(api);
else describe.skip('api-search (API benchmarks are off)', () => {});
