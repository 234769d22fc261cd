/**
 * File sources: detects the format of a path (or a .json URL of a static catalog) and turns it into
 * a plan, the jobs a strategy runs. Formats:
 * - items directory: every `*.json` regular file directly inside, sorted by name;
 * - a collection folder: `collection.json` beside an `items/` folder (the items directory inside);
 * - static catalog: `catalog.json` / `collection.json` (a file, or a folder holding one), whose
 *   `item` and `child` links are followed, each document once;
 * - JSON file: FeatureCollection, array of Items or one Item (read and parsed whole);
 * - NDJSON (`.ndjson`, `.jsonl`, `.geojsonl`): byte ranges of about 1 MiB;
 * - Parquet (`.parquet`, `.geoparquet`): one job per row group.
 * A source that cannot be ingested at all is a SourceError naming the path.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Job, JobResult } from './jobs.js';
import { byteRanges, RANGE_BYTES } from './ndjson.js';
import type { ParquetReaderName } from './parquet-readers.js';
import { isUrl } from './reading.js';
import { type FileFormat, SourceError } from './types.js';

export type SourceFormat = FileFormat | 'json';

/** What a strategy runs for one source. */
export interface Plan {
  format: SourceFormat;
  jobs: Job[];
  /** Jobs discovered from a finished job (catalog links); may throw a SourceError for a fatal result. */
  follow(job: Job, result: JobResult): Job[];
}

export interface PlanOptions {
  format?: SourceFormat;
  /** Files per job (1 on the main thread; larger batches for workers). */
  batchSize: number;
  /** NDJSON bytes per job. */
  rangeBytes?: number;
  /** Parquet: the reader to use (default: the measured winner). */
  parquetReader?: ParquetReaderName;
  /** Parquet: all row groups in one job instead of one job per row group; JSON: parse whole. */
  wholeFile?: boolean;
}

const NDJSON_EXT = new Set(['.ndjson', '.jsonl', '.geojsonl', '.geojsons', '.ndgeojson']);
const PARQUET_EXT = new Set(['.parquet', '.geoparquet', '.pq']);
const JSON_EXT = new Set(['.json', '.geojson']);
const CATALOG_NAMES = new Set(['catalog.json', 'collection.json']);

export async function planSource(source: string, options: PlanOptions): Promise<Plan> {
  if (isUrl(source)) return catalogPlan(source, options.batchSize);
  const info = await statSource(source);
  // A folder is listed once: its entries decide the format and, for an items folder, are the plan.
  const entries = info.isDirectory() ? await listDirectory(source) : null;
  const format = options.format ?? (entries ? folderFormat(entries) : fileFormat(source));
  const dirOk = format === 'directory' || format === 'catalog';
  if (entries ? !dirOk : format === 'directory') {
    throw new SourceError(source, `is a ${entries ? 'directory' : 'file'}, not ${article(format)}`);
  }
  switch (format) {
    case 'directory': {
      const inner = itemsFolderOf(entries!) ? join(source, 'items') : null;
      return directoryPlan(inner ?? source, inner ? await listDirectory(inner) : entries!, options.batchSize);
    }
    case 'catalog':
      return catalogPlan(entries ? catalogDocument(source, entries) : source, options.batchSize);
    case 'json':
    case 'feature-collection':
      return singleFilePlan(source, info, options);
    case 'ndjson':
      return ndjsonPlan(source, info, options.rangeBytes ?? RANGE_BYTES);
    case 'parquet':
      return parquetPlan(source, info, options);
  }
}

function article(format: SourceFormat): string {
  return format === 'directory' ? 'a directory' : `a ${format} file`;
}

async function statSource(source: string): Promise<Stats> {
  try {
    return await stat(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SourceError(source, 'no such file or directory');
    if (code === 'EACCES') throw new SourceError(source, 'permission denied');
    throw new SourceError(source, (e as Error).message);
  }
}

/** What a folder holds, from its entries: a collection folder or items folder, or a static catalog. */
function folderFormat(entries: Dirent[]): SourceFormat {
  if (itemsFolderOf(entries)) return 'directory';
  if (entries.some((e) => CATALOG_NAMES.has(e.name))) return 'catalog';
  return 'directory';
}

/** The format of a file, from its name. */
function fileFormat(source: string): SourceFormat {
  const ext = extname(source).toLowerCase();
  if (PARQUET_EXT.has(ext)) return 'parquet';
  if (NDJSON_EXT.has(ext)) return 'ndjson';
  if (JSON_EXT.has(ext)) return CATALOG_NAMES.has(basename(source).toLowerCase()) ? 'catalog' : 'json';
  throw new SourceError(
    source,
    `unknown format '${ext || basename(source)}' (expected a directory, .json, .ndjson or .parquet; or pass a format)`,
  );
}

async function listDirectory(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new SourceError(dir, `cannot list directory: ${(e as Error).message}`);
  }
}

