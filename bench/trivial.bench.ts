/**
 * A plumbing check of measuredBench, the globalSetup and the reporter on a trivial workload (parse a
 * few hundred small items held in memory, and start one worker thread from library code; with the
 * local STAC API on, fetch one of its pages and read the server's CPU around each run). It only
 * registers its benches when STAC_BENCH_SELF_TEST is set, so real runs do not carry its rows;
 * STAC_BENCH_SELF_TEST=fail adds a bench that throws in its measured runs and one that throws in
 * warm-up, to check that failures reach the results as errors.
 */
import { appendFileSync } from 'node:fs';
import { describe, inject } from 'vitest';
import { serverCpuOf } from '../src/bench/api.js';
import { measuredBench } from '../src/vitest/measured-bench.js';
import { measuredScenario } from '../src/vitest/measured-scenario.js';
import { squareInWorker } from '../test/support/probe.js';

const mode = process.env.STAC_BENCH_SELF_TEST;
const settings = inject('settings');
const api = inject('stacApi');
const ITEMS = 300;

const lines = Array.from({ length: ITEMS }, (_, i) =>
  JSON.stringify({
    type: 'Feature',
    stac_version: '1.1.0',
    id: `trivial-${i}`,
    properties: { datetime: null },
  }),
);
const dataset = {
  format: 'ndjson',
  items: ITEMS,
  item_bytes_avg: Math.round(lines.reduce((s, l) => s + l.length, 0) / ITEMS),
  profile: 'trivial',
  page_size: null,
  latency_ms: null,
};
const common = { scenario: 'ndjson', dataset, samples: settings.samples, warmups: settings.warmups } as const;

async function parseAll(): Promise<{ items: number }> {
  let items = 0;
  for (const line of lines) {
    if ((JSON.parse(line) as { type?: string }).type === 'Feature') items++;
    if (items % 100 === 0) await Promise.resolve();
  }
  return { items };
}

describe.runIf(mode)('self-test (trivial workload)', () => {
  measuredBench('trivial parse sequential', parseAll, { ...common, strategy: 'sequential', concurrency: 1 });

  measuredBench(
    'trivial worker',
    async () => {
      const square = await squareInWorker(ITEMS);
      if (square !== ITEMS * ITEMS) throw new Error(`worker answered ${square}`);
      return { items: ITEMS, workerElu: null };
    },
    { ...common, strategy: 'worker-threads', concurrency: 1 },
  );

  // Each run allocates and touches 64 MB and drops it: the row must still read >= 60 MB (the
  // garbage of earlier runs is collected before each run, so its release does not offset this one).
  measuredBench(
    'trivial 64 MB allocation',
    async () => {
      const block = new Uint8Array(64 * 1024 * 1024).fill(1);
      return { items: block[block.length - 1]! * ITEMS };
    },
    { ...common, strategy: 'sequential', variant: 'alloc-64mb', concurrency: 1 },
  );

  if (api?.local) {
    const first = api.collections[0]!;
    measuredBench(
      'trivial local API page',
      async () => {
        const res = await fetch(`${api.url}/collections/${first.id}/items`);
        const page = (await res.json()) as { numberReturned: number };
        return { items: page.numberReturned };
      },
      {
        scenario: 'api-search',
        dataset: { ...dataset, format: 'stac-api', items: first.items ?? 0 },
        samples: settings.samples,
        warmups: settings.warmups,
        strategy: 'sequential',
        concurrency: 1,
        serverCpuSeconds: serverCpuOf(api),
      },
    );
  }

  if (mode === 'fail') {
    let calls = 0;
    measuredBench(
      'trivial failing run',
      async () => {
        calls++;
        if (calls > settings.warmups) throw new Error('measured run failed on purpose');
        return parseAll();
      },
      { ...common, strategy: 'concurrent', concurrency: 2 },
    );
    measuredBench(
      'trivial failing warm-up',
      async () => {
        throw new Error('warm-up failed on purpose');
      },
      { ...common, strategy: 'concurrent', concurrency: 3, warmups: Math.max(1, settings.warmups) },
    );
  }

  // Two rows and a floor measured between them: every run appends its name to the log.
  const log = process.env.STAC_BENCH_SELF_TEST_LOG;
  const logged = (name: string) => async () => {
    if (log) appendFileSync(log, `${name}\n`);
    return parseAll();
  };
  const scenarioRow = (name: string, kind: 'ingest' | 'floor', strategy: string) => ({
    name: `trivial scenario ${name}`,
    meta: { ...common, kind, strategy, concurrency: 1, variant: `scenario-${name}` },
    work: logged(name),
  });
  measuredScenario(
    [
      scenarioRow('a', 'ingest', 'sequential'),
      scenarioRow('floor', 'floor', 'parse-only'),
      scenarioRow('b', 'ingest', 'sequential'),
    ],
    (c) => ({ run: c.work }),
  );
});
