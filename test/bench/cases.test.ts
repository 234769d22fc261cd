import { describe, expect, it } from 'vitest';
import type { BenchApiInfo } from '../../src/bench/api.js';
import {
  type ApiCase,
  apiCases,
  byGroup,
  type FileCase,
  fileCases,
  floorSlots,
  parquetCases,
  pipelineCases,
} from '../../src/bench/cases.js';
import type { DataPaths } from '../../src/bench/data.js';
import { type BenchSettings, mergeSettings } from '../../src/bench/settings.js';
import { resultKey } from '../../src/profiling/result.js';
import { LOCAL_BENCH_API } from '../support/bench-api.js';

const settings = (partial: Partial<BenchSettings> = {}): BenchSettings =>
  mergeSettings({ concurrency: [1, 5, 10, 20], workers: [1, 2, 4], samples: 3, warmups: 1, ...partial });

const data = (path: string) => ({ path, items: 300, itemBytesAvg: 1200 });
const ALL: DataPaths = {
  directory: data('/d/items'),
  'feature-collection': data('/d/fc.json'),
  ndjson: data('/d/items.ndjson'),
  catalog: data('/d/catalog/catalog.json'),
  parquet: data('/d/items.parquet'),
};

const LOCAL = LOCAL_BENCH_API;
const REAL: BenchApiInfo = {
  url: 'https://stac.example.com',
  local: false,
  collections: [{ id: 'sentinel-2-l2a', items: 500 }],
  pageSize: null,
  latencyMs: null,
  controlUrl: null,
};

const names = (cases: readonly (FileCase | ApiCase)[]) => cases.map((c) => c.name);
const keys = (cases: readonly (FileCase | ApiCase)[]) => cases.map((c) => resultKey(c.meta));
const ingestRows = <C extends FileCase | ApiCase>(cases: readonly C[]) =>
  cases.filter((c) => c.meta.kind === 'ingest');
const of = (cases: readonly FileCase[], scenario: string) =>
  cases.filter((c) => c.meta.scenario === scenario);

