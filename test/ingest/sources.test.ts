import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteRanges, parseLines, readOwnedLines } from '../../src/ingest/decode/ndjson.js';
import {
  collect,
  ids,
  makeItem,
  makeItems,
  multiset,
  tempDir,
  writeItemsDir,
} from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

describe('an items directory', () => {
  it('yields every *.json file directly inside, with its content', async () => {
    const items = makeItems(30);
    const dir = join(root, 'plain');
    await writeItemsDir(dir, items);
    await writeFile(join(dir, 'README.md'), '# not an item');
    const { items: got, failures } = await collect(dir);
    expect(multiset(got)).toEqual(multiset(items));
    expect(failures.count).toBe(0);
  });

  it('yields the files in name order under the sequential strategy', async () => {
    const dir = join(root, 'ordered');
    await writeItemsDir(dir, [makeItem(3), makeItem(1), makeItem(2)]);
    const { items } = await collect(dir);
    expect(items.map((i) => i.id)).toEqual(['item-00001', 'item-00002', 'item-00003']);
  });

  it('follows a symbolic link to a regular file and counts a sub-folder named *.json as a failure', async () => {
    const dir = join(root, 'irregular');
    await writeItemsDir(dir, makeItems(3));
    await mkdir(join(dir, 'folder.json'));
    await symlink(join(dir, 'item-00000.json'), join(dir, 'link.json'));
    const { items, failures } = await collect(dir);
    expect(ids(items).sort()).toEqual(['item-00000', 'item-00000', 'item-00001', 'item-00002']);
    expect(failures.failures).toEqual([{ source: join(dir, 'folder.json'), reason: 'is a directory' }]);
  });

  it('reads the items/ folder of a folder holding collection.json and items/', async () => {
    const dir = join(root, 'collection-folder');
    await writeItemsDir(join(dir, 'items'), makeItems(5));
    await writeFile(join(dir, 'collection.json'), JSON.stringify({ type: 'Collection', id: 'c', links: [] }));
    const { items } = await collect(dir);
    expect(ids(items)).toEqual(ids(makeItems(5)));
  });
});

describe('a JSON file', () => {
  it('yields the features of a FeatureCollection', async () => {
    const path = join(root, 'fc.json');
    await writeFile(path, JSON.stringify({ type: 'FeatureCollection', features: makeItems(20) }));
    expect(multiset((await collect(path)).items)).toEqual(multiset(makeItems(20)));
  });

  it('yields the elements of an array of items', async () => {
    const path = join(root, 'array.json');
    await writeFile(path, JSON.stringify(makeItems(7)));
    expect(multiset((await collect(path)).items)).toEqual(multiset(makeItems(7)));
  });

  it('yields a single item', async () => {
    const path = join(root, 'single.geojson');
    await writeFile(path, JSON.stringify(makeItem(9)));
    expect((await collect(path)).items).toEqual([makeItem(9)]);
  });

  it('accepts a UTF-8 byte-order mark', async () => {
    const path = join(root, 'bom.json');
    await writeFile(path, `\uFEFF${JSON.stringify({ type: 'FeatureCollection', features: makeItems(3) })}`);
    expect(ids((await collect(path)).items)).toEqual(ids(makeItems(3)));
  });

  it('counts a feature that is not an item as a failure naming its index, and keeps the others', async () => {
    const path = join(root, 'mixed-fc.json');
    const features = [makeItem(1), { type: 'Feature' }, makeItem(2)];
    await writeFile(path, JSON.stringify({ type: 'FeatureCollection', features }));
    const { items, failures } = await collect(path);
    expect(ids(items)).toEqual(['item-00001', 'item-00002']);
    expect(failures.failures).toEqual([
      { source: `${path}#features[1]`, reason: 'not a STAC Item (no string id)' },
    ]);
  });
});

describe('an NDJSON file', () => {
  it('yields one item per line, tolerating blank lines, CRLF and a byte-order mark', async () => {
    const path = join(root, 'items.ndjson');
    const lines = makeItems(10).map((i) => JSON.stringify(i));
    await writeFile(path, `\uFEFF${lines.slice(0, 5).join('\r\n')}\r\n\r\n  \n${lines.slice(5).join('\n')}`);
    const { items, failures } = await collect(path);
    expect(multiset(items)).toEqual(multiset(makeItems(10)));
    expect(failures.count).toBe(0);
  });

  it('is read by byte ranges that together hold every line exactly once', async () => {
    const path = join(root, 'ranges.ndjson');
    const text = `${makeItems(50)
      .map((i) => JSON.stringify(i))
      .join('\n')}\n\n`;
    await writeFile(path, text);
    for (const size of [13, 100, 333, 4096]) {
      const got: string[] = [];
      for (const range of byteRanges(Buffer.byteLength(text), size)) {
        const owned = await readOwnedLines(path, range, 'sync');
        got.push(...parseLines(path, owned.bytes, owned.from, owned.offset, false).items.map((i) => i.id));
      }
      expect(got, `ranges of ${size} bytes`).toEqual(makeItems(50).map((i) => i.id));
    }
  });

  it('counts a bad line as a failure naming the file and the byte where the line starts', async () => {
    const path = join(root, 'bad-line.ndjson');
    const first = JSON.stringify(makeItem(1));
    await writeFile(path, `${first}\n{"broken\n${JSON.stringify(makeItem(2))}\n`);
    const { items, failures } = await collect(path);
    expect(ids(items)).toEqual(['item-00001', 'item-00002']);
    expect(failures.failures).toHaveLength(1);
    expect(failures.failures[0]!.source).toBe(`${path} (line at byte ${first.length + 1})`);
    expect(failures.failures[0]!.reason).toMatch(/invalid JSON/);
  });

  it('is read as NDJSON whatever its name: by its content, or when the format is given', async () => {
    const path = join(root, 'items.txt');
    await writeFile(
      path,
      makeItems(4)
        .map((i) => JSON.stringify(i))
        .join('\n'),
    );
    expect(ids((await collect(path, { format: 'ndjson' })).items)).toEqual(ids(makeItems(4)));
    expect(ids((await collect(path)).items)).toEqual(ids(makeItems(4)));
  });
});

