import { link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/ingest.js';
import { generatedSource } from '../../src/mock-api/catalog.js';
import { serveHandlers, stacApiHandlers } from '../../src/mock-api/handlers.js';
import { lines, runCli } from '../support/cli-helpers.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

const ndjson = (n: number) =>
  `${makeItems(n)
    .map((i) => JSON.stringify(i))
    .join('\n')}\n`;

const quiet = () => ({ stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });

/** Every file under `dir` with its content, to show that nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() || e.isSymbolicLink()) {
      const path = join(e.parentPath, e.name);
      out[path] = await readFile(path, 'utf8');
    }
  }
  return out;
}

describe('ingest --output refuses to overwrite an input', () => {
  // Each case: a folder holding the input, and the arguments (relative to that folder).
  const cases: [string, (dir: string) => Promise<string[]>][] = [
    [
      'the same path',
      async (dir) => {
        await writeFile(join(dir, 's.ndjson'), ndjson(5));
        return ['s.ndjson', '--output', 's.ndjson'];
      },
    ],
    [
      'the same file written as ./x',
      async (dir) => {
        await writeFile(join(dir, 's.ndjson'), ndjson(5));
        return ['s.ndjson', '--output', './s.ndjson'];
      },
    ],
    [
      'a symlink to the input',
      async (dir) => {
        await writeFile(join(dir, 's.ndjson'), ndjson(5));
        await symlink(join(dir, 's.ndjson'), join(dir, 'alias.ndjson'));
        return ['s.ndjson', '--output', 'alias.ndjson'];
      },
    ],
    [
      'a hard link to the input',
      async (dir) => {
        await writeFile(join(dir, 's.ndjson'), ndjson(5));
        await link(join(dir, 's.ndjson'), join(dir, 'twin.ndjson'));
        return ['twin.ndjson', '--output', 's.ndjson'];
      },
    ],
    [
      'a file inside the items directory it reads',
      async (dir) => {
        await writeItemsDir(join(dir, 'items'), makeItems(5));
        await writeFile(join(dir, 'items', 'out.json'), 'kept');
        return ['items', '--output', 'items/out.json'];
      },
    ],
    [
      "a file inside a static catalog's folder",
      async (dir) => {
        const [item] = makeItems(1);
        await mkdir(join(dir, 'cat', item!.id), { recursive: true });
        await writeFile(join(dir, 'cat', item!.id, `${item!.id}.json`), JSON.stringify(item));
        await writeFile(
          join(dir, 'cat', 'collection.json'),
          JSON.stringify({
            type: 'Collection',
            id: 'c',
            links: [{ rel: 'item', href: `./${item!.id}/${item!.id}.json` }],
          }),
        );
        return ['cat/collection.json', '--output', `cat/${item!.id}/${item!.id}.json`];
      },
    ],
  ];
  it.each(cases)(
    'exits 2 with one line and leaves the input untouched when the output is %s',
    async (_, setUp) => {
      const dir = join(root, `same-${Math.random().toString(36).slice(2)}`);
      await mkdir(dir);
      const args = await setUp(dir);
      const before = await snapshot(dir);
      const r = await runCli(['ingest', ...args], { cwd: dir });
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^benchmark-ingest ingest: --output .*: is (the SOURCE|inside the SOURCE folder)/,
      );
      expect(r.stdout).toBe('');
      expect(await snapshot(dir)).toEqual(before);
    },
  );

  it('accepts an output beside the source file', async () => {
    const dir = join(root, 'beside');
    await mkdir(dir);
    await writeFile(join(dir, 's.ndjson'), ndjson(5));
    const code = await run([join(dir, 's.ndjson'), '--output', join(dir, 'copy.ndjson')], quiet());
    expect(code).toBe(0);
    expect(await readFile(join(dir, 'copy.ndjson'), 'utf8')).toBe(ndjson(5));
  });
});

describe('ingest --output that cannot be written', () => {
  const cases: [string, string, RegExp][] = [
    ['in a pseudo file system (/proc)', '/proc/stac-ingest-out.ndjson', /cannot write in \/proc/],
    ['in a missing folder', 'no/such/folder/out.ndjson', /folder .*no\/such\/folder does not exist/],
    ['under a file', 'package.json/out.ndjson', /package\.json is not a directory/],
    ['a directory', 'src', /src: is a directory, expected a file/],
  ];
  it.each(cases)(
    'exits 2 with one line before reading anything when the output is %s',
    async (_, output, message) => {
      const source = join(root, 'unwritable.ndjson');
      await writeFile(source, ndjson(5));
      const r = await runCli(['ingest', source, '--output', output]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/ingested/);
    },
  );
});

describe('ingest --output is replaced whole', () => {
  it('writes to a temporary file and renames it: a hard link to the earlier output keeps its content', async () => {
    const dir = join(root, 'replace');
    await mkdir(dir);
    await writeFile(join(dir, 's.ndjson'), ndjson(5));
    await writeFile(join(dir, 'out.ndjson'), 'earlier output\n');
    await link(join(dir, 'out.ndjson'), join(dir, 'earlier.ndjson'));
    const code = await run([join(dir, 's.ndjson'), '--output', join(dir, 'out.ndjson')], quiet());
    expect(code).toBe(0);
    expect(await readFile(join(dir, 'out.ndjson'), 'utf8')).toBe(ndjson(5));
    expect(await readFile(join(dir, 'earlier.ndjson'), 'utf8')).toBe('earlier output\n');
    expect((await readdir(dir)).sort()).toEqual(['earlier.ndjson', 'out.ndjson', 's.ndjson']);
  });

  it('keeps the earlier output while the run is in progress, then the items received before a failure', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let searches = 0;
    const served = await serveHandlers(async (url) => {
      const { handlers } = await stacApiHandlers(url, [generatedSource({ id: 'c1', count: 95, seed: 5 })], {
        pageSize: 20,
      });
      // The first page is served; the second waits for the test, then fails for good (a 400 is not retried).
      const secondPageFails = http.all(`${url}/search`, async () => {
        if (++searches === 1) return undefined;
        await gate;
        return HttpResponse.json({ code: 'BadRequest' }, { status: 400 });
      });
      return [secondPageFails, ...handlers];
    });
    try {
      const dir = join(root, 'failing');
      await mkdir(dir);
      const output = join(dir, 'out.ndjson');
      await writeFile(output, 'earlier output\n');
      const running = run([served.url, '--collection-id', 'c1', '--output', output], quiet());
      while (searches < 2) await new Promise((r) => setTimeout(r, 10));
      expect(await readFile(output, 'utf8')).toBe('earlier output\n');
      release();
      // The crawl stopped early after Items were written: exit 1, the summary says why (not a throw).
      expect(await running).toBe(1);
      const kept = (await readFile(output, 'utf8')).trimEnd().split('\n');
      expect(kept).toHaveLength(20);
      expect(JSON.parse(kept[19]!).collection).toBe('c1');
      expect(await readdir(dir)).toEqual(['out.ndjson']);
    } finally {
      release();
      await served.close();
    }
  });
});
