/**
 * Hostile static catalogs and local trees, under every strategy: a remote catalog never reaches this
 * machine's files or private addresses, every remote body is bounded in size and time, a local crawl
 * reads regular files only and names every entry it could not read, and no failure reason repeats
 * the bytes it read.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lookup } from '../../src/ingest/api/reach.js';
import { closeWorkerPool } from '../../src/ingest/index.js';
import { STRATEGIES } from '../../src/ingest/types.js';
import { collect, ids, makeItem, makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

const MiB = 1 << 20;
const SECRET = 'root:x:0:0:root:/root:/bin/bash';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server answering from `routes` (404 otherwise); it counts the body bytes it sent. */
async function serve(
  routes: Record<string, Route>,
): Promise<{ url: string; sent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const route = routes[req.url!];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer, ...rest: never[]) => {
      sent += chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy();
        server.close(() => r());
      }),
  };
}

const json =
  (doc: unknown): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  };

/** Streams up to 1 GiB of spaces in 64 KiB writes, stopping when the client goes away. */
const endless: Route = (_req, res) => {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = 1 << 30;
  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  const pump = (): void => {
    while (!gone && left > 0) {
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!gone) res.end();
  };
  pump();
};

function catalog(links: { rel: string; href: string }[]): Record<string, unknown> {
  return { type: 'Catalog', id: 'hostile', stac_version: '1.1.0', description: 'd', links };
}

