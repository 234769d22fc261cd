/**
 * Prepares the file datasets a bench run needs: generated data through the cache of src/fixtures,
 * or the user's own items directory (settings.directory) as it is.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDataset } from '../fixtures/cache.js';
import type { FileFormat } from '../ingest/types.js';
import type { ItemProfile } from '../stac/item.js';
import type { BenchSettings } from './settings.js';

/** One prepared file dataset. */
export interface DataPath {
  /** Directory or file the ingest reads. */
  path: string;
  /** Items in it. */
  items: number;
  /** Mean serialized size of one item in bytes; null when unknown. */
  itemBytesAvg: number | null;
}

/** Prepared datasets by format; a format the settings do not ask for is absent. */
export type DataPaths = Partial<Record<FileFormat, DataPath>>;

/** The cache's contract (src/fixtures/cache.ts `ensureDataset`). */
export type EnsureDataset = (opts: {
  format: FileFormat;
  profile: ItemProfile;
  count: number;
  seed: number;
}) => Promise<{ path: string; items: number; bytes: number; itemBytesAvg: number }>;

export interface PrepareOptions {
  /** Replaces the cache (tests). */
  ensure?: EnsureDataset;
  /** Called after each dataset is ready. */
  onReady?: (format: FileFormat, data: DataPath) => void;
}

/** Builds dataPaths for the settings: one entry per format asked for. */
export async function prepareDataPaths(
  settings: BenchSettings,
  options: PrepareOptions = {},
): Promise<DataPaths> {
  if (settings.directory) {
    const data = await describeDirectory(settings.directory);
    options.onReady?.('directory', data);
    return { directory: data };
  }
  const paths: DataPaths = {};
  if (settings.formats.length === 0) return paths;
  const ensure = options.ensure ?? ensureDataset;
  for (const format of settings.formats) {
    const ready = await ensure({
      format,
      profile: settings.profile,
      count: settings.testSize,
      seed: settings.seed,
    });
    const data: DataPath = { path: ready.path, items: ready.items, itemBytesAvg: ready.itemBytesAvg };
    paths[format] = data;
    options.onReady?.(format, data);
  }
  return paths;
}

/** A user's items directory: its *.json files count as items; their mean size as the item size. */
export async function describeDirectory(dir: string): Promise<DataPath> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch (e) {
    throw new Error(`${dir}: cannot read the items directory: ${(e as Error).message}`);
  }
  if (names.length === 0) throw new Error(`${dir}: no .json item files in the directory`);
  let bytes = 0;
  for (const name of names) bytes += (await stat(join(dir, name))).size;
  return { path: dir, items: names.length, itemBytesAvg: Math.round(bytes / names.length) };
}