describe('file cases', () => {
  const cases = fileCases(settings(), ALL);

  it('are the directory rows of today, by name, in order', () => {
    expect(
      names(of(fileCases(settings({ concurrency: [1, 4], workers: [1, 2] }), ALL), 'directory')),
    ).toEqual([
      'directory sequential x1',
      'directory concurrent x1',
      'directory concurrent x4',
      'directory worker-threads x1',
      'directory worker-threads x2',
      'directory worker-threads parse-in-worker x1',
      'directory worker-threads clone x1',
      'directory floor read-only',
      'directory floor parse-only',
    ]);
  });

  it('group the JSON scenarios in the order directory, feature-collection, ndjson, catalog', () => {
    expect([...byGroup(cases).keys()]).toEqual(['directory', 'feature-collection', 'ndjson', 'catalog']);
    for (const [group, rows] of byGroup(cases))
      expect(rows.every((c) => c.meta.scenario === group)).toBe(true);
  });

  it('leave Parquet to its own bench file', () => {
    expect(of(cases, 'parquet')).toEqual([]);
  });

  it('sequential runs only at concurrency 1', () => {
    const sequential = cases.filter((c) => c.meta.strategy === 'sequential');
    expect(sequential.length).toBeGreaterThan(0);
    expect(sequential.every((c) => c.meta.concurrency === 1)).toBe(true);
  });

  it('concurrent and worker-threads run at every level of the settings, in order', () => {
    for (const scenario of ['directory', 'ndjson', 'catalog']) {
      const plain = of(cases, scenario).filter((c) => c.meta.kind === 'ingest' && c.meta.variant === null);
      const levels = (strategy: string) =>
        plain.filter((c) => c.meta.strategy === strategy).map((c) => c.meta.concurrency);
      expect(levels('concurrent')).toEqual([1, 5, 10, 20]);
      expect(levels('worker-threads')).toEqual([1, 2, 4]);
    }
  });

  it('a FeatureCollection is measured only at the smallest levels', () => {
    expect(names(of(cases, 'feature-collection'))).toEqual([
      'feature-collection sequential x1',
      'feature-collection concurrent x1',
      'feature-collection worker-threads x1',
      'feature-collection sequential whole-file x1',
      'feature-collection floor read-only',
      'feature-collection floor parse-only',
    ]);
  });

  it("the directory's other hand-overs run at the middle worker level, the lower of two middles", () => {
    const handovers = (workers: number[]) =>
      of(fileCases(settings({ workers }), ALL), 'directory')
        .filter((c) => c.meta.variant !== null && c.meta.kind === 'ingest')
        .map((c) => [c.meta.strategy, c.meta.variant, c.meta.concurrency]);
    expect(handovers([1, 2, 4])).toEqual([
      ['worker-threads', 'parse-in-worker', 2],
      ['worker-threads', 'clone', 2],
    ]);
    expect(handovers([1, 2, 4, 8])).toEqual([
      ['worker-threads', 'parse-in-worker', 2],
      ['worker-threads', 'clone', 2],
    ]);
    expect(handovers([3])).toEqual([
      ['worker-threads', 'parse-in-worker', 3],
      ['worker-threads', 'clone', 3],
    ]);
  });

  it('NDJSON compares whole-file parses (sequential, and concurrent at the top level) and workers that parse', () => {
    const variants = of(cases, 'ndjson')
      .filter((c) => c.meta.kind === 'ingest' && c.meta.variant !== null)
      .map((c) => c.name);
    expect(variants).toEqual([
      'ndjson sequential whole-file x1',
      'ndjson concurrent whole-file x20',
      'ndjson worker-threads parse-in-worker x2',
    ]);
  });

  it('a catalog is measured without variants', () => {
    expect(of(cases, 'catalog').filter((c) => c.meta.kind === 'ingest' && c.meta.variant !== null)).toEqual(
      [],
    );
  });

  it('every scenario gets its read-only and parse-only floors, last', () => {
    for (const rows of byGroup(cases).values()) {
      const floors = rows.slice(-2);
      expect(floors.map((c) => [c.meta.kind, c.meta.strategy, c.meta.variant, c.meta.concurrency])).toEqual([
        ['floor', 'read-only', 'sync-reused-buffer', 1],
        ['floor', 'parse-only', 'json-parse-in-memory', 1],
      ]);
      expect(floors.map((c) => c.work)).toEqual([
        { run: 'read-only', format: rows[0]!.meta.scenario, source: rows[0]!.work.source },
        { run: 'parse-only', format: rows[0]!.meta.scenario, source: rows[0]!.work.source },
      ]);
      expect(rows.slice(0, -2).every((c) => c.meta.kind === 'ingest')).toBe(true);
    }
  });

  it("an ingest row ingests its scenario's data with its strategy, level and variant", () => {
    const row = cases.find((c) => c.name === 'directory worker-threads clone x2');
    expect(row?.work).toEqual({
      run: 'ingest',
      format: 'directory',
      source: '/d/items',
      options: { strategy: 'worker-threads', concurrency: 2, variant: 'clone' },
    });
    expect(cases.find((c) => c.name === 'catalog concurrent x5')?.work).toEqual({
      run: 'ingest',
      format: 'catalog',
      source: '/d/catalog/catalog.json',
      options: { strategy: 'concurrent', concurrency: 5 },
    });
  });

  it('record the dataset, the samples and the warm-ups of the settings', () => {
    const row = cases[0]!;
    expect(row.meta.dataset).toEqual({
      format: 'directory',
      items: 300,
      item_bytes_avg: 1200,
      profile: 'small',
      page_size: null,
      latency_ms: null,
    });
    expect(cases.every((c) => c.meta.samples === 3 && c.meta.warmups === 1)).toBe(true);
  });

  it("a user's own directory is recorded with profile 'user'", () => {
    const own = fileCases(settings({ directory: '/home/me/items' }), { directory: data('/home/me/items') });
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((c) => c.meta.dataset.profile === 'user')).toBe(true);
  });

  it('a scenario without data has no rows', () => {
    const some = fileCases(settings(), { ndjson: ALL.ndjson });
    expect([...byGroup(some).keys()]).toEqual(['ndjson']);
    expect(fileCases(settings(), {})).toEqual([]);
  });

  it("the uv-threadpool sweep measures only the directory's concurrent rows, as variant uv-threadpool-N", () => {
    const swept = fileCases(settings({ uvSweep: 16, concurrency: [1, 8] }), ALL);
    expect(names(swept)).toEqual([
      'directory concurrent uv-threadpool-16 x1',
      'directory concurrent uv-threadpool-16 x8',
    ]);
    expect(keys(swept)).toEqual([
      'directory/300/concurrent/uv-threadpool-16/1',
      'directory/300/concurrent/uv-threadpool-16/8',
    ]);
    // The pool size is the process's: the ingest itself runs with no variant.
    expect(swept.map((c) => c.work)).toEqual([
      {
        run: 'ingest',
        format: 'directory',
        source: '/d/items',
        options: { strategy: 'concurrent', concurrency: 1 },
      },
      {
        run: 'ingest',
        format: 'directory',
        source: '/d/items',
        options: { strategy: 'concurrent', concurrency: 8 },
      },
    ]);
  });

  it('keys are unique', () => {
    const all = keys(cases);
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses two collections of one size, naming the benches and the key they would share', () => {
    const twins: BenchApiInfo = {
      ...LOCAL,
      collections: [
        { id: 'a', items: 100 },
        { id: 'b', items: 100 },
      ],
    };
    expect(() => apiCases(settings(), twins)).toThrow(
      "the benches 'api-search a sequential x1' and 'api-search b sequential x1' would record the same result key 'api-search/100/sequential/1'",
    );
  });
});

