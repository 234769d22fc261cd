import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDirectory, type EnsureDataset, prepareDataPaths } from '../../src/bench/data.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { runSetupSteps, type SetupContext, type SetupStep } from '../../src/vitest/global-setup.js';
import { measuredBench } from '../../src/vitest/measured-bench.js';

function context(provided: Record<string, unknown> = {}): SetupContext {
  return {
    settings: mergeSettings({ formats: [] }),
    provide: ((key: string, value: unknown) => {
      provided[key] = value;
    }) as SetupContext['provide'],
    log: () => {},
  };
}

describe('runSetupSteps', () => {
  it('runs the steps in order and their teardowns in reverse order', async () => {
    const order: string[] = [];
    const step =
      (name: string): SetupStep =>
      () => {
        order.push(`setup ${name}`);
        return () => {
          order.push(`teardown ${name}`);
        };
      };
    const teardown = await runSetupSteps([step('a'), () => undefined, step('b')], context());
    expect(order).toEqual(['setup a', 'setup b']);
    await teardown();
    expect(order).toEqual(['setup a', 'setup b', 'teardown b', 'teardown a']);
  });

  it('tears down the steps already set up when a later step fails, and rethrows', async () => {
    const order: string[] = [];
    const ok: SetupStep = async () => () => {
      order.push('teardown ok');
    };
    const failing: SetupStep = async () => {
      throw new Error('cannot start the local API');
    };
    await expect(runSetupSteps([ok, failing], context())).rejects.toThrow('cannot start the local API');
    expect(order).toEqual(['teardown ok']);
  });
});

describe('prepareDataPaths', () => {
  const fakeEnsure: EnsureDataset = async ({ format, count }) => ({
    path: `/cache/${format}-${count}`,
    items: count,
    bytes: count * 800,
    itemBytesAvg: 800,
  });

  it('prepares one dataset per format through the cache, with the settings size, profile and seed', async () => {
    const calls: unknown[] = [];
    const ensure: EnsureDataset = async (opts) => {
      calls.push(opts);
      return fakeEnsure(opts);
    };
    const settings = mergeSettings({
      formats: ['ndjson', 'parquet'],
      testSize: 200,
      profile: 'sentinel-2',
      seed: 7,
    });
    const paths = await prepareDataPaths(settings, { ensure });
    expect(paths).toEqual({
      ndjson: { path: '/cache/ndjson-200', items: 200, itemBytesAvg: 800 },
      parquet: { path: '/cache/parquet-200', items: 200, itemBytesAvg: 800 },
    });
    expect(calls).toEqual([
      { format: 'ndjson', profile: 'sentinel-2', count: 200, seed: 7 },
      { format: 'parquet', profile: 'sentinel-2', count: 200, seed: 7 },
    ]);
  });

  it('prepares nothing when no format is asked for', async () => {
    const ensure: EnsureDataset = async () => {
      throw new Error('must not be called');
    };
    expect(await prepareDataPaths(mergeSettings({ formats: [] }), { ensure })).toEqual({});
  });

  it("uses the user's own items directory as it is instead of generated data", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'items-'));
    writeFileSync(join(dir, 'a.json'), '{"id":"a"}');
    writeFileSync(join(dir, 'b.json'), '{"id":"bb"}');
    writeFileSync(join(dir, 'notes.txt'), 'not an item');
    const ensure: EnsureDataset = async () => {
      throw new Error('must not be called');
    };
    const paths = await prepareDataPaths(mergeSettings({ directory: dir }), { ensure });
    expect(paths).toEqual({ directory: { path: dir, items: 2, itemBytesAvg: 11 } });
  });
});

describe('describeDirectory', () => {
  it('names the path and the reason when the directory is missing or holds no items', async () => {
    const missing = join(tmpdir(), 'no-such-items-dir-4711');
    await expect(describeDirectory(missing)).rejects.toThrow(`${missing}: cannot read the items directory`);
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    mkdirSync(join(empty, 'sub'));
    await expect(describeDirectory(empty)).rejects.toThrow(`${empty}: no .json item files in the directory`);
  });
});

describe('measuredBench options', () => {
  const dataset = {
    format: 'ndjson',
    items: 1,
    item_bytes_avg: null,
    profile: 'small',
    page_size: null,
    latency_ms: null,
  };
  const base = {
    scenario: 'ndjson',
    strategy: 'sequential',
    concurrency: 1,
    dataset,
    samples: 3,
    warmups: 1,
  } as const;
  const run = async () => ({ items: 1 });

  it('rejects a concurrency, samples or warm-ups that are not whole numbers in range, naming the option', () => {
    expect(() => measuredBench('b', run, { ...base, concurrency: 0 })).toThrow(
      new TypeError("measuredBench 'b': concurrency must be an integer >= 1, got 0"),
    );
    expect(() => measuredBench('b', run, { ...base, samples: 1.5 })).toThrow(
      /samples must be an integer >= 1/,
    );
    expect(() => measuredBench('b', run, { ...base, warmups: -1 })).toThrow(
      /warmups must be an integer >= 0/,
    );
    expect(() => measuredBench('b', run, { ...base, strategy: '' })).toThrow(
      /strategy must be a non-empty string/,
    );
  });

  it('is only available in benchmark mode', () => {
    expect(() => measuredBench('b', run, base)).toThrow(/only available in benchmark mode/);
  });
});
