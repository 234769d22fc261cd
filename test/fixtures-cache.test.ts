import { mkdtemp, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetDir, ensureDataset, GENERATOR_VERSION } from '../src/fixtures/cache.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fixtures-cache-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const key = { format: 'ndjson' as const, profile: 'small' as const, count: 40, seed: 1 };

describe('ensureDataset', () => {
  it('generates a dataset once and reuses it for the same key', async () => {
    let generated = 0;
    const first = await ensureDataset({ ...key, root, onProgress: () => generated++ });
    expect(generated).toBeGreaterThan(0);
    expect(first.items).toBe(40);
    expect(first.bytes).toBe((await stat(first.path)).size);
    expect(first.itemBytesAvg).toBeCloseTo(first.bytes / 40);
    const mtime = (await stat(first.path)).mtimeMs;

    let again = 0;
    const second = await ensureDataset({ ...key, root, onProgress: () => again++ });
    expect(again).toBe(0);
    expect(second).toEqual(first);
    expect((await stat(second.path)).mtimeMs).toBe(mtime);
  });

  it('keys datasets by generator version, profile, count, seed and format', async () => {
    const a = await ensureDataset({ ...key, root });
    const b = await ensureDataset({ ...key, seed: 2, root });
    const c = await ensureDataset({ ...key, count: 41, root });
    const d = await ensureDataset({ ...key, format: 'feature-collection', root });
    expect(new Set([a.path, b.path, c.path, d.path]).size).toBe(4);
    expect(a.path.startsWith(datasetDir(key, root))).toBe(true);
    expect(a.path).toContain(`v${GENERATOR_VERSION}`);
    expect(await readFile(a.path, 'utf8')).not.toBe(await readFile(b.path, 'utf8'));
  });

  it('rebuilds a dataset whose manifest is missing, as after a crash', async () => {
    const k = { ...key, seed: 3 };
    const first = await ensureDataset({ ...k, root });
    await unlink(join(datasetDir(k, root), 'manifest.json'));
    let generated = 0;
    const again = await ensureDataset({ ...k, root, onProgress: () => generated++ });
    expect(generated).toBeGreaterThan(0);
    expect(await readFile(again.path, 'utf8')).toBe(await readFile(first.path, 'utf8'));
  });

  it('rebuilds a dataset whose data was deleted while its manifest stayed', async () => {
    const k = { ...key, seed: 6 };
    const first = await ensureDataset({ ...k, root });
    await unlink(first.path);
    const again = await ensureDataset({ ...k, root });
    expect((await stat(again.path)).size).toBe(first.bytes);
  });

  it('leaves no temporary directories behind, also when two callers race for one key', async () => {
    const k = { ...key, format: 'directory' as const, seed: 4 };
    const [x, y] = await Promise.all([ensureDataset({ ...k, root }), ensureDataset({ ...k, root })]);
    expect(x.path).toBe(y.path);
    expect((await readdir(x.path)).length).toBe(40);
    const siblings = await readdir(dirname(datasetDir(k, root)));
    expect(siblings.filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('removes its temporary directory when generation fails', async () => {
    await expect(ensureDataset({ ...key, format: 'csv' as never, root })).rejects.toThrow(
      /format must be one of/,
    );
    const bad = { ...key, profile: 'huge' as never, seed: 5 };
    await expect(ensureDataset({ ...bad, root })).rejects.toThrow(/profile must be one of/);
    const siblings = await readdir(dirname(datasetDir(bad, root)));
    expect(siblings.filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