describe('Parquet cases', () => {
  const cases = parquetCases(settings(), ALL);

  it('run the default reader at every level, then the heap-hungry readers and whole-file reads, then the floors', () => {
    expect(names(cases)).toEqual([
      'parquet sequential x1',
      'parquet concurrent x1',
      'parquet concurrent x5',
      'parquet concurrent x10',
      'parquet concurrent x20',
      'parquet worker-threads x1',
      'parquet worker-threads x2',
      'parquet worker-threads x4',
      'parquet sequential parquet-wasm+whole-file x1',
      'parquet sequential hyparquet x1',
      'parquet sequential hyparquet+whole-file x1',
      'parquet sequential parquetjs x1',
      'parquet write hyparquet-writer (300 items)',
      'parquet write parquet-wasm (300 items)',
      'parquet write parquetjs (300 items)',
      'parquet floor read-only',
      'parquet floor decode-only',
    ]);
    expect([...byGroup(cases).keys()]).toEqual(['parquet']);
  });

  it('write the first 2,000 Items (here all 300) with each candidate writer, cheaply, as sequential variants', () => {
    const writes = parquetCases(settings({ samples: 5, warmups: 3 }), ALL).filter(
      (c) => c.work.run === 'write',
    );
    expect(
      writes.map((c) => [c.meta.kind, c.meta.strategy, c.meta.variant, c.meta.samples, c.meta.warmups]),
    ).toEqual([
      ['ingest', 'sequential', 'write-300:hyparquet-writer', 2, 1],
      ['ingest', 'sequential', 'write-300:parquet-wasm', 2, 1],
      ['ingest', 'sequential', 'write-300:parquetjs', 1, 0],
    ]);
    expect(writes[0]!.work).toEqual({
      run: 'write',
      format: 'parquet',
      source: '/d/items.parquet',
      writer: 'hyparquet-writer',
      items: 300,
    });
  });

  it('run the two slow readers with at most 2 samples and 1 warm-up', () => {
    const runs = (many: BenchSettings) =>
      parquetCases(many, ALL).map((c) => [c.meta.variant, c.meta.samples, c.meta.warmups]);
    expect(runs(settings({ samples: 5, warmups: 3 })).slice(7, 12)).toEqual([
      [null, 5, 3],
      ['parquet-wasm+whole-file', 5, 3],
      ['hyparquet', 2, 1],
      ['hyparquet+whole-file', 2, 1],
      ['parquetjs', 2, 1],
    ]);
    expect(runs(settings({ samples: 1, warmups: 0 })).every(([, s, w]) => s === 1 && w === 0)).toBe(true);
  });

  it('have a read-only floor and a decode-only floor recorded as parse-only', () => {
    expect(cases.slice(-2).map((c) => [c.meta.kind, c.meta.strategy, c.meta.variant, c.work.run])).toEqual([
      ['floor', 'read-only', 'sync-reused-buffer', 'read-only'],
      ['floor', 'parse-only', 'parquet-wasm-decode-in-memory', 'decode-only'],
    ]);
  });

  it('record the profile of the settings even for a user directory run', () => {
    expect(parquetCases(settings({ directory: '/x' }), ALL)[0]!.meta.dataset.profile).toBe('small');
  });

  it('are none without Parquet data', () => {
    expect(parquetCases(settings(), { directory: ALL.directory })).toEqual([]);
  });

  it('keys are unique', () => {
    const all = keys(cases);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('api-search cases', () => {
  const sizes = new Map([
    ['bench-small', 900],
    ['bench-large', 950],
  ]);
  const cases = apiCases(settings(), LOCAL, sizes);

  it('search each collection at every level, then fetch its pages at each of those levels', () => {
    expect([...byGroup(cases).keys()]).toEqual(['api-search bench-small', 'api-search bench-large']);
    expect(names(cases.filter((c) => c.group === 'api-search bench-small'))).toEqual([
      'api-search bench-small sequential x1',
      'api-search bench-small concurrent x5',
      'api-search bench-small concurrent x10',
      'api-search bench-small concurrent x20',
      'api-search bench-small worker-threads x1',
      'api-search bench-small worker-threads x2',
      'api-search bench-small worker-threads x4',
      'api-search bench-small floor pages x1',
      'api-search bench-small floor pages x2',
      'api-search bench-small floor pages x4',
      'api-search bench-small floor pages x5',
      'api-search bench-small floor pages x10',
      'api-search bench-small floor pages x20',
    ]);
  });

  it('concurrent at 1 is not measured (it is the sequential path)', () => {
    expect(cases.some((c) => c.meta.strategy === 'concurrent' && c.meta.concurrency === 1)).toBe(false);
  });

  it('a pages floor runs at every level a search row runs at, once each, and at no other', () => {
    const floorLevels = (s: BenchSettings) =>
      apiCases(s, LOCAL)
        .filter((c) => c.group === 'api-search bench-large' && c.meta.kind === 'floor')
        .map((c) => c.meta.concurrency);
    const searchLevels = (s: BenchSettings) => [
      ...new Set(
        ingestRows(apiCases(s, LOCAL))
          .filter((c) => c.group === 'api-search bench-large')
          .map((c) => c.meta.concurrency),
      ),
    ];
    for (const s of [
      settings(),
      settings({ concurrency: [1, 4], workers: [4, 8] }),
      settings({ concurrency: [1], workers: [1] }),
    ]) {
      expect(floorLevels(s)).toEqual(searchLevels(s).sort((a, b) => a - b));
    }
    expect(floorLevels(settings({ concurrency: [1, 4], workers: [4, 8] }))).toEqual([1, 4, 8]);
  });

  it('a pages floor is keyed apart from every search row and fetches its collection with that many in flight', () => {
    const floor = cases.find((c) => c.name === 'api-search bench-large floor pages x10')!;
    expect(floor.meta).toMatchObject({
      kind: 'floor',
      strategy: 'pages',
      variant: 'bodies-discarded',
      concurrency: 10,
    });
    expect(resultKey(floor.meta)).toBe('api-search/10000/pages/bodies-discarded/10');
    expect(floor.work).toEqual({ run: 'pages', collectionId: 'bench-large', inFlight: 10 });
  });

  it('the floors run the same samples and warm-ups as the rows they bound', () => {
    const few = apiCases(settings({ samples: 5, warmups: 2 }), LOCAL);
    // At one request in flight (sequential, the floor) and, on the second collection (whose
    // crawl workers the first one's rows started), at one or two.
    const atOne = (c: (typeof few)[number]) =>
      (c.meta.concurrency === 1 && c.meta.strategy !== 'worker-threads') ||
      (c.meta.concurrency <= 2 && c.meta.dataset.items === 10_000);
    expect(few.filter((c) => !atOne(c)).every((c) => c.meta.samples === 5 && c.meta.warmups === 2)).toBe(
      true,
    );
    expect(few.filter(atOne).every((c) => c.meta.samples === 2 && c.meta.warmups === 0)).toBe(true);
  });

  it('run the rows and floors with one request in flight twice and without a warm-up (each run lasts seconds)', () => {
    const one = apiCases(settings({ samples: 3, warmups: 1 }), LOCAL).filter(
      (c) => c.meta.strategy === 'sequential' || (c.meta.kind === 'floor' && c.meta.concurrency === 1),
    );
    expect(one.length).toBeGreaterThan(0);
    expect(one.map((c) => [c.meta.samples, c.meta.warmups])).toEqual(one.map(() => [2, 0]));
  });

  it('record the collection, its page size, latency and item size as the dataset', () => {
    expect(cases[0]!.meta.dataset).toEqual({
      format: 'stac-api',
      items: 100,
      item_bytes_avg: 900,
      profile: 'small',
      page_size: 100,
      latency_ms: 50,
    });
    expect(apiCases(settings(), LOCAL)[0]!.meta.dataset.item_bytes_avg).toBeNull();
  });

  it('search the local API whole, with the highest level asked for as the remote concurrency cap', () => {
    expect(cases.find((c) => c.name === 'api-search bench-small worker-threads x2')!.work).toEqual({
      run: 'ingest',
      url: LOCAL.url,
      options: {
        collectionId: 'bench-small',
        strategy: 'worker-threads',
        concurrency: 2,
        maxItems: undefined,
        maxRemoteConcurrency: 20,
      },
    });
  });

  it('a real API has no pages floors, profile real, and its searches stop at maxItems', () => {
    const s = settings();
    s.api.maxItems = 500;
    const real = apiCases(s, REAL);
    expect(real.some((c) => c.meta.kind === 'floor')).toBe(false);
    expect(real.every((c) => c.meta.dataset.profile === 'real')).toBe(true);
    expect(ingestRows(real).map((c) => (c.work.run === 'ingest' ? c.work.options.maxItems : null))).toEqual(
      real.map(() => 500),
    );
  });

  it("a real API's searches keep --max-rps; the local API's are not capped", () => {
    const s = settings();
    s.api.maxRps = 3;
    const rps = (cases: ApiCase[]) =>
      ingestRows(cases).map((c) => (c.work.run === 'ingest' ? c.work.options.maxRps : null));
    expect(rps(apiCases(s, REAL))).toEqual(ingestRows(apiCases(s, REAL)).map(() => 3));
    expect(rps(apiCases(s, LOCAL)).every((v) => v === undefined)).toBe(true);
  });

  it('are none when API benchmarks are off', () => {
    expect(apiCases(settings(), null)).toEqual([]);
  });

  it('keys are unique', () => {
    const all = keys(cases);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('pipeline cases', () => {
  /** The pipeline's settings with worker levels 1 and 2 (the default measures 2 only). */
  const twoLevels = (s = settings()) => {
    s.pipeline = { ...s.pipeline, workers: [1, 2] };
    return s;
  };
  const cases = pipelineCases(twoLevels(), ALL);

  it('feed the caller placement with sequential at 1, then concurrent and worker-threads at the pipeline levels, then sharded at the worker levels, floors last', () => {
    expect(names(cases as never)).toEqual([
      'pipeline caller ingest=sequential x1',
      'pipeline caller ingest=concurrent x10',
      'pipeline caller ingest=worker-threads x1',
      'pipeline caller ingest=worker-threads x2',
      'pipeline sharded x1',
      'pipeline sharded x2',
      'pipeline floor write-only',
      'pipeline floor transform-only',
    ]);
  });

  it('use the pipeline levels, not the file levels', () => {
    const s = settings({ concurrency: [1, 5, 10, 20], workers: [1, 2, 4] });
    s.pipeline = { ...s.pipeline, concurrency: [5, 20], workers: [2] };
    expect(pipelineCases(s, ALL).map((c) => c.meta.variant)).toEqual([
      'ingest=sequential:1',
      'ingest=concurrent:5',
      'ingest=concurrent:20',
      'ingest=worker-threads:2',
      null,
      'pre-serialized',
      'update+validate',
    ]);
  });

  it('record the placement as strategy, the ingest level as concurrency, and what the pipeline runs', () => {
    const row = cases[3]!;
    expect(row.meta).toMatchObject({
      scenario: 'pipeline',
      kind: 'ingest',
      strategy: 'caller',
      concurrency: 2,
      variant: 'ingest=worker-threads:2',
      pipeline: { source: 'directory', transforms: ['update', 'validate'], sink: 'directory' },
    });
    expect(resultKey(row.meta)).toBe('pipeline/300/caller/ingest=worker-threads:2/2');
    expect(row.work).toEqual({
      run: 'pipeline',
      source: '/d/items',
      format: 'directory',
      ingest: { strategy: 'worker-threads', concurrency: 2 },
      transforms: ['update', 'validate'],
      to: 'directory',
    });
  });

  it('record a sharded row as strategy sharded, its workers as concurrency, no variant, and run the sharded placement', () => {
    const row = cases.find((c) => c.name === 'pipeline sharded x2')!;
    expect(row.meta).toMatchObject({
      scenario: 'pipeline',
      kind: 'ingest',
      strategy: 'sharded',
      concurrency: 2,
      variant: null,
      pipeline: { source: 'directory', transforms: ['update', 'validate'], sink: 'directory' },
    });
    expect(resultKey(row.meta)).toBe('pipeline/300/sharded/2');
    expect(row.work).toEqual({
      run: 'sharded',
      source: '/d/items',
      format: 'directory',
      workers: 2,
      transforms: ['update', 'validate'],
      to: 'directory',
    });
  });

  it('measure only the placements the settings name', () => {
    const s = twoLevels();
    s.pipeline = { ...s.pipeline, placements: ['sharded'] };
    expect(names(pipelineCases(s, ALL) as never)).toEqual([
      'pipeline sharded x1',
      'pipeline sharded x2',
      'pipeline floor write-only',
      'pipeline floor transform-only',
    ]);
    s.pipeline = { ...s.pipeline, placements: ['caller'] };
    expect(pipelineCases(s, ALL).some((c) => c.meta.strategy === 'sharded')).toBe(false);
  });

  it('have a write-only floor into the same sink and a transform-only floor of the same transforms', () => {
    const [write, transform] = cases.filter((c) => c.meta.kind === 'floor');
    expect(write!.meta).toMatchObject({ strategy: 'write-only', variant: 'pre-serialized', concurrency: 1 });
    expect(write!.meta.pipeline).toEqual({ source: 'directory', transforms: [], sink: 'directory' });
    expect(write!.work).toMatchObject({
      run: 'write-only',
      to: 'directory',
      transforms: ['update', 'validate'],
    });
    expect(transform!.meta.pipeline).toEqual({
      source: 'directory',
      transforms: ['update', 'validate'],
      sink: null,
    });
    expect(transform!.work).toMatchObject({ run: 'transform-only', source: '/d/items' });
  });

  it('read the source and write the sink the settings name, with no transform-only floor without transforms', () => {
    const s = twoLevels();
    s.pipeline = { ...s.pipeline, from: 'ndjson', to: 'ndjson', transforms: [] };
    const ndjson = pipelineCases(s, ALL);
    expect(ndjson.every((c) => c.meta.dataset.format === 'ndjson')).toBe(true);
    expect(ndjson.map((c) => c.meta.strategy)).not.toContain('transform-only');
    expect(ndjson[0]!.work).toMatchObject({
      source: '/d/items.ndjson',
      format: 'ndjson',
      to: 'ndjson',
      transforms: [],
    });
  });

  it('run the runs of the pipeline settings (2, after 1 warm-up where a row starts workers), floors as many as the rows', () => {
    // sequential, concurrent, worker-threads x1 and x2, sharded x1 and x2, the two floors
    expect(cases.map((c) => [c.meta.samples, c.meta.warmups])).toEqual([
      [2, 0],
      [2, 0],
      [2, 1],
      [2, 1],
      [2, 1],
      [2, 1],
      [2, 0],
      [2, 0],
    ]);
    const s = settings({ samples: 5, warmups: 2 });
    s.pipeline = { ...s.pipeline, samples: null, warmups: null };
    expect(
      pipelineCases(s, ALL).map((c) => `${c.meta.strategy} ${c.meta.samples}/${c.meta.warmups}`),
    ).toEqual([
      'caller 5/1',
      'caller 5/1',
      'caller 5/2',
      'sharded 5/2',
      'write-only 5/1',
      'transform-only 5/1',
    ]);
  });

  it('are none with the pipeline off or without its source data', () => {
    const off = settings();
    off.pipeline = { ...off.pipeline, enabled: false };
    expect(pipelineCases(off, ALL)).toEqual([]);
    expect(pipelineCases(settings(), { ndjson: ALL.ndjson })).toEqual([]);
  });

  it('keys are unique, a concurrent level of 1 included', () => {
    const s = twoLevels();
    s.pipeline = { ...s.pipeline, concurrency: [1, 10] };
    const k = pipelineCases(s, ALL).map((c) => resultKey(c.meta));
    expect(new Set(k).size).toBe(k.length);
  });
});

describe('floorSlots', () => {
  it('spreads the samples over the rows, the last after the last row', () => {
    expect(floorSlots(9, 3)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(floorSlots(2, 2)).toEqual([1, 1]);
    expect(floorSlots(4, 1)).toEqual([0, 0, 0, 1]);
  });

  it('takes several after one row when there are fewer rows than samples, and all of them in total', () => {
    expect(floorSlots(1, 3)).toEqual([3]);
    expect(floorSlots(2, 5).reduce((a, b) => a + b, 0)).toBe(5);
    for (const [rows, samples] of [
      [7, 3],
      [12, 5],
      [3, 10],
    ] as const)
      expect(floorSlots(rows, samples).reduce((a, b) => a + b, 0)).toBe(samples);
  });

  it('leaves every sample to the floor itself when there is no row', () => {
    expect(floorSlots(0, 3)).toEqual([]);
  });
});

describe('byGroup', () => {
  it('keeps the blocks in order of their first case and the cases in order within each block', () => {
    const rows = [
      { group: 'a', n: 1 },
      { group: 'b', n: 2 },
      { group: 'a', n: 3 },
    ];
    expect([...byGroup(rows)]).toEqual([
      [
        'a',
        [
          { group: 'a', n: 1 },
          { group: 'a', n: 3 },
        ],
      ],
      ['b', [{ group: 'b', n: 2 }]],
    ]);
  });
});
