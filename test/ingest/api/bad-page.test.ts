/**
 * A page that cannot be read (invalid JSON, a next link that loops or cannot be followed) ends the
 * crawl with its error, but never before every Item already received reached the consumer.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpResponse, http, type RequestHandler } from 'msw';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/ingest.js';
import {
  type ApiIngestOptions,
  closeApiWorkers,
  ingestApi,
  newApiReport,
  RepeatedNextError,
} from '../../../src/ingest/api/index.js';
import type { StrategyName } from '../../../src/ingest/types.js';
import { generatedSource } from '../../../src/mock-api/catalog.js';
import { type ServedHandlers, serveHandlers, stacApiHandlers } from '../../../src/mock-api/handlers.js';
import type { StacItem } from '../../../src/stac/item.js';

const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');

const RUNS: [StrategyName, number][] = [
  ['sequential', 1],
  ['concurrent', 4],
  ['worker-threads', 2],
];

let served: ServedHandlers | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});
afterAll(() => closeApiWorkers());

/** The local API's msw handlers for `count` generated items in 'c1' (page size 20), `overrides` first. */
async function serve(overrides: (url: string) => RequestHandler[], count = 600): Promise<string> {
  served = await serveHandlers(async (url) => {
    const { handlers } = await stacApiHandlers(url, [generatedSource({ id: 'c1', count, seed: 5 })], {
      pageSize: 20,
    });
    return [...overrides(url), ...handlers];
  });
  return served.url;
}

/** The paging token of a search request (GET query or POST body), or null for a first page. */
async function tokenOf(request: Request): Promise<string | null> {
  if (request.method === 'POST') {
    const body = (await request.clone().json()) as { token?: string };
    return body.token ?? null;
  }
  return new URL(request.url).searchParams.get('token');
}

/**
 * Answers the first search request that carries a paging token (a page after a first page) with
 * invalid JSON, `delayMs` late; `served` resolves once it was sent. Every other request falls through.
 */
function badSecondPage(delayMs: number) {
  let sent = false;
  let resolve!: () => void;
  const served = new Promise<void>((r) => {
    resolve = r;
  });
  const handler = (url: string) =>
    http.all(`${url}/search`, async ({ request }) => {
      if (sent || (await tokenOf(request)) === null) return undefined;
      sent = true;
      await sleep(delayMs);
      setTimeout(resolve, 0);
      return new HttpResponse('{"type":"FeatureCollection","features":[{"id":', {
        status: 200,
        headers: { 'content-type': 'application/geo+json' },
      });
    });
  return { handler, served };
}

const feature = (id: string) => ({
  type: 'Feature',
  id,
  properties: { datetime: null },
  links: [],
  assets: {},
});

/** Search answers: a first page holding 'a' and linking with `next`; the page at token 'p2' holds 'b'. */
function handMade(url: string, next: (url: string) => Record<string, unknown>) {
  return http.all(`${url}/search`, async ({ request }) => {
    const second = (await tokenOf(request)) === 'p2';
    return HttpResponse.json({
      type: 'FeatureCollection',
      features: [feature(second ? 'b' : 'a')],
      links: [{ rel: 'next', ...next(url) }],
    });
  });
}

async function collect(
  url: string,
  options: ApiIngestOptions,
  onItem: (count: number) => Promise<void> = async () => {},
): Promise<{ items: StacItem[]; error: unknown }> {
  const items: StacItem[] = [];
  try {
    for await (const item of ingestApi(url, { collectionId: 'c1', backoffMs: 20, retries: 1, ...options })) {
      items.push(item);
      await onItem(items.length);
    }
  } catch (e) {
    return { items, error: e };
  }
  return { items, error: null };
}

const ids = (items: StacItem[]) => items.map((i) => i.id).sort();

describe('a page that cannot be read', () => {
  it.each(RUNS)(
    '%s at %i delivers every Item it received before a page of invalid JSON, then raises its error',
    async (strategy, concurrency) => {
      const bad = badSecondPage(150);
      const url = await serve((u) => [bad.handler(u)]);
      const report = newApiReport();
      const pages = () => report.partitions.reduce((sum, p) => sum + p.pages, 0);
      let atFirst = -1;
      let paused = false;
      // A consumer that stops pulling once pages beyond the first ones arrive, until the bad page
      // was answered: pages received meanwhile wait in the strategy's buffers when the error comes.
      const { items, error } = await collect(url, { strategy, concurrency, report }, async () => {
        if (atFirst < 0) atFirst = pages();
        else if (!paused && pages() > atFirst) {
          paused = true;
          await bad.served;
          await sleep(100);
        }
      });
      expect(String(error)).toMatch(/the answer is not JSON/);
      expect(items.length).toBeGreaterThan(0);
      expect(new Set(ids(items)).size).toBe(items.length);
      const received = report.partitions.reduce((sum, p) => sum + p.items, 0);
      expect(items.length).toBe(received - report.duplicatesDropped);
    },
  );

  it.each(RUNS)(
    '%s at %i delivers the page whose next link repeats before raising RepeatedNextError',
    async (strategy, concurrency) => {
      const url = await serve((u) => [
        handMade(u, (v) => ({ href: `${v}/search`, method: 'POST', body: { token: 'p2' }, merge: true })),
      ]);
      const { items, error } = await collect(url, { strategy, concurrency }, () => sleep(20));
      expect(error).toBeInstanceOf(RepeatedNextError);
      expect([...new Set(ids(items))]).toEqual(['a', 'b']);
      expect(items).toHaveLength(2);
    },
  );

  it.each(RUNS)(
    '%s at %i delivers the page whose next link is not an http(s) URL before refusing to follow it',
    async (strategy, concurrency) => {
      for (const href of ['http://[not-a-host/search', 'file:///etc/passwd']) {
        const url = await serve((u) => [handMade(u, () => ({ href }))]);
        const { items, error } = await collect(url, { strategy, concurrency });
        expect(String(error)).toMatch(/next link .* is not an http\(s\) URL/);
        expect(ids(items)).toEqual(['a']);
        await served?.close();
        served = null;
      }
    },
  );
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('benchmark-ingest ingest from a STAC API with a bad page', () => {
  it.each(RUNS)(
    '%s at %i writes the Items received before the bad page, says how far it got and why, and exits 1',
    async (strategy, concurrency) => {
      const bad = badSecondPage(0);
      const url = await serve((u) => [bad.handler(u)]);
      const out = capture();
      const err = capture();
      const code = await run(
        [url, '--collection-id', 'c1', '--strategy', strategy, '--concurrency', String(concurrency)],
        { stdout: out.stream, stderr: err.stream },
      );
      expect(code).toBe(1);
      const lines = out.text().trimEnd().split('\n');
      const summary =
        /^ingested (\d+) items .*, (\d+) pages?\nstopped early after (\d+) items from (\d+) pages?: .*the answer is not JSON/.exec(
          err.text(),
        );
      expect(summary, err.text()).not.toBeNull();
      expect(Number(summary![1])).toBeGreaterThan(0);
      expect(lines).toHaveLength(Number(summary![1]));
      expect(summary![3]).toBe(summary![1]);
      expect(new Set(lines.map((l) => (JSON.parse(l) as StacItem).id)).size).toBe(lines.length);
    },
  );

  it('writes the first page on the real command line before exiting 1 with the reason, no stack trace', async () => {
    const bad = badSecondPage(0);
    const url = await serve((u) => [bad.handler(u)]);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'ingest', url, '--collection-id', 'c1'],
        { timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(20);
    expect(r.stderr).toMatch(
      /^ingested 20 items .*, 1 page\nstopped early after 20 items from 1 page: POST /,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
