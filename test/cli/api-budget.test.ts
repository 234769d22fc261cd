/**
 * The request budget of `api` against a remote --catalog-url (the local STAC API stands in for a
 * real one): the estimate printed before the run, the refusals (exit 2, one line), --yes, and
 * --max-rps kept by the run's requests. The figures expected are computed with the same pure
 * functions (src/bench/budget.ts) from what the server holds.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_SAMPLES } from '../../src/bench/api-probe.js';
import { estimateRequests } from '../../src/bench/budget.js';
import { apiLevels } from '../../src/bench/cases.js';
import { UsageError } from '../../src/cli/args.js';
import {
  CHECK_REQUESTS,
  checkBudget,
  REAL_API_MAX_ITEMS,
  settingsFromArgs,
} from '../../src/cli/bench-options.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';
import { fmtInt } from '../../src/profiling/format.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { lines, runCli } from '../support/cli-helpers.js';

const ITEMS = 300;
const PAGE = 50;
const LATENCY_MS = 5;
/** Requests sent before the runs: the catalog and collection checks, then the probe. */
const BEFORE = CHECK_REQUESTS + 2 + LATENCY_SAMPLES + 1;

let api: StacApi;
let dir = '';
const host = () => new URL(api.url).host;
const remote = () => ['--catalog-url', api.url, '--collection-id', 'c'];

