import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressText, run, totalOf } from '../../src/cli/commands/ingest.js';
import { writeDataset } from '../../src/fixtures/writers.js';
import { ingest } from '../../src/ingest/index.js';
import { startStacApi } from '../../src/mock-api/server.js';
import { makeItems, tempDir, writeItemsDir } from '../support/ingest-data.js';

const COUNT = 1000;

let root: string;
let remove: () => Promise<void>;
let dir: string;
let parquet: string;
let ndjson: string;

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  dir = join(root, 'dir');
  await writeItemsDir(dir, makeItems(COUNT));
  parquet = join(root, 'items.parquet');
  await writeDataset({ format: 'parquet', path: parquet, profile: 'small', count: COUNT, seed: 7 });
  ndjson = join(root, 'items.ndjson');
  await writeDataset({ format: 'ndjson', path: ndjson, profile: 'small', count: COUNT, seed: 7 });
}, 60_000);
afterAll(() => remove());

/**
 * A reader that takes its time, so the ingest waits on it and the progress timer gets its turns
 * whatever the machine's speed (the progress lines are what is checked, not how many there are).
 */
function slowReader(): Writable {
  return new Writable({
    highWaterMark: 1,
    write(_chunk, _enc, done) {
      setTimeout(done, 2);
    },
  });
}

async function progressOf(args: string[]): Promise<{ code: number; progress: string[]; text: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c) => {
    text += c;
  });
  const code = await run([...args, '--progress'], { stdout: slowReader(), stderr }, 1);
  const lines = text.trimEnd().split('\n');
  return { code, progress: lines.filter((l) => /^\d+ (items|of)/.test(l)), text };
}

const withTotal = (total: number, verb = '') =>
  new RegExp(
    `^\\d+ of ${total} items${verb} \\(\\d+%\\), \\d+ failures, \\d+ items/s, ETA (~\\d+(s|m\\d+s)|\\?)$`,
  );
const withoutTotal = /^\d+ items, \d+ failures, \d+ items\/s$/;

describe('ingest --progress: a total and an ETA when the source says how many Items it holds', () => {
  it('shows N of M items for an items directory, M being the files the listing found', async () => {
    const r = await progressOf([dir]);
    expect(r.code, r.text).toBe(0);
    expect(r.progress.length).toBeGreaterThan(0);
    expect(r.progress.at(-1)).toMatch(withTotal(COUNT));
  });

  it('shows N of M items for a Parquet file, M being the rows its footer counts', async () => {
    const r = await progressOf([parquet, '--strategy', 'concurrent']);
    expect(r.code, r.text).toBe(0);
    expect(r.progress.at(-1)).toMatch(withTotal(COUNT));
  });

  it('shows N of M items for a STAC API whose first page reports numberMatched, at most --max-items', async () => {
    const api = await startStacApi({ items: 600, collectionId: 'gen', pageSize: 50 });
    try {
      const all = await progressOf([api.url, '--collection-id', 'gen']);
      expect(all.code, all.text).toBe(0);
      expect(all.progress.at(-1)).toMatch(withTotal(600));
      const some = await progressOf([api.url, '--collection-id', 'gen', '--max-items', '200']);
      expect(some.code, some.text).toBe(0);
      expect(some.progress.at(-1)).toMatch(withTotal(200));
    } finally {
      await api.close();
    }
  });

  it('keeps the count-only line when the total is not known before the end (NDJSON)', async () => {
    const r = await progressOf([ndjson]);
    expect(r.code, r.text).toBe(0);
    expect(r.progress.length).toBeGreaterThan(0);
    expect(r.progress.every((l) => withoutTotal.test(l))).toBe(true);
    const bounded = await progressOf([ndjson, '--max-items', '500']);
    expect(bounded.progress.at(-1)).toMatch(/^\d+ of at most 500 items \(\d+%\)/);
  });

  it('shows N of M items written with --to (the caller placement)', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c) => {
      text += c;
    });
    const out = join(root, 'out');
    const code = await run([dir, '--to', out, '--progress'], { stdout: new PassThrough(), stderr }, 1);
    expect(code, text).toBe(0);
    expect(await readdir(join(out, 'test', 'items'))).toHaveLength(COUNT);
    const progress = text.split('\n').filter((l) => /^\d+ (items|of)/.test(l));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(withTotal(COUNT, ' written'));
  });
});

describe('the progress line', () => {
  it('counts the failed inputs of a source with a count as done, and says "at most" for a --max-items bound', () => {
    expect(progressText(1200, 300, 2, totalOf(3000, undefined))).toBe(
      '1200 of 3000 items (50%), 300 failures, 600 items/s, ETA ~2s',
    );
    expect(progressText(1200, 300, 2, totalOf(3000, 2000))).toBe(
      '1200 of 2000 items (60%), 300 failures, 600 items/s, ETA ~1s',
    );
    expect(progressText(1200, 0, 2, totalOf(undefined, 5000))).toBe(
      '1200 of at most 5000 items (24%), 0 failures, 600 items/s, ETA ~6s',
    );
    expect(progressText(1200, 1, 2, totalOf(undefined, undefined))).toBe(
      '1200 items, 1 failures, 600 items/s',
    );
    expect(progressText(0, 0, 0, totalOf(10, undefined))).toBe(
      '0 of 10 items (0%), 0 failures, 0 items/s, ETA ?',
    );
  });
});

describe('ingest(source, { onTotal })', () => {
  async function totalOfSource(source: string, options: Parameters<typeof ingest>[1] = {}) {
    const seen: number[] = [];
    let n = 0;
    for await (const _ of ingest(source, { ...options, onTotal: (t) => seen.push(t) })) n++;
    return { seen, n };
  }

  it('is told the files of an items directory and the rows of a Parquet file, once, before the end', async () => {
    expect(await totalOfSource(dir, { strategy: 'worker-threads', concurrency: 2 })).toEqual({
      seen: [COUNT],
      n: COUNT,
    });
    expect(await totalOfSource(parquet)).toEqual({ seen: [COUNT], n: COUNT });
  });

  it('is not told for NDJSON, nor when collectionId filters a file source', async () => {
    expect((await totalOfSource(ndjson)).seen).toEqual([]);
    expect((await totalOfSource(dir, { collectionId: 'test' })).seen).toEqual([]);
  });

  it("is told a STAC API search's numberMatched once, by every strategy", async () => {
    const api = await startStacApi({ items: 300, collectionId: 'gen', pageSize: 50 });
    try {
      for (const strategy of ['sequential', 'concurrent', 'worker-threads'] as const) {
        const r = await totalOfSource(api.url, { collectionId: 'gen', strategy, concurrency: 2 });
        expect(r, strategy).toEqual({ seen: [300], n: 300 });
      }
    } finally {
      await api.close();
    }
  });
});
