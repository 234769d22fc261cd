import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileCases } from '../../src/bench/cases.js';
import { checkUvSweep, fileRun, paceFor } from '../../src/bench/runs.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { closeWorkerPool } from '../../src/ingest/index.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  await writeItemsDir(join(root, 'items'), makeItems(20));
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('the runs of the cases', () => {
  it('every directory row, ingest and floor, yields every Item of the data', async () => {
    const settings = mergeSettings({ concurrency: [1, 3], workers: [1] });
    const cases = fileCases(settings, {
      directory: { path: join(root, 'items'), items: 20, itemBytesAvg: null },
    });
    for (const c of cases)
      expect({ name: c.name, items: (await fileRun(c)()).items }).toEqual({ name: c.name, items: 20 });
  });

  it('a uv-threadpool sweep run refuses a process whose libuv pool is another size', () => {
    const sweep = mergeSettings({ uvSweep: 16 });
    expect(() => checkUvSweep(sweep, { UV_THREADPOOL_SIZE: '8' })).toThrow(
      /UV_THREADPOOL_SIZE is 8 in this process, expected 16/,
    );
    expect(() => checkUvSweep(sweep, { UV_THREADPOOL_SIZE: '16' })).not.toThrow();
    expect(() => checkUvSweep(mergeSettings({}), {})).not.toThrow();
  });
});

describe('paceFor', () => {
  it('gives every run of a bench process one schedule per cap, so --max-rps holds across runs', () => {
    expect(paceFor(4)).toBe(paceFor(4));
    expect(paceFor(4)).not.toBe(paceFor(8));
  });
});