/** True for a collection folder: `collection.json` beside an `items/` folder. */
function itemsFolderOf(entries: Dirent[]): boolean {
  return (
    entries.some((e) => e.name === 'collection.json' && e.isFile()) &&
    entries.some((e) => e.name === 'items' && e.isDirectory())
  );
}

function catalogDocument(dir: string, entries: Dirent[]): string {
  for (const name of ['catalog.json', 'collection.json']) {
    if (entries.some((e) => e.name === name && e.isFile())) return join(dir, name);
  }
  throw new SourceError(dir, 'no catalog.json or collection.json in this directory');
}

/** Every `*.json` regular file directly inside `dir` (its `entries`), sorted; one job per `batchSize` files. */
function directoryPlan(dir: string, entries: Dirent[], batchSize: number): Plan {
  if (entries.length === 0) throw new SourceError(dir, 'empty directory');
  const names: string[] = [];
  for (const e of entries) if (e.isFile() && e.name.toLowerCase().endsWith('.json')) names.push(e.name);
  if (names.length === 0) throw new SourceError(dir, 'no .json files in this directory');
  names.sort();
  // `join` normalises every path (measurable over 10,000 files); the folder is joined once.
  const prefix = join(dir, '/');
  const paths = names.map((name) => prefix + name);
  return { format: 'directory', jobs: batches(paths, batchSize), follow: () => [] };
}

function batches(refs: string[], size: number): Job[] {
  const jobs: Job[] = [];
  const n = Math.max(1, Math.floor(size));
  for (let i = 0; i < refs.length; i += n) jobs.push({ kind: 'files', refs: refs.slice(i, i + n) });
  return jobs;
}

/**
 * A static catalog: the root document, then every `child` (another catalog job) and `item` link
 * (batched into file jobs), each reference once, so cycles end. The root failing is fatal.
 */
export function catalogPlan(root: string, batchSize: number): Plan {
  const seen = new Set<string>([root]);
  const fresh = (refs: string[] | undefined): string[] => {
    const out: string[] = [];
    for (const ref of refs ?? []) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      out.push(ref);
    }
    return out;
  };
  return {
    format: 'catalog',
    jobs: [{ kind: 'catalog', ref: root }],
    follow(job, result) {
      if (job.kind === 'catalog' && job.ref === root) failIfUnreadable(root, result);
      const children: Job[] = fresh(result.childRefs).map((ref) => ({ kind: 'catalog', ref }));
      return [...children, ...batches(fresh(result.itemRefs), batchSize)];
    },
  };
}

/**
 * One JSON file: Items as they are (a large FeatureCollection feature by feature, or parsed whole
 * with `wholeFile`), or a catalog document followed.
 */
function singleFilePlan(path: string, info: Stats, options: PlanOptions): Plan {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const plan = catalogPlan(path, options.batchSize);
  const jobs: Job[] = options.wholeFile ? [{ kind: 'catalog', ref: path, whole: true }] : plan.jobs;
  return { ...plan, jobs, format: 'json' };
}

/** A result with nothing in it but a failure of `ref` itself means the source could not be read at all. */
function failIfUnreadable(ref: string, result: JobResult): void {
  const empty =
    result.items.length === 0 &&
    !result.itemTexts?.length &&
    !result.itemSlices?.length &&
    result.itemChunks === undefined &&
    !result.itemRefs?.length &&
    !result.childRefs?.length;
  const own = result.failures.find((f) => f.source === ref);
  if (empty && own) throw new SourceError(ref, own.reason);
}

function ndjsonPlan(path: string, info: Stats, rangeBytes: number): Plan {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const jobs: Job[] = byteRanges(info.size, rangeBytes).map((r) => ({ kind: 'ndjson', path, ...r }));
  return { format: 'ndjson', jobs, follow: () => [] };
}

/** One job per row group (or one for the whole file); a file that is not stac-geoparquet is a SourceError. */
async function parquetPlan(path: string, info: Stats, options: PlanOptions): Promise<Plan> {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const { parquetRowGroupCount } = await import('./parquet.js');
  const reader = options.parquetReader;
  const groups = await parquetRowGroupCount(path, reader);
  const all = Array.from({ length: groups }, (_, i) => i);
  const parts = options.wholeFile ? [all] : all.map((i) => [i]);
  const jobs: Job[] = parts.map((rowGroups) => ({
    kind: 'parquet',
    path,
    rowGroups,
    ...(reader ? { reader } : {}),
  }));
  return { format: 'parquet', jobs, follow: () => [] };
}
