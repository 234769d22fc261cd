import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/ingest.js';
import { startStacApi } from '../../src/mock-api/server.js';
import type { StacItem } from '../../src/stac/item.js';
import { validateItem } from '../../src/stac/validate.js';
import { lines, runCli } from '../support/cli-helpers.js';
import { collect, makeItem, makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let source: string;
const items = makeItems(60);

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  source = join(root, 'source');
  const broken = makeItem(999);
  delete (broken as Partial<StacItem>).links;
  await writeItemsDir(source, [...items, broken]);
});
afterAll(() => remove());

function captured() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c) => {
    text += c;
  });
  return { io: { stdout: new PassThrough().resume(), stderr }, text: () => text };
}

describe('ingest --to', () => {
  it('writes every valid Item once into an items directory with --transform validate', async () => {
    const out = join(root, 'out-dir');
    const { io, text } = captured();
    const code = await run(
      [source, '--to', out, '--transform', 'validate', '--strategy', 'worker-threads'],
      io,
    );
    expect(code).toBe(0);
    const names = await readdir(join(out, 'test', 'items'));
    expect(names.sort()).toEqual(items.map((i) => `${i.id}.json`).sort());
    for (const name of names) {
      const item = JSON.parse(await readFile(join(out, 'test', 'items', name), 'utf8'));
      expect(validateItem(item).errors).toEqual([]);
    }
    expect(text()).toMatch(
      /^wrote 60 items to .*out-dir \(directory\) .* 61 read, 1 invalid, 0 duplicates, 1 failures\n/,
    );
    expect(text()).toMatch(
      /stage seconds: read\+parse [\d.]+, transform [\d.]+, serialize [\d.]+, write [\d.]+/,
    );
    expect(text()).toContain('validate: links: expected an array');
  });

  it('writes every valid Item once as NDJSON when the path ends in .ndjson', async () => {
    const out = join(root, 'out.ndjson');
    const { io } = captured();
    expect(await run([source, '--to', out, '--transform', 'validate', '--strategy', 'concurrent'], io)).toBe(
      0,
    );
    const written = (await readFile(out, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as StacItem);
    expect(written.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(written.every((i) => validateItem(i).valid)).toBe(true);
  });

  it('writes every valid Item once as stac-geoparquet when the path ends in .parquet', async () => {
    const out = join(root, 'out.parquet');
    const { io, text } = captured();
    expect(await run([source, '--to', out, '--transform', 'validate'], io)).toBe(0);
    expect(text()).toMatch(/^wrote 60 items to .*out\.parquet \(parquet\) /);
    const back = await collect(out);
    expect(back.items.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(back.failures.count).toBe(0);
  });

  it('runs again into a folder it made, replacing what the earlier run wrote', async () => {
    const out = join(root, 'again');
    const { io } = captured();
    expect(await run([source, '--to', out], io)).toBe(0);
    expect(await run([source, '--to', out, '--transform', 'validate'], io)).toBe(0);
    expect(await readdir(join(out, 'test', 'items'))).toHaveLength(60);
  });

  it('writes every Item of a STAC API with --placement sharded --workers 2, the workers crawling its time slices', async () => {
    const api = await startStacApi({ items: 500, collectionId: 'gen', pageSize: 25 });
    try {
      const out = join(root, 'out-api-sharded');
      const { io, text } = captured();
      const args = [
        api.url,
        '--collection-id',
        'gen',
        '--to',
        out,
        '--placement',
        'sharded',
        '--workers',
        '2',
      ];
      expect(await run(args, io)).toBe(0);
      expect(await readdir(join(out, 'gen', 'items'))).toHaveLength(500);
      expect(text()).toMatch(
        /^wrote 500 items to .*out-api-sharded \(directory\) from http:\/\/127\.0\.0\.1:\d+ \(sharded x2\)/,
      );
      // More than one search was crawled: the plan's probes and its slices.
      expect(api.metrics().pages).toBeGreaterThan(500 / 25);
    } finally {
      await api.close();
    }
  });

  it('writes every valid Item once with --placement sharded --workers 2, and says where the stages ran', async () => {
    const out = join(root, 'out-sharded');
    const { io, text } = captured();
    const code = await run(
      [
        source,
        '--to',
        out,
        '--transform',
        'validate',
        '--placement',
        'sharded',
        '--workers',
        '2',
        '--batch-size',
        '8',
      ],
      io,
    );
    expect(code).toBe(0);
    expect((await readdir(join(out, 'test', 'items'))).sort()).toEqual(
      items.map((i) => `${i.id}.json`).sort(),
    );
    expect(text()).toMatch(
      /^wrote 60 items to .*out-sharded \(directory\) from .* \(sharded x2\) in [\d.]+ s, \d+ items\/s; 61 read, 1 invalid, 0 duplicates, 1 failures\n/,
    );
    expect(text()).toContain('validate: links: expected an array');
  });
});

describe('ingest --to usage errors', () => {
  const cases: [string, (dir: string) => Promise<string[]>, RegExp][] = [
    [
      '--to with --output',
      async (d) => [source, '--to', join(d, 'o'), '--output', join(d, 'o.ndjson')],
      /--to and --output cannot be used together/,
    ],
    [
      'an unknown transform',
      async (d) => [source, '--to', join(d, 'o'), '--transform', 'validate,reproject'],
      /--transform must be a list of update, validate/,
    ],
    [
      'an unknown placement',
      async (d) => [source, '--to', join(d, 'o'), '--placement', 'everywhere'],
      /--placement must be caller or sharded, got 'everywhere'/,
    ],
    [
      '--workers with the caller placement',
      async (d) => [source, '--to', join(d, 'o'), '--workers', '2'],
      /--workers applies to --placement sharded/,
    ],
    [
      '--strategy with the sharded placement',
      async (d) => [source, '--to', join(d, 'o'), '--placement', 'sharded', '--strategy', 'concurrent'],
      /--strategy applies to --placement caller \(sharded takes --workers\)/,
    ],
    [
      'a sharded placement of a catalog over http',
      async (d) => ['https://stac.example.org/catalog.json', '--to', join(d, 'o'), '--placement', 'sharded'],
      /--placement sharded reads a STAC API or files on this machine, not the remote document/,
    ],
    [
      'zero workers',
      async (d) => [source, '--to', join(d, 'o'), '--placement', 'sharded', '--workers', '0'],
      /--workers/,
    ],
    [
      '--base-url without update',
      async (d) => [source, '--to', join(d, 'o'), '--base-url', 'https://x.org'],
      /--base-url applies to --transform update/,
    ],
    [
      '--transform without --to',
      async () => [source, '--transform', 'validate'],
      /--transform applies to --to PATH only/,
    ],
    [
      'an output inside the source',
      async () => [source, '--to', join(source, 'out')],
      /--to .*: is inside the SOURCE folder/,
    ],
    [
      'a non-empty folder the tool did not make',
      async (d) => {
        await mkdir(join(d, 'mine'));
        await writeFile(join(d, 'mine', 'notes.txt'), 'keep me');
        return [source, '--to', join(d, 'mine')];
      },
      /--to .*mine: is a folder benchmark-ingest did not make and not empty/,
    ],
  ];
  it.each(cases)('exits 2 with one line for %s', async (_what, args, message) => {
    const dir = join(root, `usage-${Math.random().toString(36).slice(2)}`);
    await mkdir(dir);
    const r = await runCli(['ingest', ...(await args(dir))]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(await readdir(source)).not.toContain('out');
  });
});
