import { readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSlice, sliceCount } from '../../../src/ingest/decode/feature-scan.js';
import { openFeatureStream, type StreamPart } from '../../../src/ingest/decode/feature-stream.js';
import { closeWorkerPool, FailureCollector, ingest } from '../../../src/ingest/index.js';
import type { IngestFailure } from '../../../src/ingest/types.js';
import type { StacItem } from '../../../src/stac/item.js';
import { collect, makeItem, makeItems, tempDir } from '../../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
const features = makeItems(1500).map((it, i) => ({
  ...it,
  // Sizes vary so that features straddle chunk boundaries at every offset.
  properties: { ...it.properties, pad: 'p'.repeat(400 + ((i * 37) % 900)) },
}));
const ids = features.map((f) => f.id);
const body = (list: unknown[]) => list.map((f) => JSON.stringify(f)).join(',\n');

/** Writes a file and returns its path. */
async function file(name: string, text: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, text);
  return path;
}

/** Every part of a stream opened with small chunks: the Items, the failures, the number of parts. */
async function drain(path: string, chunk = 64 * 1024) {
  const opened = await openFeatureStream(path, chunk);
  if (!opened) return null;
  const items: StacItem[] = [];
  const failures: IngestFailure[] = [];
  let parts = 0;
  const take = (p: StreamPart) => {
    parts++;
    failures.push(...p.failures);
    if (!p.slices) return;
    for (let i = 0; i < sliceCount(p.slices); i++) {
      const v = parseSlice(p.slices, i);
      if ((v as StacItem).type === 'Feature') items.push(v as StacItem);
      else failures.push(v as IngestFailure);
    }
  };
  take(opened.first);
  for (let p = await opened.rest.next(); p !== null; p = await opened.rest.next()) take(p);
  return { items, failures, parts };
}

