/**
 * The caller's headers reach the API's own origin and nothing else; requests honour HTTP_PROXY and
 * NO_PROXY. Real loopback servers: a tiny STAC API whose `next` link and redirect point at another
 * origin, and a proxy that counts what passes through it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/index.js';
import type { StacItem } from '../../../src/stac/item.js';

const SECRET = 'Bearer s3cret-token';

function item(id: string): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [],
    assets: {},
  };
}

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

let api: Server;
let other: Server;
let apiUrl: string;
let otherUrl: string;
const seenByApi: Seen[] = [];
const seenByOther: Seen[] = [];

beforeAll(async () => {
  other = createServer((req, res) => {
    seenByOther.push({ path: req.url!, headers: req.headers });
    const page = { type: 'FeatureCollection', features: [item('elsewhere')], links: [] };
    res.writeHead(200, { 'content-type': 'application/geo+json' }).end(JSON.stringify(page));
  });
  otherUrl = await listen(other);
  api = createServer((req, res) => {
    seenByApi.push({ path: req.url!, headers: req.headers });
    const url = new URL(req.url!, apiUrl);
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/') {
      return json({
        type: 'Catalog',
        id: 'api',
        links: [{ rel: 'search', href: `${apiUrl}/search`, method: 'GET' }],
      });
    }
    if (url.pathname === '/search' && !url.searchParams.has('page')) {
      // The next page is on this origin; the one after is on another host.
      return json({
        type: 'FeatureCollection',
        features: [item('a')],
        links: [{ rel: 'next', href: `${apiUrl}/search?page=2` }],
      });
    }
    if (url.pathname === '/search') {
      return json({
        type: 'FeatureCollection',
        features: [item('b')],
        links: [{ rel: 'next', href: `${otherUrl}/search?page=3` }],
      });
    }
    if (url.pathname.startsWith('/moved')) return res.writeHead(302, { location: `${otherUrl}/` }).end();
    res.writeHead(404).end();
  });
  apiUrl = await listen(api);
});

afterAll(async () => {
  await close(api);
  await close(other);
});

afterEach(() => {
  seenByApi.length = 0;
  seenByOther.length = 0;
});

async function collect(url: string, options: Parameters<typeof ingest>[1]): Promise<string[]> {
  const ids: string[] = [];
  for await (const i of ingest(url, { retries: 0, ...options })) ids.push(i.id);
  return ids;
}

describe("the caller's headers", () => {
  it("go with every request to the API's origin and never to a next link on another host", async () => {
    const ids = await collect(apiUrl, { headers: { authorization: SECRET, 'x-api-key': 'k1' } });
    expect(ids).toEqual(['a', 'b', 'elsewhere']);
    expect(seenByApi.length).toBeGreaterThanOrEqual(3);
    for (const seen of seenByApi) {
      expect(seen.headers.authorization).toBe(SECRET);
      expect(seen.headers['x-api-key']).toBe('k1');
    }
    expect(seenByOther).toHaveLength(1);
    expect(seenByOther[0]!.headers.authorization).toBeUndefined();
    expect(seenByOther[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('are not carried by a redirect to another origin', async () => {
    await expect(
      collect(`${apiUrl}/moved/catalog.json`, { headers: { authorization: SECRET }, format: 'json' }),
    ).resolves.toBeDefined();
    expect(seenByApi[0]!.headers.authorization).toBe(SECRET);
    expect(seenByOther.length).toBeGreaterThanOrEqual(1);
    for (const seen of seenByOther) expect(seen.headers.authorization).toBeUndefined();
  });

  it('are refused with a line break in a value, without quoting the value', () => {
    expect(() => ingest(apiUrl, { headers: { authorization: 'Bearer x\r\nX-Evil: 1' } })).toThrow(
      /the value of 'authorization' must be a string without line breaks/,
    );
    try {
      ingest(apiUrl, { headers: { authorization: 'Bearer x\r\nX-Evil: 1' } });
    } catch (e) {
      expect((e as Error).message).not.toContain('X-Evil');
    }
    expect(() => ingest(apiUrl, { headers: { 'bad name': 'v' } })).toThrow(/not a header name/);
  });
});

describe('a proxy from the environment', () => {
  let proxy: Server;
  let proxyUrl: string;
  /** Tunnels (CONNECT) and forwarded requests the proxy handled. */
  let passed = 0;
  const saved: Record<string, string | undefined> = {};
  const NAMES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

  beforeAll(async () => {
    proxy = createServer((req, res) => {
      // A plain forwarding proxy (absolute-form request line), in case no tunnel is asked for.
      passed++;
      const target = new URL(req.url!);
      const upstream = connect(Number(target.port), target.hostname, () => {
        upstream.write(
          `${req.method} ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\nconnection: close\r\n\r\n`,
        );
      });
      upstream.pipe(res.socket!);
    });
    proxy.on('connect', (req, socket, head) => {
      passed++;
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    proxyUrl = await listen(proxy);
    for (const n of NAMES) saved[n] = process.env[n];
  });

  afterEach(() => {
    for (const n of NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  afterAll(async () => {
    proxy.closeAllConnections();
    await close(proxy);
  });

  it('carries the requests to an http:// API when HTTP_PROXY names it', async () => {
    for (const n of NAMES) delete process.env[n];
    process.env.HTTP_PROXY = proxyUrl;
    passed = 0;
    const ids = await collect(apiUrl, { headers: { authorization: SECRET } });
    expect(ids).toEqual(['a', 'b', 'elsewhere']);
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(seenByApi.length).toBeGreaterThanOrEqual(3);
  });

  it('is bypassed for a host NO_PROXY names', async () => {
    for (const n of NAMES) delete process.env[n];
    process.env.HTTP_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    passed = 0;
    const ids = await collect(apiUrl, {});
    expect(ids).toEqual(['a', 'b', 'elsewhere']);
    expect(passed).toBe(0);
  });
});
