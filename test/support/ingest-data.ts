/** Small STAC data written to a temporary folder for the ingest tests (hundreds of items, not more). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailureCollector, ingest, newIngestStats } from '../../src/ingest/index.js';
import type { IngestOptions, IngestStats } from '../../src/ingest/types.js';
import type { StacItem } from '../../src/stac/item.js';

export function makeItem(i: number, collection = 'test'): StacItem {
  const x = (i % 360) - 180;
  const y = (i % 170) - 85;
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id: `item-${String(i).padStart(5, '0')}`,
    geometry: { type: 'Point', coordinates: [x + 0.5, y + 0.5] },
    bbox: [x + 0.5, y + 0.5, x + 0.5, y + 0.5],
    properties: {
      datetime: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      'eo:cloud_cover': i % 100,
    },
    links: [{ rel: 'self', href: `https://example.com/items/${i}.json` }],
    assets: { data: { href: `https://example.com/data/${i}.tif`, roles: ['data'] } },
    collection,
  };
}

export function makeItems(n: number, from = 0): StacItem[] {
  return Array.from({ length: n }, (_, k) => makeItem(from + k));
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'stac-ingest-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes each item as `<id>.json` in `dir` (created). */
export async function writeItemsDir(dir: string, items: StacItem[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(items.map((it) => writeFile(join(dir, `${it.id}.json`), JSON.stringify(it))));
}

/** The files a hostile directory holds besides good items, and the reason each must fail with. */
export const HOSTILE_FILES: Record<string, { content: string | Buffer; reason: RegExp }> = {
  'truncated.json': { content: '{"type":"Feature","id":"cut","prop', reason: /invalid JSON/ },
  'empty.json': { content: '', reason: /empty file/ },
  'blank.json': { content: '  \n', reason: /empty file/ },
  'binary.json': { content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff]), reason: /binary/ },
  'number.json': { content: '42', reason: /not a STAC Item \(got a number\)/ },
  'string.json': { content: '"hello"', reason: /not a STAC Item \(got a string\)/ },
  'null.json': { content: 'null', reason: /not a STAC Item \(got null\)/ },
  'not-item.json': { content: '{"type":"Thing","id":"x"}', reason: /type is "Thing"/ },
  'no-id.json': { content: '{"type":"Feature","properties":{}}', reason: /no string id/ },
};

export async function writeHostileFiles(dir: string): Promise<void> {
  await Promise.all(Object.entries(HOSTILE_FILES).map(([name, f]) => writeFile(join(dir, name), f.content)));
}

export interface Collected {
  items: StacItem[];
  failures: FailureCollector;
  stats: IngestStats;
}

/** Runs an ingest to the end and keeps everything it produced. */
export async function collect(source: string, options: IngestOptions = {}): Promise<Collected> {
  const failures = new FailureCollector();
  const stats = newIngestStats();
  const items: StacItem[] = [];
  for await (const item of ingest(source, { ...options, failures, stats })) items.push(item);
  return { items, failures, stats };
}

/** Items as a sorted list of their canonical JSON (keys sorted): equal lists mean equal multisets of deep-equal Items. */
export function multiset(items: StacItem[]): string[] {
  return items.map((it) => canonical(it)).sort();
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function ids(items: StacItem[]): string[] {
  return items.map((it) => it.id).sort();
}
