/**
 * `ingest` against a STAC API as people reach one: headers and a token from the environment, and
 * the search narrowed by --bbox, --datetime, --query and --filter. The local STAC API stands in for
 * Earth Search (it honours bbox and datetime); a recording server shows what is sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseIngestArgs } from '../../src/cli/commands/ingest.js';
import { firstRequest } from '../../src/ingest/api/endpoint.js';
import { type ApiReport, closeApiWorkers, ingestApi, newApiReport } from '../../src/ingest/api/index.js';
import { itemTimeRange } from '../../src/ingest/api/time.js';
import type { StrategyName } from '../../src/ingest/types.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { type StacApi, startStacApi } from '../../src/mock-api/server.js';
import type { StacItem } from '../../src/stac/item.js';
import { lines, runCli } from '../support/cli-helpers.js';

const API = 'https://api.test/v1';
const usage = (argv: string[]) => {
  try {
    parseIngestArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no usage error');
};

describe('ingest --header and --token-env', () => {
  beforeAll(() => {
    process.env.STAC_TEST_TOKEN = 't0ken';
    delete process.env.STAC_TEST_UNSET;
  });
  afterAll(() => {
    delete process.env.STAC_TEST_TOKEN;
  });

  it('sends each --header and the token of --token-env as Authorization: Bearer', () => {
    const { options } = parseIngestArgs([
      API,
      '--header',
      'X-Api-Key: k1',
      '--header',
      'Accept-Language:fr',
      '--token-env',
      'STAC_TEST_TOKEN',
    ]);
    expect(options.headers).toEqual({
      'x-api-key': 'k1',
      'accept-language': 'fr',
      authorization: 'Bearer t0ken',
    });
  });

  it('refuses a header without a colon, a bad name, a line break or a name twice, never quoting the value', () => {
    expect(usage([API, '--header', 'Authorization Bearer secret1'])).toBe(
      "--header must be 'Name: value' (a name, a colon, a value)",
    );
    expect(usage([API, '--header', 'bad name: v'])).toMatch(/not a header name/);
    const broken = usage([API, '--header', 'X-Key: secret2\r\nX-Evil: 1']);
    expect(broken).toMatch(/'X-Key': the value holds a line break/);
    expect(broken).not.toMatch(/secret2|Evil/);
    expect(usage([API, '--header', 'Host: other.test'])).toMatch(/set by the HTTP client/);
    expect(usage([API, '--header', 'Authorization: Basic x', '--token-env', 'STAC_TEST_TOKEN'])).toMatch(
      /Authorization' is given twice/,
    );
  });

  it('refuses --token-env naming a variable that is not set, and headers for a local source', () => {
    expect(usage([API, '--token-env', 'STAC_TEST_UNSET'])).toBe(
      '--token-env STAC_TEST_UNSET: the variable is not set or empty',
    );
    expect(usage(['items/', '--header', 'X-Key: v'])).toMatch(/apply to remote sources/);
  });
});

describe('ingest --bbox, --datetime, --query and --filter', () => {
  it('passes them through as STAC search parameters, the filter as cql2-json', () => {
    const filter = { op: '<', args: [{ property: 'eo:cloud_cover' }, 10] };
    const { options } = parseIngestArgs([
      API,
      '--bbox',
      '5.5,45,10.5,48',
      '--datetime',
      '2024-01-01T00:00:00Z/..',
      '--query',
      '{"eo:cloud_cover":{"lt":10}}',
      '--filter',
      JSON.stringify(filter),
    ]);
    expect(options.search).toEqual({
      bbox: [5.5, 45, 10.5, 48],
      datetime: '2024-01-01T00:00:00Z/..',
      query: { 'eo:cloud_cover': { lt: 10 } },
      filter,
      'filter-lang': 'cql2-json',
    });
  });

  it('refuses a bbox, datetime or JSON that is malformed, in one line each', () => {
    expect(usage([API, '--bbox', '1,2,3'])).toMatch(/--bbox must be 4 numbers/);
    expect(usage([API, '--bbox', '0,50,10,40'])).toMatch(/south 50 is above north 40/);
    expect(usage([API, '--bbox', '0,0,190,10'])).toMatch(/within -180,-90,180,90/);
    expect(usage([API, '--datetime', '2024-13-45'])).toMatch(/RFC 3339/);
    expect(usage([API, '--datetime', '../..'])).toMatch(/open at both ends/);
    expect(usage([API, '--datetime', '2024-02-01T00:00:00Z/2024-01-01T00:00:00Z'])).toMatch(
      /ends before it starts/,
    );
    expect(usage([API, '--query', '{"a":'])).toBe(
      '--query must be a JSON object (invalid JSON: unexpected end of input)',
    );
    expect(usage([API, '--filter', '[1]'])).toBe('--filter must be a JSON object, got an array');
    expect(usage(['https://x.test/catalog.json', '--bbox', '0,0,1,1'])).toMatch(/not a JSON document/);
  });

  it('is one line on stderr and exit 2 from the command', async () => {
    const run = await runCli(['ingest', API, '--datetime', 'yesterday']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ingest of the local STAC API, narrowed', () => {
  let api: StacApi;
  let all: StacItem[];
  /** An interval holding about the middle third of the collection's Items. */
  let interval: string;
  let inside: string[];

  beforeAll(async () => {
    api = await startStacApi({
      collections: [generatedSource({ id: 'gen', count: 300, seed: 7 })],
      pageSize: 25,
    });
    all = [];
    for await (const i of ingestApi(api.url, { collectionId: 'gen' })) all.push(i);
    const times = all.map((i) => itemTimeRange(i).start).sort((a, b) => a - b);
    const [a, b] = [times[100]!, times[200]!];
    interval = `${new Date(a).toISOString()}/${new Date(b).toISOString()}`;
    inside = all
      .filter((i) => {
        const t = itemTimeRange(i);
        return t.start <= b && t.end >= a;
      })
      .map((i) => i.id)
      .sort();
  });
  afterAll(async () => {
    await api.close();
    await closeApiWorkers();
  });

  it('writes only the Items of --datetime', async () => {
    const run = await runCli(['ingest', api.url, '--collection-id', 'gen', '--datetime', interval]);
    expect(run.code).toBe(0);
    const ids = lines(run.stdout)
      .map((l) => (JSON.parse(l) as StacItem).id)
      .sort();
    expect(ids).toEqual(inside);
    expect(ids.length).toBeLessThan(all.length);
  });

  it('writes fewer Items with --bbox, each intersecting the box', async () => {
    const box = [0, 0, 180, 90];
    const run = await runCli(['ingest', api.url, '--collection-id', 'gen', '--bbox', box.join(',')]);
    expect(run.code).toBe(0);
    const items = lines(run.stdout).map((l) => JSON.parse(l) as StacItem);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThan(all.length);
    for (const i of items) expect(Math.min(i.bbox?.[2] ?? -1, i.bbox?.[3] ?? -1)).toBeGreaterThanOrEqual(0);
  });

  it.each<[StrategyName, number]>([
    ['concurrent', 4],
    ['worker-threads', 2],
  ])(
    '%s x%i splits within --datetime and yields exactly the Items sequential does',
    async (strategy, concurrency) => {
      const report: ApiReport = newApiReport();
      const ids: string[] = [];
      for await (const i of ingestApi(api.url, {
        collectionId: 'gen',
        strategy,
        concurrency,
        search: { datetime: interval, limit: 10 },
        report,
      }))
        ids.push(i.id);
      expect(ids.sort()).toEqual(inside);
      const [lo, hi] = interval.split('/').map((t) => Date.parse(t));
      const slices = report.partitions.filter((p) => !p.datetime.startsWith('first page'));
      expect(slices.length).toBeGreaterThan(1);
      for (const p of slices) {
        const [s, e] = p.datetime.split('/').map((t) => Date.parse(t));
        expect(s).toBeGreaterThanOrEqual(lo!);
        expect(e).toBeLessThanOrEqual(hi!);
      }
    },
  );
});

