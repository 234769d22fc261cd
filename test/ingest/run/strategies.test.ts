import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeWorkerPool, FailureCollector, ingest, newIngestStats } from '../../../src/ingest/index.js';
import { sharedPool } from '../../../src/ingest/run/worker-pool.js';
import { STRATEGIES, type StrategyName } from '../../../src/ingest/types.js';
import type { StacItem } from '../../../src/stac/item.js';
import {
  collect,
  ids,
  makeItem,
  makeItems,
  multiset,
  tempDir,
  writeHostileFiles,
  writeItemsDir,
} from '../../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let dir: string;
let clean: string;
let ndjson: string;
let fc: string;
const items = makeItems(2000);

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  dir = join(root, 'dir');
  await writeItemsDir(dir, items);
  await writeHostileFiles(dir);
  clean = join(root, 'clean');
  await writeItemsDir(clean, items.slice(0, 200));
  // ~2.6 MB: three 1 MiB byte ranges, with lines that straddle the range boundaries.
  ndjson = join(root, 'items.ndjson');
  const padded = items.map((i) =>
    JSON.stringify({ ...i, properties: { ...i.properties, pad: 'x'.repeat(1100) } }),
  );
  padded.splice(700, 0, '{"broken', '', '[1,2]');
  await writeFile(ndjson, `${padded.join('\n')}\n`);
  fc = join(root, 'fc.json');
  await writeFile(
    fc,
    JSON.stringify({ type: 'FeatureCollection', features: [...items.slice(0, 500), { id: 3 }] }),
  );
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

const levels: [StrategyName, number, string?][] = [
  ['concurrent', 1],
  ['concurrent', 5],
  ['concurrent', 20],
  ['worker-threads', 1],
  ['worker-threads', 2],
  ['worker-threads', 4],
  ['worker-threads', 2, 'clone'],
  ['worker-threads', 2, 'parse-in-worker'],
];

describe('every strategy yields the sequential strategy’s multiset of items', () => {
  for (const [name, source] of [
    ['an items directory with hostile files', () => dir],
    ['an NDJSON file cut into byte ranges, with bad lines', () => ndjson],
    ['a FeatureCollection with a bad feature', () => fc],
  ] as const) {
    it(`from ${name}`, async () => {
      const base = await collect(source(), { strategy: 'sequential' });
      expect(base.items.length).toBeGreaterThanOrEqual(500);
      expect(base.failures.count).toBeGreaterThan(0);
      const expected = multiset(base.items);
      for (const [strategy, concurrency, variant] of levels) {
        const run = await collect(source(), { strategy, concurrency, variant, batchSize: 37 });
        const label = `${strategy} ${concurrency} ${variant ?? ''}`;
        expect(run.items.length, label).toBe(base.items.length);
        expect(multiset(run.items), label).toEqual(expected);
        expect(run.failures.failures.map((f) => f.source).sort(), label).toEqual(
          base.failures.failures.map((f) => f.source).sort(),
        );
      }
    });
  }

  it('from NDJSON ranges read into reused buffers, run after run, after a consumer that stopped early', async () => {
    const base = await collect(ndjson, { strategy: 'sequential' });
    const expected = multiset(base.items);
    for (const [strategy, concurrency] of [
      ['concurrent', 3],
      ['sequential', 1],
      ['concurrent', 2],
    ] as const) {
      // A consumer that stops inside a range keeps that range's buffer from being reused.
      expect((await collect(ndjson, { strategy, concurrency, maxItems: 5 })).items).toHaveLength(5);
      const run = await collect(ndjson, { strategy, concurrency });
      expect(multiset(run.items), `${strategy} ${concurrency}`).toEqual(expected);
      expect(run.failures.count).toBe(base.failures.count);
    }
  });

  it('from NDJSON read whole (variant whole-file) and by ranges alike', async () => {
    const ranges = await collect(ndjson, { strategy: 'concurrent', concurrency: 4 });
    const whole = await collect(ndjson, { strategy: 'concurrent', variant: 'whole-file' });
    expect(ranges.stats.jobs).toBe(3);
    expect(whole.stats.jobs).toBe(1);
    expect(multiset(whole.items)).toEqual(multiset(ranges.items));
  });
});

