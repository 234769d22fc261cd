/**
 * Scenario `api-search`: STAC API search ingest with each strategy at its levels, against the local
 * STAC API the globalSetup started in a child process (a small collection of one page and a large
 * one) or against settings.api.catalogUrl, and the local API's pages floor at each of those levels;
 * the rows are src/bench/cases.ts `apiCases`. Against the local API every row also records the
 * server's CPU per run. How each search was split is printed after the file's benches.
 */
import { afterAll, describe, inject } from 'vitest';
import { serverCpuOf } from '../src/bench/api.js';
import { type CollectionPages, collectPages, meanItemBytes } from '../src/bench/api-floor.js';
import { apiCases, byGroup } from '../src/bench/cases.js';
import { selectCases } from '../src/bench/only.js';
import { apiRun, describeReport } from '../src/bench/runs.js';
import type { ApiReport } from '../src/ingest/api/index.js';
import { measuredBench } from '../src/vitest/measured-bench.js';

const api = inject('stacApi');
// Each collection's pages, once, before any measured run: the floors fetch these URLs.
const pages = new Map<string, CollectionPages>();
const itemBytes = new Map<string, number | null>();
if (api?.local) {
  for (const c of api.collections) {
    const collected = await collectPages(api.url, c.id);
    pages.set(c.id, collected);
    itemBytes.set(c.id, meanItemBytes(collected));
  }
}
const serverCpuSeconds = api ? serverCpuOf(api) : undefined;

const reports = new Map<string, ApiReport>();
afterAll(() => {
  for (const [name, r] of reports) process.stderr.write(`[api] ${describeReport(name, r)}\n`);
});

const settings = inject('settings');
for (const [group, cases] of byGroup(selectCases(apiCases(settings, api, itemBytes), settings.only))) {
  describe(group, () => {
    for (const c of cases) measuredBench(c.name, apiRun(c, reports, pages), { ...c.meta, serverCpuSeconds });
  });
}
if (!api) describe.skip('api-search (API benchmarks are off)', () => {});
