import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateItems } from '../src/fixtures/profiles.js';
import { writeDataset } from '../src/fixtures/writers.js';
import type { FileFormat } from '../src/ingest/types.js';
import type { Link, StacCollection, StacItem } from '../src/stac/item.js';
import { validateItem } from '../src/stac/validate.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fixtures-writers-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Reads a written dataset back with plain fs + JSON.parse. */
async function readBack(format: FileFormat, path: string): Promise<StacItem[]> {
  if (format === 'directory') {
    const names = (await readdir(path)).sort();
    return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(path, n), 'utf8')) as StacItem));
  }
  if (format === 'feature-collection') return JSON.parse(await readFile(path, 'utf8')).features;
  if (format === 'ndjson') {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as StacItem);
  }
  const collection = JSON.parse(await readFile(path, 'utf8')) as StacCollection;
  const links = collection.links.filter((l) => l.rel === 'item');
  return Promise.all(
    links.map(async (l) => JSON.parse(await readFile(resolve(dirname(path), l.href), 'utf8')) as StacItem),
  );
}

const JSON_FORMATS: FileFormat[] = ['directory', 'feature-collection', 'ndjson', 'catalog'];
const profiles = ['small', 'sentinel-2'] as const;

describe.each(JSON_FORMATS)('the %s writer', (format) => {
  it.each(profiles)('writes every %s Item, valid, and reports its count and bytes', async (profile) => {
    const path = join(root, `${format}-${profile}`);
    const progress: number[] = [];
    const written = await writeDataset({
      format,
      profile,
      count: 120,
      seed: 5,
      path,
      onProgress: (d) => progress.push(d),
    });
    expect(written.items).toBe(120);
    expect(progress.at(-1)).toBe(120);
    const items = await readBack(format, written.path);
    expect(items).toHaveLength(120);
    for (const item of items) expect(validateItem(item).errors).toEqual([]);
    const expected = [...generateItems({ profile, count: 120, seed: 5 })];
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(expected.map((i) => i.id)));
    if (format !== 'catalog')
      expect(items.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        expected.sort((a, b) => a.id.localeCompare(b.id)),
      );
    expect(written.bytes).toBeGreaterThan(120 * 1000);
  });

  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const write = (seed: number, name: string) =>
      writeDataset({ format, profile: 'small', count: 30, seed, path: join(root, `det-${format}-${name}`) });
    const [a, b, c] = await Promise.all([write(1, 'a'), write(1, 'b'), write(2, 'c')]);
    const snapshot = async (path: string): Promise<string> => {
      const s = await stat(path);
      if (s.isFile() && format !== 'catalog') return readFile(path, 'utf8');
      const dir = format === 'catalog' ? dirname(path) : path;
      const names = (await readdir(dir, { recursive: true })).sort();
      const parts = await Promise.all(
        names.map(async (n) =>
          (await stat(join(dir, n))).isFile() ? `${n}\n${await readFile(join(dir, n), 'utf8')}` : n,
        ),
      );
      return parts.join('\n');
    };
    expect(await snapshot(a.path)).toBe(await snapshot(b.path));
    expect(await snapshot(a.path)).not.toBe(await snapshot(c.path));
  });

  it('writes an empty dataset for a count of zero', async () => {
    const written = await writeDataset({
      format,
      profile: 'small',
      count: 0,
      seed: 1,
      path: join(root, `empty-${format}`),
    });
    expect(written.items).toBe(0);
    expect(await readBack(format, written.path)).toEqual([]);
  });
});

describe('the static catalog', () => {
  it('lays Items out as pystac does, with relative links that resolve back to the collection', async () => {
    const dir = join(root, 'layout');
    const written = await writeDataset({
      format: 'catalog',
      profile: 'small',
      count: 25,
      seed: 9,
      path: dir,
    });
    expect(written.path).toBe(join(dir, 'collection.json'));
    const collection = JSON.parse(await readFile(written.path, 'utf8')) as StacCollection;
    const itemLinks = collection.links.filter((l) => l.rel === 'item');
    expect(itemLinks).toHaveLength(25);
    for (const link of itemLinks) {
      expect(link.href).toMatch(/^\.\/([^/]+)\/\1\.json$/);
      const itemPath = resolve(dir, link.href);
      const item = JSON.parse(await readFile(itemPath, 'utf8')) as StacItem;
      for (const rel of ['root', 'parent', 'collection']) {
        const back = item.links.find((l: Link) => l.rel === rel);
        expect(resolve(dirname(itemPath), back!.href)).toBe(written.path);
      }
      expect(item.links.some((l) => l.rel === 'self')).toBe(false);
      expect(item.collection).toBe(collection.id);
    }
    const [[w, s, e, n]] = collection.extent.spatial.bbox as number[][] as [[number, number, number, number]];
    expect(w).toBeLessThan(e);
    expect(s).toBeLessThan(n);
    expect(collection.extent.temporal.interval[0]!.every((t) => typeof t === 'string')).toBe(true);
  });
});

describe('writeDataset', () => {
  it('replaces an earlier dataset at the same path', async () => {
    const path = join(root, 'again');
    await writeDataset({ format: 'directory', profile: 'small', count: 10, seed: 1, path });
    await writeDataset({ format: 'directory', profile: 'small', count: 4, seed: 2, path });
    expect(await readdir(path)).toHaveLength(4);
  });

  it('refuses to replace a directory that is not a generated dataset, and deletes nothing', async () => {
    const path = join(root, 'precious');
    await mkdir(path);
    await writeFile(join(path, 'notes.txt'), 'keep me');
    await expect(
      writeDataset({ format: 'directory', profile: 'small', count: 1, seed: 1, path }),
    ).rejects.toThrow(`${path}: refusing to replace a non-empty directory that is not a directory dataset`);
    await expect(
      writeDataset({ format: 'ndjson', profile: 'small', count: 1, seed: 1, path }),
    ).rejects.toThrow(/is a directory, the ndjson format writes a file/);
    expect(await readFile(join(path, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('rejects an unknown format naming it', async () => {
    await expect(
      writeDataset({
        format: 'csv' as FileFormat,
        profile: 'small',
        count: 1,
        seed: 1,
        path: join(root, 'x'),
      }),
    ).rejects.toThrow(/format must be one of .*got 'csv'/);
  });
});
