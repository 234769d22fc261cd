import { describe, expect, it } from 'vitest';
import { apiCases, fileCases, parquetCases, pipelineCases } from '../../src/bench/cases.js';
import type { DataPaths } from '../../src/bench/data.js';
import { plannedBenches } from '../../src/bench/plan.js';
import { mergeSettings } from '../../src/bench/settings.js';
import { resultKey } from '../../src/profiling/result.js';
import { LOCAL_BENCH_API } from '../support/bench-api.js';

const data = (path: string, items = 300) => ({ path, items, itemBytesAvg: 1200 });
const dataPaths: DataPaths = {
  directory: data('/d/items'),
  'feature-collection': data('/d/fc.json'),
  ndjson: data('/d/items.ndjson'),
  catalog: data('/d/catalog/catalog.json'),
  parquet: data('/d/items.parquet'),
};
const stacApi = LOCAL_BENCH_API;

describe('plannedBenches: the benches of every bench file, before any runs', () => {
  const settings = mergeSettings({ samples: 3, warmups: 1 });
  const inputs = { settings, dataPaths, stacApi };

  it('names the same benches, in the same order, as the cases each bench file registers', () => {
    const names = (path: string) => plannedBenches(path, inputs)!.map((b) => b.name);
    expect(names('/p/bench/file-io.bench.ts')).toEqual(fileCases(settings, dataPaths).map((c) => c.name));
    expect(names('/p/bench/parquet.bench.ts')).toEqual(parquetCases(settings, dataPaths).map((c) => c.name));
    expect(names('/p/bench/api.bench.ts')).toEqual(apiCases(settings, stacApi).map((c) => c.name));
    expect(names('/p/bench/pipeline.bench.ts')).toEqual(
      pipelineCases(settings, dataPaths).map((c) => c.name),
    );
  });

  it('narrows them with --only, and knows nothing of other bench files', () => {
    const only = { ...inputs, settings: mergeSettings({ only: ['ndjson'] }) };
    const names = plannedBenches('/p/bench/file-io.bench.ts', only)!.map((b) => b.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('ndjson'))).toBe(true);
    expect(plannedBenches('/p/bench/api.bench.ts', only)).toEqual([]);
    expect(plannedBenches('/p/bench/trivial.bench.ts', inputs)).toBeNull();
  });

  it('weighs a bench by its Items times its runs, and an interleaved floor by nothing', () => {
    const file = plannedBenches('/p/bench/file-io.bench.ts', inputs)!;
    const cases = fileCases(settings, dataPaths);
    const row = cases.find((c) => c.meta.kind !== 'floor')!;
    const floor = cases.find((c) => c.meta.kind === 'floor')!;
    expect(file.find((b) => b.name === row.name)!.weight).toBe(300 * (row.meta.samples + row.meta.warmups));
    expect(file.find((b) => b.name === floor.name)!.weight).toBe(0);
    const api = plannedBenches('/p/bench/api.bench.ts', inputs)!;
    expect(api.every((b) => b.weight > 0 && !b.interleaved)).toBe(true);
    expect(file.find((b) => b.name === floor.name)!.interleaved).toBe(true);
  });

  it("names each bench's results key, and groups benches by scenario and dataset size", () => {
    const api = plannedBenches('/p/bench/api.bench.ts', inputs)!;
    const cases = apiCases(settings, stacApi);
    expect(api.map((b) => b.key)).toEqual(cases.map((c) => resultKey(c.meta)));
    expect(new Set(api.map((b) => b.group))).toEqual(new Set(['api-search/100', 'api-search/10000']));
    const file = plannedBenches('/p/bench/file-io.bench.ts', inputs)!;
    expect(new Set(file.map((b) => b.group))).toEqual(
      new Set(['directory/300', 'feature-collection/300', 'ndjson/300', 'catalog/300']),
    );
  });
});
