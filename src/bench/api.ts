/**
 * The STAC API a benchmark run searches: the local API in a child process serving a small and a
 * large generated collection (settings.api), or the real API named by settings.api.catalogUrl.
 * Knows nothing of vitest: the bench globalSetup calls `prepareBenchApi` and provides the info.
 */

import { readServerCpu } from '../mock-api/control.js';
import { startStacApiProcess } from '../mock-api/process.js';
import { itemsPerRun } from './budget.js';
import type { BenchSettings } from './settings.js';

/** One collection a benchmark searches. */
export interface BenchCollection {
  id: string;
  /** Items it holds (local); a real API: its count capped by maxItems (null: all of them, unknown). */
  items: number | null;
}

/** What bench files receive (`inject('stacApi')`). */
export interface BenchApiInfo {
  url: string;
  /** True for the built-in local API (it has the pages floors), false for a real one. */
  local: boolean;
  /** The local API's control listener: bench files read the server's CPU there (null: a real API). */
  controlUrl: string | null;
  collections: BenchCollection[];
  /** Items per page: the local API's setting, or the page size a real API's probe saw. */
  pageSize: number | null;
  /** The local API's added latency, or the median round trip a real API's probe measured, ms. */
  latencyMs: number | null;
}

export interface PreparedBenchApi {
  info: BenchApiInfo;
  /** Stops the local API; resolves with a one-line summary of what the server did. */
  close(): Promise<string | null>;
}

export const SMALL_ID = 'bench-small';
export const LARGE_ID = 'bench-large';

/**

 * What measuredBench reads around each measured run of an API row (its `serverCpuSeconds`): the
 * local API's CPU so far. Undefined for a real API, whose CPU is not ours to see.
 */
export function serverCpuOf(info: BenchApiInfo): (() => Promise<number>) | undefined {
  const url = info.controlUrl;
  return url ? () => readServerCpu(url) : undefined;
}

/**
 * The local API's collections: a small one (settings.api.smallItems) and one of --test-size items.
 * When the two sizes are equal there is one: their rows would be the same dataset under the same
 * result keys.
 */
export function localCollections(api: BenchSettings['api']): BenchCollection[] {
  if (api.smallItems === api.largeItems) return [{ id: LARGE_ID, items: api.largeItems }];
  return [
    { id: SMALL_ID, items: api.smallItems },
    { id: LARGE_ID, items: api.largeItems },
  ];
}

/** Starts the local API (or describes the real one); null when API benchmarks are off. */
export async function prepareBenchApi(settings: BenchSettings): Promise<PreparedBenchApi | null> {
  const api = settings.api;
  if (!api.enabled) return null;
  if (api.catalogUrl) {
    // The probe before the run (the CLI's checks) measured the page size and the round trip.
    const probe = api.probe;
    return {
      info: {
        url: api.catalogUrl,
        local: false,
        controlUrl: null,
        collections: [{ id: api.collectionId, items: itemsPerRun(probe?.matched ?? null, api.maxItems) }],
        pageSize: probe?.pageSize ?? null,
        latencyMs: probe?.latencyMs ?? null,
      },
      close: async () => null,
    };
  }
  const collections = localCollections(api);
  const server = await startStacApiProcess({
    generated: collections.map((c) => ({
      id: c.id,
      count: c.items ?? 0,
      profile: settings.profile,
      seed: settings.seed,
    })),
    pageSize: api.pageSize,
    latencyMs: api.latencyMs,
    rateLimit: api.rateLimit,
    failRate: api.failRate,
    seed: settings.seed,
    control: true,
  });
  return {
    info: {
      url: server.url,
      local: true,
      controlUrl: server.controlUrl,
      collections,
      pageSize: api.pageSize,
      latencyMs: api.latencyMs,
    },
    close: async () => {
      const m = await server.metrics();
      await server.close();
      const cpu = (m.cpuUserMs + m.cpuSystemMs) / 1000;
      const perPage = m.pages ? (m.pageMs / m.pages).toFixed(2) : '-';
      return (
        `local STAC API served ${m.requests} requests (${m.pages} pages), peak ${m.peakInFlight} in flight, ` +
        `server CPU ${cpu.toFixed(2)} s over ${(m.wallMs / 1000).toFixed(1)} s, ${perPage} ms per page to build`
      );
    },
  };
}