describe('backpressure', () => {
  const pausedReads = async (strategy: StrategyName, concurrency: number, batchSize?: number) => {
    const stats = newIngestStats();
    const it = ingest(clean, { strategy, concurrency, stats, batchSize })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    await sleep(150);
    const readsWhilePaused = stats.reads;
    let rest = 0;
    while (!(await it.next()).done) rest++;
    return { readsWhilePaused, total: rest + 1, stats };
  };

  it('a paused consumer stops the reading after the jobs in flight (sequential: one more)', async () => {
    const r = await pausedReads('sequential', 1);
    expect(r.readsWhilePaused).toBeLessThanOrEqual(2);
    expect(r.total).toBe(200);
  });

  it('a paused consumer causes at most concurrency + 1 reads (concurrent)', async () => {
    const r = await pausedReads('concurrent', 4);
    expect(r.readsWhilePaused).toBeLessThanOrEqual(5);
    expect(r.stats.peakInFlight).toBe(4);
    expect(r.total).toBe(200);
  });

  it('a slow consumer that keeps pulling has at most concurrency + 1 files read ahead (concurrent)', async () => {
    const stats = newIngestStats();
    let count = 0;
    let ahead = 0;
    for await (const _ of ingest(clean, { strategy: 'concurrent', concurrency: 4, stats })) {
      count++;
      ahead = Math.max(ahead, stats.reads - count);
      if (count <= 40) await sleep(3);
    }
    expect(count).toBe(200);
    expect(ahead).toBeLessThanOrEqual(5);
  });

  it('a paused consumer causes at most (2 jobs per worker + 1) x batch reads (worker-threads)', async () => {
    const r = await pausedReads('worker-threads', 2, 8);
    expect(r.readsWhilePaused).toBeLessThanOrEqual((2 * 2 + 1) * 8);
    expect(r.total).toBe(200);
  });
});

describe('stopping and selecting', () => {
  for (const strategy of STRATEGIES) {
    it(`maxItems yields exactly that many items and stops reading (${strategy})`, async () => {
      const run = await collect(dir, { strategy, concurrency: 2, maxItems: 25, batchSize: 10 });
      expect(run.items).toHaveLength(25);
      expect(run.stats.reads).toBeLessThan(100);
      expect((await collect(dir, { strategy, maxItems: 0 })).items).toHaveLength(0);
    });
  }

  it('a consumer that breaks out early ends the ingest cleanly', async () => {
    const got: StacItem[] = [];
    for await (const item of ingest(dir, { strategy: 'worker-threads', concurrency: 2 })) {
      got.push(item);
      if (got.length === 3) break;
    }
    expect(got).toHaveLength(3);
  });

  it('an aborted signal stops the ingest with the abort reason', async () => {
    const controller = new AbortController();
    const run = async () => {
      let n = 0;
      for await (const _ of ingest(dir, { strategy: 'concurrent', signal: controller.signal })) {
        if (++n === 10) controller.abort(new Error('enough'));
      }
    };
    await expect(run()).rejects.toThrow('enough');
  });

  it('collectionId keeps only the items of that collection', async () => {
    const mixed = join(root, 'mixed.json');
    await writeFile(mixed, JSON.stringify([makeItem(1, 'a'), makeItem(2, 'b'), makeItem(3, 'a')]));
    expect(ids((await collect(mixed, { collectionId: 'a' })).items)).toEqual(['item-00001', 'item-00003']);
  });
});

describe('worker-threads', () => {
  it('reports the workers’ mean event-loop utilisation, and items as plain objects', async () => {
    const run = await collect(dir, { strategy: 'worker-threads', concurrency: 2 });
    expect(run.stats.workerElu).toBeGreaterThan(0);
    expect(run.stats.workerElu).toBeLessThanOrEqual(1);
    const item = run.items.find((i) => i.id === 'item-00042')!;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(item).toEqual(items[42]);
  });

  it('accounts for every file when a worker dies mid-run: its jobs become failures, a new worker takes over', async () => {
    const failures = new FailureCollector();
    const got: StacItem[] = [];
    // The worker is terminated right after the first job was posted to it, so that job is surely in
    // flight when it dies (killing it from the consumer raced with the replies already on their way).
    const pool = sharedPool();
    const run = pool.run.bind(pool);
    const spy = vi.spyOn(pool, 'run').mockImplementationOnce((job, n, transfer) => {
      const reply = run(job, n, transfer);
      void pool.acquire(n)[0]!.terminate();
      return reply;
    });
    try {
      for await (const item of ingest(clean, {
        strategy: 'worker-threads',
        concurrency: 1,
        batchSize: 10,
        failures,
      })) {
        got.push(item);
      }
    } finally {
      spy.mockRestore();
    }
    expect(failures.count).toBeGreaterThanOrEqual(10);
    expect(
      failures.failures.every((f) => /ingest worker exited .* while running files job /.test(f.reason)),
    ).toBe(true);
    expect(got.length + failures.count).toBe(200);
    const failedIds = failures.failures.map((f) => basename(f.source, '.json'));
    expect([...ids(got), ...failedIds].sort()).toEqual(ids(items.slice(0, 200)));
  });

  it('leaves no worker in use for the other strategies', async () => {
    const run = await collect(dir, { strategy: 'concurrent', concurrency: 2 });
    expect(run.stats.workerElu).toBeNull();
  });
});