describe('a static catalog', () => {
  it('follows item and child links (relative and absolute) recursively, each document once', async () => {
    const dir = join(root, 'catalog');
    const items = makeItems(12);
    await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
    await writeItemsDir(join(dir, 'sub', 'items'), items.slice(4));
    await writeItemsDir(join(dir, 'items'), items.slice(0, 4));
    const link = (rel: string, href: string) => ({ rel, href });
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        type: 'Catalog',
        id: 'root',
        links: [
          link('self', './catalog.json'),
          link('child', './sub/collection.json'),
          ...items.slice(0, 4).map((i) => link('item', `./items/${i.id}.json`)),
          // the same item twice, once by an absolute path: read once
          link('item', join(dir, 'items', `${items[0]!.id}.json`)),
        ],
      }),
    );
    await writeFile(
      join(dir, 'sub', 'collection.json'),
      JSON.stringify({
        type: 'Collection',
        id: 'sub',
        links: [
          link('parent', '../catalog.json'),
          link('child', '../catalog.json'), // a cycle back to the root
          link('child', 'deeper/catalog.json'),
          ...items.slice(4, 8).map((i) => link('item', `items/${i.id}.json`)),
        ],
      }),
    );
    await writeFile(
      join(dir, 'sub', 'deeper', 'catalog.json'),
      JSON.stringify({
        type: 'Catalog',
        id: 'deeper',
        links: items.slice(8).map((i) => link('item', `file://${join(dir, 'sub', 'items', `${i.id}.json`)}`)),
      }),
    );
    for (const strategy of ['sequential', 'concurrent', 'worker-threads'] as const) {
      const { items: got, failures } = await collect(dir, { strategy, concurrency: 3 });
      expect(multiset(got), strategy).toEqual(multiset(items));
      expect(failures.count).toBe(0);
    }
    expect(ids((await collect(join(dir, 'catalog.json'))).items)).toEqual(ids(items));
  });

  it('counts a broken item link as a failure naming the path', async () => {
    const dir = join(root, 'broken-catalog');
    await writeItemsDir(dir, [makeItem(1)]);
    await writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        type: 'Catalog',
        id: 'c',
        links: [
          { rel: 'item', href: './item-00001.json' },
          { rel: 'item', href: './missing.json' },
        ],
      }),
    );
    const { items, failures } = await collect(dir);
    expect(ids(items)).toEqual(['item-00001']);
    expect(failures.failures).toEqual([
      { source: join(dir, 'missing.json'), reason: 'no such file (ENOENT)' },
    ]);
  });

  describe('served over http', () => {
    let server: Server;
    let base: string;
    const served = new Map<string, number>();
    beforeAll(async () => {
      const items = makeItems(6);
      const docs: Record<string, unknown> = {
        '/stac/catalog.json': {
          type: 'Catalog',
          id: 'web',
          links: [
            { rel: 'child', href: 'c1/collection.json' },
            { rel: 'child', href: '/stac/catalog.json' },
            ...items.slice(0, 3).map((i) => ({ rel: 'item', href: `items/${i.id}.json` })),
          ],
        },
        '/stac/c1/collection.json': {
          type: 'Collection',
          id: 'c1',
          links: [
            ...items.slice(3).map((i) => ({ rel: 'item', href: `../items/${i.id}.json` })),
            { rel: 'item', href: 'gone.json' },
          ],
        },
        ...Object.fromEntries(items.map((i) => [`/stac/items/${i.id}.json`, i])),
      };
      server = createServer((req, res) => {
        served.set(req.url!, (served.get(req.url!) ?? 0) + 1);
        const doc = docs[req.url!];
        res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
        res.end(doc ? JSON.stringify(doc) : '{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('follows links over http(s), fetching each document once and counting a 404 with its URL', async () => {
      const { items, failures } = await collect(`${base}/stac/catalog.json`, { strategy: 'concurrent' });
      expect(ids(items)).toEqual(ids(makeItems(6)));
      expect(failures.failures).toEqual([
        { source: `${base}/stac/c1/gone.json`, reason: 'HTTP 404 Not Found' },
      ]);
      expect([...served.values()].every((n) => n === 1)).toBe(true);
    });
  });
});
