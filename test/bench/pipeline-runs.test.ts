import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineCase, pipelineCases } from '../../src/bench/cases.js';
import { pipelineRun, RunFolders } from '../../src/bench/pipeline-runs.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { closeWorkerPool } from '../../src/ingest/index.js';
import type { Workload } from '../../src/vitest/measured-bench.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
const ITEMS = 30;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  await writeItemsDir(join(root, 'items'), makeItems(ITEMS));
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The cases of a pipeline from the test directory into `to`. */
function cases(to: 'directory' | 'ndjson'): PipelineCase[] {
  const settings = mergeSettings({});
  settings.pipeline = { ...settings.pipeline, to, concurrency: [3], workers: [1] };
  return pipelineCases(settings, {
    directory: { path: join(root, 'items'), items: ITEMS, itemBytesAvg: null },
  });
}

/** One run as measuredBench and the floors take it: load, before, run, after, unload. */
async function once(work: Workload) {
  await work.load?.();
  await work.beforeRun?.();
  try {
    return await work.run();
  } finally {
    await work.afterRun?.();
    work.unload?.();
  }
}

describe('run folders', () => {
  it('give each run a fresh empty folder and remove it after, and the one a failed run left', async () => {
    const folders = new RunFolders(join(root, 'scratch'));
    await folders.next();
    const first = folders.target('directory').path;
    expect(first.endsWith('/items')).toBe(true);
    expect(await readdir(join(first, '..'))).toEqual([]);
    await folders.next();
    const second = folders.target('ndjson').path;
    expect(second.endsWith('/items.ndjson')).toBe(true);
    expect(await exists(join(first, '..'))).toBe(false);
    await folders.clear();
    expect(await readdir(join(root, 'scratch'))).toEqual([]);
    expect(() => folders.target('directory')).toThrow(/RunFolders\.next\(\) was not called/);
  });
});

describe('the runs of the pipeline cases', () => {
  it('every row writes every Item once through the transforms, timing each stage', async () => {
    for (const c of cases('directory').filter((x) => x.meta.kind === 'ingest')) {
      const folders = new RunFolders(join(root, 'runs'));
      const work = pipelineRun(c, folders);
      await work.beforeRun!();
      const out = folders.target('directory').path;
      const outcome = await work.run();
      expect(outcome, c.name).toMatchObject({ items: ITEMS, failures: 0 });
      const written = await readdir(join(out, 'test', 'items'));
      expect(written.filter((n) => n.endsWith('.json'))).toHaveLength(ITEMS);
      const item = JSON.parse(await readFile(join(out, 'test', 'items', 'item-00000.json'), 'utf8'));
      // The bench's update transform ran: the output catalog's links and the new asset base.
      expect(item.links.find((l: { rel: string }) => l.rel === 'self').href).toBe(
        'https://stac.example.org/test/items/item-00000.json',
      );
      expect(item.properties['processing:software']).toEqual({ 'stac-ingest-bench': '1' });
      const stages = outcome.stageSeconds!;
      expect(Object.values(stages).every((s) => s >= 0)).toBe(true);
      expect(stages.transform).toBeGreaterThan(0);
      await work.afterRun!();
      expect(await exists(out)).toBe(false);
    }
  });

  it('the write-only floor writes the held, transformed Items into the same sink, NDJSON included', async () => {
    for (const to of ['directory', 'ndjson'] as const) {
      const c = cases(to).find((x) => x.meta.strategy === 'write-only')!;
      expect(await once(pipelineRun(c, new RunFolders(join(root, 'floors'))))).toEqual({ items: ITEMS });
    }
    expect(await readdir(join(root, 'floors'))).toEqual([]);
  });

  it('the transform-only floor transforms every held Item, the same Items in every run', async () => {
    const c = cases('directory').find((x) => x.meta.strategy === 'transform-only')!;
    const work = pipelineRun(c);
    await work.load!();
    expect(await work.run()).toEqual({ items: ITEMS, failures: 0 });
    expect(await work.run()).toEqual({ items: ITEMS, failures: 0 });
    work.unload!();
    await expect(work.run()).rejects.toThrow(/its Items were not loaded/);
  });
});