let whole: string;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  whole = await file(
    'fc.json',
    `{"type":"FeatureCollection","features":[\n${body(features)}\n],"links":[]}\n`,
  );
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('a large FeatureCollection streamed in chunks', () => {
  it('yields every feature once, in order, across many chunk boundaries', async () => {
    const r = (await drain(whole))!;
    expect(r.parts).toBeGreaterThan(20);
    expect(r.failures).toEqual([]);
    expect(r.items.map((i) => i.id)).toEqual(ids);
    expect(r.items[777]).toEqual(features[777]);
  });

  it('reads a feature larger than a chunk whole', async () => {
    const big = { ...makeItem(5000), properties: { ...makeItem(5000).properties, pad: 'b'.repeat(300_000) } };
    const path = await file(
      'big-feature.json',
      `{"type":"FeatureCollection","features":[${body([...features.slice(0, 900), big, features[900]])}]}`,
    );
    const r = (await drain(path))!;
    expect(r.failures).toEqual([]);
    expect(r.items.map((i) => i.id)).toEqual([...ids.slice(0, 900), big.id, ids[900]]);
    expect(r.items[900]).toEqual(big);
  });

  it('gives the same Items as one JSON.parse of the file (variant whole-file), under every strategy', async () => {
    const ref = await collect(whole, { strategy: 'sequential', variant: 'whole-file' });
    for (const [strategy, concurrency] of [
      ['sequential', 1],
      ['concurrent', 3],
      ['worker-threads', 1],
      ['worker-threads', 2],
    ] as const) {
      const run = await collect(whole, { strategy, concurrency });
      expect(run.items, `${strategy} ${concurrency}`).toEqual(ref.items);
      expect(run.failures.count).toBe(0);
    }
    // Workers that parse keep their own path: the file read whole and checked in the worker.
    const parsed = await collect(whole, { strategy: 'worker-threads', variant: 'parse-in-worker' });
    expect(parsed.items).toEqual(ref.items);
  });

  it('names a broken feature by its index in the whole file and keeps the others', async () => {
    const list: unknown[] = [...features];
    list[1234] = { type: 'Feature', properties: {} };
    const path = await file('bad-feature.json', `{"type":"FeatureCollection","features":[${body(list)}]}`);
    const r = (await drain(path))!;
    expect(r.items).toHaveLength(1499);
    expect(r.failures.map((f) => f.source)).toEqual([`${path}#features[1234]`]);
    const viaIngest = await collect(path, { strategy: 'sequential' });
    expect(viaIngest.items).toHaveLength(1499);
    expect(viaIngest.failures.failures.map((f) => f.source)).toEqual([`${path}#features[1234]`]);
  });

  it('keeps the features of a truncated file and counts the file as one failure', async () => {
    const text = `{"type":"FeatureCollection","features":[${body(features)}]}`;
    const cut = text.indexOf(`"id":"${ids[1000]}"`) + 20; // inside feature 1000
    const path = await file('truncated.json', text.slice(0, cut));
    for (const run of [
      await drain(path),
      await drainIngest(path),
      await drainIngest(path, 'worker-threads'),
    ]) {
      expect(run!.items.map((i) => i.id)).toEqual(ids.slice(0, 1000));
      expect(run!.failures).toEqual([
        {
          source: path,
          reason: 'invalid JSON: the file ends inside the features array (after 1000 features)',
        },
      ]);
    }
  });

  it('counts a broken ending, bytes between features and a trailing comma as failures of the file', async () => {
    const cases = {
      'ending.json': [
        `{"type":"FeatureCollection","features":[${body(features)}],"links":}`,
        /invalid JSON: unexpected character/,
        1500,
      ],
      'between.json': [
        `{"type":"FeatureCollection","features":[${body(features.slice(0, 700))} x ${body(features.slice(700))}]}`,
        /invalid JSON: unexpected 'x' after features\[699\]/,
        700,
      ],
      'comma.json': [
        `{"type":"FeatureCollection","features":[${body(features)},]}`,
        /invalid JSON: a comma before the end of features/,
        1500,
      ],
    } as const;
    for (const [name, [text, reason, kept]] of Object.entries(cases)) {
      const path = await file(name, text);
      const r = (await drain(path))!;
      expect(r.items, name).toHaveLength(kept);
      expect(r.failures, name).toHaveLength(1);
      expect(r.failures[0]!.source, name).toBe(path);
      expect(r.failures[0]!.reason, name).toMatch(reason);
    }
  });

  it('counts an element that is not an object as a failure named by its index', async () => {
    const path = await file(
      'scalar.json',
      `{"type":"FeatureCollection","features":[${body(features.slice(0, 800))},42,${body(features.slice(800))}]}`,
    );
    const r = (await drain(path))!;
    expect(r.items).toHaveLength(1500);
    expect(r.failures).toEqual([
      { source: `${path}#features[800]`, reason: expect.stringMatching(/not a STAC Item/) },
    ]);
  });

  it('is not used when the document does not say it is a FeatureCollection before its features', async () => {
    const after = await file(
      'type-after.json',
      `{"features":[${body(features)}],"type":"FeatureCollection"}`,
    );
    const catalog = await file('not-fc.json', `{"type":"Catalog","features":[${body(features)}]}`);
    expect(await openFeatureStream(after)).toBeNull();
    expect(await openFeatureStream(catalog)).toBeNull();
    // They are still read (whole): the FeatureCollection yields its Items, the other is no Item source.
    expect((await collect(after, { strategy: 'sequential' })).items).toHaveLength(1500);
    expect((await collect(catalog, { strategy: 'sequential' })).items).toHaveLength(0);
  });

  it('counts a read that fails mid-file as one failure and keeps the features read (worker-threads)', async () => {
    // ~6 MB, six chunks: the first two are read (or being read) when the file goes.
    const many = [0, 1, 2].flatMap((k) => features.map((f) => ({ ...f, id: `${f.id}-${k}` })));
    const manyIds = many.map((f) => f.id);
    const path = await file('vanishing.json', `{"type":"FeatureCollection","features":[${body(many)}]}`);
    const failures = new FailureCollector();
    const got: string[] = [];
    for await (const item of ingest(path, { strategy: 'worker-threads', failures })) {
      if (got.length === 0) await rm(path); // workers open the file for every chunk: later ones fail
      got.push(item.id);
    }
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(many.length);
    expect(got).toEqual(manyIds.slice(0, got.length));
    expect(failures.failures).toEqual([
      {
        source: path,
        reason: expect.stringMatching(/^read failed after features\[\d+\]: no such file \(ENOENT\)$/),
      },
    ]);
  });

  it('closes the file when the consumer stops early', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const run = await collect(whole, { strategy: 'sequential', maxItems: 10 });
    expect(run.items).toHaveLength(10);
    expect(fds()).toBe(before);
    const opened = (await openFeatureStream(whole))!;
    expect(fds()).toBe(before + 1);
    await opened.rest.close();
    await opened.rest.close();
    expect(fds()).toBe(before);
    // After a close, the stream has nothing more (and its read in flight fails nobody).
    expect(await opened.rest.next()).toBeNull();
  });

  it('ends cleanly when the consumer stops while the next chunk is being read', async () => {
    const opened = (await openFeatureStream(whole, 64 * 1024))!;
    const pending = opened.rest.next();
    await opened.rest.close();
    await pending.catch(() => undefined);
    expect(await opened.rest.next()).toBeNull();
    const it = ingest(whole, { strategy: 'sequential' })[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const [a] = await Promise.all([it.next(), it.return?.()]);
    expect(a.done).toBe(false);
    expect((await it.next()).done).toBe(true);
  });
});

async function drainIngest(path: string, strategy: 'sequential' | 'worker-threads' = 'sequential') {
  const run = await collect(path, { strategy, concurrency: 2 });
  return { items: run.items, failures: run.failures.failures, parts: 0 };
}