describe.each(STRATEGIES)('a remote catalog under %s', (strategy) => {
  const options = { strategy, concurrency: 2 } as const;

  it('a remote catalog cannot read local files', async () => {
    const dir = join(root, `local-${strategy}`);
    await mkdir(dir, { recursive: true });
    const localItem = join(dir, 'local-item.json');
    await writeFile(localItem, JSON.stringify(makeItem(900)));
    const fifo = join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const good = makeItem(1);
    const refused = [
      'file:///etc/passwd',
      'file:///dev/zero',
      'file:///proc/self/environ',
      pathToFileURL(localItem).href,
      pathToFileURL(fifo).href,
    ];
    const server = await serve({
      '/catalog.json': json(
        catalog([
          ...refused.map((href) => ({ rel: 'item', href })),
          { rel: 'child', href: 'file:///etc' },
          { rel: 'item', href: 'good.json' },
        ]),
      ),
      '/good.json': json(good),
    });
    try {
      const { items, failures } = await collect(`${server.url}/catalog.json`, options);
      expect(ids(items)).toEqual([good.id]);
      expect(failures.failures.map((f) => f.source)).toEqual(
        refused.concat('file:///etc').map(() => `${server.url}/catalog.json`),
      );
      for (const f of failures.failures)
        expect(f.reason).toMatch(/^link leaves the catalog's origin: '(file:|\/)/);
      const refusedLinks = failures.failures.map((f) => /: '([^']+)'/.exec(f.reason)![1]);
      expect(refusedLinks.sort()).toEqual([...refused, 'file:///etc'].sort());
      expect(JSON.stringify(failures.failures)).not.toContain('root:x');
    } finally {
      await server.close();
    }
  });

  it('a remote document over the byte limit is a counted failure, and the server sent little of it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 0x20));
    const server = await serve({
      '/catalog.json': json(
        catalog([
          { rel: 'item', href: 'huge.json' },
          { rel: 'item', href: 'bomb.json' },
          { rel: 'item', href: 'declared.json' },
          { rel: 'item', href: 'good.json' },
        ]),
      ),
      '/huge.json': endless,
      '/bomb.json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb);
      },
      '/declared.json': (_req, res) => {
        res.writeHead(200, { 'content-length': String(2 * MiB) });
        res.write(Buffer.alloc(1024, 0x20));
      },
      '/good.json': json(makeItem(2)),
    });
    try {
      const { items, failures } = await collect(`${server.url}/catalog.json`, {
        ...options,
        maxBodyBytes: MiB,
      });
      expect(ids(items)).toEqual([makeItem(2).id]);
      const bySource = Object.fromEntries(
        failures.failures.map((f) => [f.source.replace(server.url, ''), f.reason]),
      );
      expect(bySource).toEqual({
        '/huge.json': 'the body is larger than the limit of 1 MiB (maxBodyBytes)',
        '/bomb.json': 'the decompressed body is larger than the limit of 1 MiB (maxBodyBytes)',
        '/declared.json': 'the body is larger than the limit of 1 MiB (maxBodyBytes)',
      });
      // 1 GiB was on offer; what left the server is the limit plus what the sockets buffered.
      expect(server.sent()).toBeLessThan(bomb.length + 32 * MiB);
    } finally {
      await server.close();
    }
  });

  it('a remote document that never answers is a counted failure after the request timeout', async () => {
    const server = await serve({
      '/catalog.json': json(
        catalog([
          { rel: 'item', href: 'silent.json' },
          { rel: 'item', href: 'good.json' },
        ]),
      ),
      '/silent.json': () => undefined,
      '/good.json': json(makeItem(3)),
    });
    try {
      const { items, failures } = await collect(`${server.url}/catalog.json`, {
        ...options,
        timeoutMs: 1500,
        retries: 0,
      });
      expect(ids(items)).toEqual([makeItem(3).id]);
      expect(failures.failures).toEqual([
        { source: `${server.url}/silent.json`, reason: 'timed out after 1500 ms' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('delivers every Item of a static catalog served over http(s)', async () => {
    const items = makeItems(20);
    const server = await serve({
      '/catalog.json': json(catalog(items.map((i) => ({ rel: 'item', href: `items/${i.id}.json` })))),
      ...Object.fromEntries(items.map((i) => [`/items/${i.id}.json`, json(i)])),
    });
    try {
      const got = await collect(`${server.url}/catalog.json`, options);
      expect(ids(got.items).sort()).toEqual(ids(items));
      expect(got.failures.count).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('a catalog on a public host', () => {
  /** Names resolve here, never through DNS: the public root is only ever answered by the MockAgent. */
  const lookup: Lookup = async (host) => {
    const table: Record<string, string> = {
      'stac.public.test': '203.0.113.7',
      'other.public.test': '198.51.100.9',
      'intranet.test': '10.1.2.3',
      'sneaky.test': '::ffff:127.0.0.1',
    };
    const address = table[host];
    if (!address) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };

  function publicCatalog(docs: Record<string, unknown>, redirects: Record<string, string> = {}): MockAgent {
    const agent = new MockAgent();
    agent.disableNetConnect();
    for (const origin of ['http://stac.public.test', 'http://other.public.test']) {
      const pool = agent.get(origin);
      for (const [path, doc] of Object.entries(docs)) {
        if (path.startsWith(origin))
          pool
            .intercept({ path: path.slice(origin.length) })
            .reply(200, JSON.stringify(doc))
            .persist();
      }
      for (const [path, to] of Object.entries(redirects)) {
        if (path.startsWith(origin))
          pool
            .intercept({ path: path.slice(origin.length) })
            .reply(302, '', { headers: { location: to } })
            .persist();
      }
    }
    return agent;
  }

  it.each(STRATEGIES)(
    'cannot reach private or loopback addresses, redirects included (%s)',
    async (strategy) => {
      const privateLinks = [
        'http://127.0.0.1:9/item.json',
        'http://169.254.169.254/latest/meta-data',
        'http://intranet.test/item.json',
        'http://[::1]:9/item.json',
        'http://sneaky.test/item.json',
        'http://localhost:9/item.json',
      ];
      const agent = publicCatalog(
        {
          'http://stac.public.test/catalog.json': catalog([
            ...privateLinks.map((href) => ({ rel: 'item', href })),
            { rel: 'item', href: 'moved.json' },
            { rel: 'item', href: 'good.json' },
          ]),
          'http://stac.public.test/good.json': makeItem(4),
        },
        { 'http://stac.public.test/moved.json': 'http://10.0.0.8/item.json' },
      );
      try {
        const { items, failures } = await collect('http://stac.public.test/catalog.json', {
          strategy,
          concurrency: 2,
          dispatcher: agent,
          lookup,
          retries: 0,
        });
        expect(ids(items)).toEqual([makeItem(4).id]);
        const sources = failures.failures.map((f) => f.source).sort();
        expect(sources).toEqual([...privateLinks, 'http://stac.public.test/moved.json'].sort());
        for (const f of failures.failures)
          expect(f.reason).toMatch(/is a private or loopback address, not reachable from a public root/);
      } finally {
        await agent.close();
      }
    },
  );

  it('follows links to other public hosts by default, and refuses them with otherHosts off', async () => {
    const docs = {
      'http://stac.public.test/catalog.json': catalog([
        { rel: 'item', href: 'http://other.public.test/a.json' },
        { rel: 'item', href: 'b.json' },
      ]),
      'http://other.public.test/a.json': makeItem(5),
      'http://stac.public.test/b.json': makeItem(6),
    };
    const agent = publicCatalog(docs);
    try {
      const open = await collect('http://stac.public.test/catalog.json', { dispatcher: agent, lookup });
      expect(ids(open.items).sort()).toEqual([makeItem(5).id, makeItem(6).id]);
      const strict = await collect('http://stac.public.test/catalog.json', {
        dispatcher: agent,
        lookup,
        otherHosts: false,
      });
      expect(ids(strict.items)).toEqual([makeItem(6).id]);
      expect(strict.failures.failures).toEqual([
        {
          source: 'http://stac.public.test/catalog.json',
          reason:
            "link leaves the catalog's origin: 'http://other.public.test/a.json' is not on http://stac.public.test (links to other hosts are off)",
        },
      ]);
    } finally {
      await agent.close();
    }
  });
});

describe.each(STRATEGIES)('a local crawl under %s', (strategy) => {
  const options = { strategy, concurrency: 2 } as const;

  it('reads regular files only and counts every *.json entry it cannot read', async () => {
    const dir = join(root, `tree-${strategy}`);
    await writeItemsDir(dir, makeItems(3));
    await symlink(join(dir, 'item-00000.json'), join(dir, 'linked.json'));
    await symlink(join(dir, 'loop.json'), join(dir, 'loop.json'));
    await symlink(join(dir, 'nowhere'), join(dir, 'broken.json'));
    await mkdir(join(dir, 'x.json'));
    execFileSync('mkfifo', [join(dir, 'y.json')]);
    await symlink(join(dir, 'y.json'), join(dir, 'to-fifo.json'));
    await writeFile(join(dir, '.hidden.json'), 'not read');
    await writeFile(join(dir, 'notes.txt'), 'not an input');
    const { items, failures } = await collect(dir, options);
    expect(ids(items).sort()).toEqual(['item-00000', 'item-00000', 'item-00001', 'item-00002']);
    const reasons = Object.fromEntries(
      failures.failures.map((f) => [f.source.slice(dir.length + 1), f.reason]),
    );
    expect(reasons).toEqual({
      'loop.json': 'symlink loop (ELOOP)',
      'broken.json': 'broken symlink (its target does not exist)',
      'x.json': 'is a directory',
      'y.json': 'not a regular file (a FIFO)',
      'to-fifo.json': 'a symlink to a FIFO, not to a regular file',
    });
  });

  it('a local catalog link to a FIFO or a device is a counted failure, not a hang or an endless read', async () => {
    const dir = join(root, `catalog-${strategy}`);
    await mkdir(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    await writeFile(join(dir, 'good.json'), JSON.stringify(makeItem(7)));
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify(
        catalog([
          { rel: 'item', href: './pipe.json' },
          { rel: 'item', href: '/dev/zero' },
          { rel: 'child', href: '/dev/zero' },
          { rel: 'item', href: './good.json' },
        ]),
      ),
    );
    const { items, failures } = await collect(join(dir, 'catalog.json'), options);
    expect(ids(items)).toEqual([makeItem(7).id]);
    expect(failures.failures.map((f) => f.reason).sort()).toEqual([
      'not a regular file (a FIFO)',
      'not a regular file (a character device)',
    ]);
  });

  it('a failure reason never quotes the bytes it read', async () => {
    const dir = join(root, `quotes-${strategy}`);
    await writeItemsDir(dir, makeItems(2));
    await writeFile(join(dir, 'passwd.json'), `${SECRET}\n`);
    await writeFile(join(dir, 'broken.json'), `{"type":"Feature","id":"${SECRET}",}`);
    const ndjson = join(root, `quotes-${strategy}.ndjson`);
    await writeFile(ndjson, `${JSON.stringify(makeItem(8))}\n${SECRET}\n`);
    const fromDir = await collect(dir, options);
    const fromLines = await collect(ndjson, options);
    expect(fromDir.failures.count).toBe(2);
    expect(fromLines.failures.count).toBe(1);
    for (const f of [...fromDir.failures.failures, ...fromLines.failures.failures]) {
      expect(f.reason).toMatch(/^invalid JSON/);
      expect(f.reason).not.toContain('root');
    }
  });
});
