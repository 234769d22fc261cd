/** `api --catalog-url` reaches a real API as `ingest` does: headers, a token, a narrowed search. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCases } from '../../src/bench/cases.js';
import { publicSettings } from '../../src/bench/settings.js';
import { UsageError } from '../../src/cli/args.js';
import { checkCatalog, settingsFromArgs } from '../../src/cli/bench-options.js';

const REMOTE = ['--catalog-url', 'https://earth-search.test/v1', '--collection-id', 'sentinel-2-l2a'];

describe('api with --header, --token-env and the search flags', () => {
  beforeAll(() => {
    process.env.STAC_BENCH_TEST_TOKEN = 'tok-api-secret';
  });
  afterAll(() => {
    delete process.env.STAC_BENCH_TEST_TOKEN;
  });

  it('takes them for a real catalog and hands them to every search row', () => {
    const s = settingsFromArgs('api', [
      ...REMOTE,
      '--header',
      'X-Team: bench',
      '--token-env',
      'STAC_BENCH_TEST_TOKEN',
      '--datetime',
      '2024-06-01T00:00:00Z/2024-06-30T23:59:59Z',
      '--bbox',
      '5,45,11,48',
    ]);
    expect(s.api.headers).toEqual({ 'x-team': 'bench', authorization: 'Bearer tok-api-secret' });
    expect(s.api.search).toEqual({
      datetime: '2024-06-01T00:00:00Z/2024-06-30T23:59:59Z',
      bbox: [5, 45, 11, 48],
    });
    const info = {
      url: s.api.catalogUrl!,
      local: false,
      controlUrl: null,
      collections: [{ id: 'sentinel-2-l2a', items: 100 }],
      pageSize: 100,
      latencyMs: 50,
    };
    const rows = apiCases(s, info);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.work).toMatchObject({ options: { headers: s.api.headers, search: s.api.search } });
    }
  });

  it('records header names but never their values in the results config', () => {
    const s = settingsFromArgs('api', [...REMOTE, '--token-env', 'STAC_BENCH_TEST_TOKEN']);
    const recorded = JSON.stringify(publicSettings(s));
    expect(recorded).not.toContain('tok-api-secret');
    expect(publicSettings(s).api.headers).toEqual({ authorization: '(hidden)' });
    expect(s.api.headers).toEqual({ authorization: 'Bearer tok-api-secret' });
  });

  it('refuses them without --catalog-url: the local API searches its whole collections', () => {
    expect(() => settingsFromArgs('api', ['--bbox', '0,0,1,1'])).toThrow(UsageError);
    expect(() => settingsFromArgs('api', ['--header', 'X-Key: v'])).toThrow(/need --catalog-url/);
  });

  it('refuses a malformed value with one usage line', () => {
    expect(() => settingsFromArgs('api', [...REMOTE, '--datetime', '2024'])).toThrow(
      /--datetime must be an RFC 3339/,
    );
    expect(() => settingsFromArgs('all', [...REMOTE, '--header', 'no colon'])).toThrow(
      /--header must be 'Name: value'/,
    );
  });
});

describe('the checks before a real API run', () => {
  let server: Server;
  let url: string;
  const seenElsewhere: (string | undefined)[] = [];
  let other: Server;
  beforeAll(async () => {
    other = createServer((req, res) => {
      seenElsewhere.push(req.headers.authorization);
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    server = createServer((req, res) => {
      if (req.url === '/moved') return res.writeHead(302, { location: otherUrl }).end();
      const ok = req.headers.authorization === 'Bearer right';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => other.close(() => r()));
  });

  it("send the user's headers, so an API behind auth answers", async () => {
    await expect(checkCatalog(`${url}/`, 5000, { authorization: 'Bearer right' })).resolves.toBeUndefined();
    await expect(checkCatalog(`${url}/`, 5000)).rejects.toThrow(/answered HTTP 401/);
  });

  it('do not follow a redirect to another host with them', async () => {
    await expect(
      checkCatalog(`${url}/moved`, 5000, { authorization: 'Bearer right' }),
    ).resolves.toBeUndefined();
    expect(seenElsewhere).toEqual([]);
  });
});