describe('ingest --token-env against a server', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const body =
        req.url === '/'
          ? { type: 'Catalog', id: 'x', links: [{ rel: 'search', href: '/search', method: 'GET' }] }
          : { type: 'FeatureCollection', features: [], links: [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the token and never prints it', async () => {
    const run = await runCli(['ingest', url, '--token-env', 'MY_STAC_TOKEN', '--header', 'X-Team: bench'], {
      env: { MY_STAC_TOKEN: 'tok-123-secret' },
    });
    expect(run.code).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    for (const h of seen) {
      expect(h.authorization).toBe('Bearer tok-123-secret');
      expect(h['x-team']).toBe('bench');
    }
    expect(run.stdout + run.stderr).not.toContain('tok-123-secret');
  });
});

describe('the search parameters on the wire', () => {
  const endpoint = {
    rootUrl: 'https://api.test/',
    searchUrl: 'https://api.test/search',
    itemsRoute: false,
    collectionId: 'c',
    collection: null,
    local: false,
  };
  const filter = { op: '=', args: [{ property: 'platform' }, 'sentinel-2a'] };
  const search = {
    bbox: [1, 2, 3, 4],
    datetime: '2024-01-01T00:00:00Z/..',
    filter,
    'filter-lang': 'cql2-json',
  };

  it('go in the POST body as given', () => {
    expect(firstRequest({ ...endpoint, method: 'POST' }, search).body).toEqual({
      collections: ['c'],
      ...search,
    });
  });

  it('go in the GET query string, the filter as its JSON', () => {
    const url = new URL(firstRequest({ ...endpoint, method: 'GET' }, search).url);
    expect(url.searchParams.get('bbox')).toBe('1,2,3,4');
    expect(url.searchParams.get('datetime')).toBe('2024-01-01T00:00:00Z/..');
    expect(JSON.parse(url.searchParams.get('filter')!)).toEqual(filter);
    expect(url.searchParams.get('filter-lang')).toBe('cql2-json');
  });
});
