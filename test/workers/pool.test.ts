import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { apiWorkerPool, closeApiWorkers } from '../../src/ingest/api/worker-pool.js';
import { closeWorkerPool, sharedPool } from '../../src/ingest/run/worker-pool.js';
import { eluSnapshot, lazyShared, meanElu, Pool, type PoolOptions } from '../../src/workers/pool.js';
import { spawnWorker } from '../../src/workers/spawn.js';

const run = promisify(execFile);
const ENTRY = new URL('../support/pool-worker.js', import.meta.url);

const pools: Pool[] = [];
function testPool(options: Partial<PoolOptions> = {}): Pool {
  const pool = new Pool({ label: 'test', entry: ENTRY, ...options });
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('the worker pool', () => {
  it('runs a job by name in a worker and answers with its result', async () => {
    const pool = testPool();
    expect(await pool.run('echo', { a: [1, 2] }, 1)).toEqual({ a: [1, 2] });
  });

  it('rejects a job whose handler throws with its message, and the worker goes on serving', async () => {
    const pool = testPool();
    await expect(pool.run('fail', 'bad input', 1)).rejects.toThrow('bad input');
    expect(await pool.run('echo', 'still here', 1)).toBe('still here');
    expect(pool.size).toBe(1);
  });

  it('rejects a job name the worker entry does not know, naming it', async () => {
    const pool = testPool();
    await expect(pool.run('nope', null, 1)).rejects.toThrow("no worker job named 'nope'");
  });

  it('moves the buffers of a transfer list both ways instead of copying them', async () => {
    const pool = testPool();
    const sent = new ArrayBuffer(16);
    const back = pool.run<ArrayBuffer>('bytes', sent, 1, [sent]);
    expect(sent.byteLength).toBe(0);
    expect((await back).byteLength).toBe(32);
  });

  it('rejects every pending job of a worker that dies, naming the job and how the worker ended', async () => {
    const pool = testPool({ describe: (name, data) => `${name} job #${String(data)}` });
    const [worker] = pool.acquire(1);
    const pending = [pool.run('hang', 1, 1), pool.run('hang', 2, 1)];
    const exit = pool.run('exit', 3, 1);
    await expect(pending[0]).rejects.toThrow('test worker exited (code 3) while running hang job #1');
    await expect(pending[1]).rejects.toThrow('test worker exited (code 3) while running hang job #2');
    await expect(exit).rejects.toThrow('test worker exited (code 3) while running exit job #3');
    expect(pool.size).toBe(0);
    const [replacement] = pool.acquire(1);
    expect(replacement).not.toBe(worker);
    expect(await pool.run('echo', 'from the new worker', 1)).toBe('from the new worker');
  });

  it('names a job with a default description when none is given', async () => {
    const pool = testPool();
    await expect(pool.run('exit', 1, 1)).rejects.toThrow(
      "test worker exited (code 1) while running job 'exit'",
    );
  });

  it('rejects the pending jobs of the workers it closes, and starts new workers afterwards', async () => {
    const pool = testPool();
    const pending = pool.run('hang', null, 1);
    await pool.close();
    await expect(pending).rejects.toThrow(/test worker exited .* while running job 'hang'/);
    expect(await pool.run('echo', 'again', 1)).toBe('again');
  });

  it('sends each job to the least busy of the first n workers only', async () => {
    const pool = testPool();
    const workers = pool.acquire(3);
    const ids = workers.map((w) => w.threadId);
    // Two at once on n = 2: one each; then four on n = 2: never the third worker.
    const two = await Promise.all([pool.run<number>('where', 50, 2), pool.run<number>('where', 50, 2)]);
    expect(new Set(two)).toEqual(new Set(ids.slice(0, 2)));
    const four = await Promise.all([1, 2, 3, 4].map(() => pool.run<number>('where', 20, 2)));
    expect(four.filter((id) => id === ids[0])).toHaveLength(2);
    expect(four.filter((id) => id === ids[1])).toHaveLength(2);
  });

  it('runs a job that talks: its messages reach the caller, and the caller’s reach the job', async () => {
    const pool = testPool();
    const heard: unknown[] = [];
    const task = pool.start<unknown[]>('talk', null, 1, (m) => {
      heard.push(m);
      if (m === 'hello') task.post('one');
      if (m === 'echo one') task.post('stop');
    });
    expect(await task.result).toEqual(['one']);
    expect(heard).toEqual(['hello', 'echo one']);
  });

  it('delivers messages sent to a job before its handler listened (the handler still loading)', async () => {
    const pool = testPool();
    const task = pool.start<unknown[]>('talk', null, 1, () => undefined);
    task.post('early');
    task.post('stop');
    expect(await task.result).toEqual(['early']);
  });

  it('measures the mean event-loop utilisation of the workers used, between 0 and 1', async () => {
    const pool = testPool();
    const workers = pool.acquire(2);
    const start = eluSnapshot(workers);
    await Promise.all([pool.run('spin', 100, 2), pool.run('spin', 100, 2)]);
    const elu = meanElu(workers, start)!;
    expect(elu).toBeGreaterThan(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(meanElu([], [])).toBeNull();
  });
});

describe('a process using the worker pool', () => {
  const child = (mode: string) =>
    run(process.execPath, ['--import', 'tsx', 'test/support/pool-child.ts', mode], {
      cwd: process.cwd(),
      timeout: 30_000,
    });

  it('exits on its own while the pool’s workers are idle (never closed)', async () => {
    const { stdout } = await child('idle');
    expect(stdout.trim()).toBe('answered');
  });

  it('stays alive while a worker has a job, even with nothing else to wait for', async () => {
    const { stdout } = await child('working');
    expect(stdout.trim()).toBe('answered after 300 ms');
  });
});

describe('the shared pools', () => {
  it('are created once and reused, and a new one is created after closing', async () => {
    let created = 0;
    const shared = lazyShared(() => {
      created++;
      return testPool();
    });
    const first = shared.get();
    expect(shared.get()).toBe(first);
    await shared.close();
    expect(shared.get()).not.toBe(first);
    expect(created).toBe(2);
  });

  it('of the file ingest and the API crawl are each one instance until closed', async () => {
    const files = sharedPool();
    expect(sharedPool()).toBe(files);
    await closeWorkerPool();
    expect(sharedPool()).not.toBe(files);
    const api = apiWorkerPool();
    expect(apiWorkerPool()).toBe(api);
    await closeApiWorkers();
    expect(apiWorkerPool()).not.toBe(api);
    await closeWorkerPool();
  });
});

describe('spawnWorker', () => {
  it('starts a compiled .js worker with no .ts beside it directly, without the tsx boot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compiled-worker-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(dir, 'worker.js'),
      "import { parentPort, workerData } from 'node:worker_threads';\n" +
        'parentPort.postMessage({ workerData, url: import.meta.url });\n',
    );
    const entry = pathToFileURL(join(dir, 'worker.js'));
    const worker = spawnWorker(entry, { workerData: { answer: 42 } });
    const [msg] = (await once(worker, 'message')) as [{ workerData: unknown; url: string }];
    await worker.terminate();
    // Booted through boot.mjs it would see the boot's `__entry` in its workerData.
    expect(msg).toEqual({ workerData: { answer: 42 }, url: entry.href });
  });

  it('says which entry it could not find', () => {
    const missing = pathToFileURL(join(tmpdir(), 'no-such-worker.js'));
    expect(() => spawnWorker(missing)).toThrow(/worker entry not found: .*no-such-worker\.js/);
  });
});