beforeAll(async () => {
  api = await startStacApi({
    collections: [generatedSource({ id: 'c', count: ITEMS, seed: 4 })],
    pageSize: PAGE,
    latencyMs: LATENCY_MS,
    jitterMs: 0,
  });
  dir = await mkdtemp(join(tmpdir(), 'api-budget-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** The estimate the CLI should print for `args`, from the pure functions. */
function expectedTotal(args: string[], items: number, cut = false): number {
  const s = settingsFromArgs('api', args);
  return estimateRequests({
    levels: apiLevels(s),
    runs: s.samples + s.warmups,
    items,
    pageSize: PAGE,
    cut,
    before: BEFORE,
  }).total;
}

describe('api against a remote catalog, above the request budget', () => {
  it('refuses with one line naming the estimate, the budget and how to proceed (exit 2), before any run', async () => {
    const args = [...remote(), '--request-budget', '10', '--output', join(dir, 'refused.json')];
    api.resetMetrics();
    const r = await runCli(['api', ...args]);
    expect(r.code).toBe(2);
    const levels = apiLevels(settingsFromArgs('api', args)).length;
    expect(lines(r.stderr)).toEqual([
      `benchmark-ingest api: about ${fmtInt(expectedTotal(args, ITEMS))} requests to ${host()} for ${levels} settings × 4 runs ` +
        `of ${ITEMS} Items, ${PAGE} per page: above the request budget of 10; lower --max-items, --samples, ` +
        '--warmups or the levels, raise --request-budget, or give --yes to start anyway',
    ]);
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
    expect(api.metrics().requests).toBe(BEFORE);
  });

  it('answers a wrong --request-budget or --max-rps with one line and exit code 2', async () => {
    for (const [flag, value, message] of [
      ['--request-budget', '0', /--request-budget must be >= 1, got 0/],
      ['--max-rps', 'slow', /--max-rps must be a number, got 'slow'/],
    ] as const) {
      const r = await runCli(['api', ...remote(), flag, value]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('answers --max-rps without --catalog-url with one line and exit code 2', async () => {
    const r = await runCli(['api', '--max-rps', '3']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      'benchmark-ingest api: --max-rps needs --catalog-url (the local API is sized with --test-size)',
    ]);
  });
});

describe('api against a remote catalog with --yes and --max-rps', () => {
  const MAX_RPS = 40;
  const output = () => join(dir, 'run.json');
  const args = () => [
    ...remote(),
    ...['--concurrency', '2', '--workers', '1', '--samples', '1', '--warmups', '0'],
    ...['--request-budget', '5', '--yes', '--max-rps', String(MAX_RPS), '--output', output()],
  ];
  let code = -1;
  let stderr = '';
  let served = 0;
  beforeAll(async () => {
    api.resetMetrics();
    const r = await runCli(['api', ...args()], { timeoutMs: 150_000 });
    code = r.code;
    stderr = r.stderr;
    served = api.metrics().requests;
  }, 160_000);

  it('runs above the budget, saying so with the estimate before it starts', () => {
    expect(code, stderr).toBe(0);
    const total = expectedTotal(args(), ITEMS);
    expect(stderr).toContain(
      `benchmark-ingest api: about ${fmtInt(total)} requests to ${host()} for 3 settings × 1 run of ${ITEMS} Items, ${PAGE} per page: `,
    );
    expect(stderr).toMatch(
      new RegExp(
        `plus ${BEFORE} to check and probe the API; above the request budget of 5, starting anyway \\(--yes\\); ` +
          `at most ${MAX_RPS} per second \\(--max-rps\\): at least \\d+ s\\n`,
      ),
    );
  });

  it('sends no more requests than the estimate', () => {
    expect(served).toBeGreaterThan(BEFORE);
    expect(served).toBeLessThanOrEqual(expectedTotal(args(), ITEMS));
  });

  it('takes at least the time the rate cap implies in every run', async () => {
    const file = JSON.parse(await readFile(output(), 'utf8')) as ResultsFile;
    const rows = file.results.filter((r) => r.kind === 'ingest');
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      const requests = r.http!.requests;
      // A run's requests start one interval apart (1 ms: rounding of the schedule).
      expect(r.duration_samples![0]! * 1000, r.key).toBeGreaterThanOrEqual(
        ((requests - 1) * 1000) / MAX_RPS - 1,
      );
    }
  });

  it('heads the report with the page size and the median round trip the probe measured', async () => {
    const file = JSON.parse(await readFile(output(), 'utf8')) as ResultsFile;
    const d = file.results[0]!.dataset;
    expect(d).toMatchObject({ items: ITEMS, profile: 'real', page_size: PAGE });
    expect(d.latency_ms).toBeGreaterThanOrEqual(LATENCY_MS);
    const report = await readFile(join(dir, 'run_report.md'), 'utf8');
    expect(report).toContain(
      `### STAC API search: ${ITEMS} real items, ${PAGE} per page, ${d.latency_ms} ms median round trip`,
    );
  });
});

describe('checkBudget', () => {
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);

  it('within the budget: one line with the estimate, the probe kept for the runs, the default bound set', async () => {
    logged.length = 0;
    const s = settingsFromArgs('api', remote());
    await checkBudget(s, log);
    expect(s.api.maxItems).toBe(REAL_API_MAX_ITEMS);
    expect(s.api.probe).toMatchObject({ matched: ITEMS, pageSize: PAGE });
    const total = estimateRequests({
      levels: apiLevels(s),
      runs: s.samples + s.warmups,
      items: ITEMS,
      pageSize: PAGE,
      cut: false,
      before: BEFORE,
    }).total;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      new RegExp(
        `^about ${fmtInt(total)} requests to .*; within the request budget of ${fmtInt(s.api.requestBudget)}$`,
      ),
    );
  });

  it('counts a --max-items below the collection as the Items of a run', async () => {
    logged.length = 0;
    const s = settingsFromArgs('api', [...remote(), '--max-items', '120']);
    await checkBudget(s, log);
    expect(logged[0]).toContain(`of 120 of its ${ITEMS} Items`);
  });

  describe('an API that does not count its Items', () => {
    let proxy: Server;
    let url = '';
    beforeAll(async () => {
      // Forwards to the local API and removes every count from its answers.
      proxy = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const upstream = await fetch(new URL(req.url!, api.url), {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        const doc = JSON.parse((await upstream.text()).replaceAll(api.url, url));
        delete doc.numberMatched;
        delete doc.numberReturned;
        delete doc.context;
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

    it('refuses with one line asking for --max-items or --yes (exit 2)', async () => {
      const r = await runCli([
        'api',
        '--catalog-url',
        url,
        '--collection-id',
        'c',
        '--output',
        join(dir, 'n.json'),
      ]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([
        `benchmark-ingest api: ${new URL(url).host} does not count the Items of c (no numberMatched or context.matched), ` +
          "so the run's requests cannot be estimated: give --max-items N to bound them, or --yes to start anyway",
      ]);
    });

    it('estimates from --max-items when given', async () => {
      logged.length = 0;
      const s = settingsFromArgs('api', ['--catalog-url', url, '--collection-id', 'c', '--max-items', '120']);
      await checkBudget(s, log);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^about [\d,]+ requests to .* of 120 Items, 50 per page: /);
    });

    it('starts with --yes, saying the requests were not estimated, bounded by the default', async () => {
      logged.length = 0;
      const s = settingsFromArgs('api', ['--catalog-url', url, '--collection-id', 'c', '--yes']);
      await checkBudget(s, log);
      expect(s.api.maxItems).toBe(REAL_API_MAX_ITEMS);
      expect(logged).toEqual([
        `${new URL(url).host} does not count the Items of c (no numberMatched or context.matched), so the run's ` +
          `requests cannot be estimated; starting anyway (--yes), at most ${fmtInt(REAL_API_MAX_ITEMS)} Items per run`,
      ]);
    });

    it('is a usage error without them', async () => {
      const s = settingsFromArgs('api', ['--catalog-url', url, '--collection-id', 'c']);
      await expect(checkBudget(s, log)).rejects.toThrow(UsageError);
    });
  });
});
