/**
 * File sources: detects the format of a path (or a .json URL of a static catalog) and turns it into
 * a plan, the jobs a strategy runs. Formats:
 * - items directory: every `*.json` entry directly inside, sorted by name: regular files, and
 *   symlinks that lead to one; a `*.json` entry that is anything else (a folder, a FIFO, a device, a
 *   socket, a broken or looping symlink) is a counted failure, not silently skipped. Names starting
 *   with `.` are not inputs (hidden files, the generator's marker);
 * - a collection folder: `collection.json` beside an `items/` folder (the items directory inside);
 * - static catalog: `catalog.json` / `collection.json` (a file, or a folder holding one), whose
 *   `item` and `child` links are followed, each document once. A link resolves against the document
 *   that holds it; from an http(s) document only http(s) links are followed (never `file:` or a
 *   local path), and with `otherHosts: false` only links to the root's origin. A refused link is a
 *   counted failure naming it;
 * - JSON file: FeatureCollection, array of Items or one Item (read and parsed whole);
 * - NDJSON (`.ndjson`, `.jsonl`, `.geojsonl`): byte ranges of about 1 MiB;
 * - Parquet (`.parquet`, `.geoparquet`): one job per row group.
 * A source that cannot be ingested at all is a SourceError naming the path.
 */
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { NO_ITEMS } from './decode/cursor.js';
import type { Job, JobResult } from './run/jobs.js';
import type { Plan } from './run/plan.js';

export type { Plan } from './run/plan.js';

/**
 * A source's plan and, when the plan shows it, the number of Items the source holds: an items
 * directory's `*.json` files, a Parquet file's rows (from its footer). Unknown (undefined) for
 * sources whose count shows only as they are read: a catalog, NDJSON, a JSON document.
 */
export type SourcePlan = Plan & { items?: number };

import { byteRanges, RANGE_BYTES } from './decode/ndjson.js';
import type { ParquetReaderName } from './decode/parquet-readers.js';
import { entryKind, isUrl } from './io/reading.js';
import { type IngestFailure, SourceError, type SourceFormat } from './types.js';

export type { SourceFormat } from './types.js';

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
  /** Static catalogs over http(s): follow links to other origins than the root's. Default true. */
  otherHosts?: boolean;
}

const NDJSON_EXT = new Set(['.ndjson', '.jsonl', '.geojsonl', '.geojsons', '.ndgeojson']);
const PARQUET_EXT = new Set(['.parquet', '.geoparquet', '.pq']);
const JSON_EXT = new Set(['.json', '.geojson']);
const CATALOG_NAMES = new Set(['catalog.json', 'collection.json']);

export async function planSource(source: string, options: PlanOptions): Promise<SourcePlan> {
  if (isUrl(source)) return catalogPlan(source, options.batchSize, options.otherHosts);
  const info = await statSource(source);
  // A folder is listed once: its entries decide the format and, for an items folder, are the plan.
  const entries = info.isDirectory() ? await listDirectory(source) : null;
  const format = options.format ?? (entries ? folderFormat(entries) : await fileFormat(source));
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
      return catalogPlan(
        entries ? catalogDocument(source, entries) : source,
        options.batchSize,
        options.otherHosts,
      );
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
  let info: Stats;
  try {
    info = await stat(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SourceError(source, 'no such file or directory');
    if (code === 'EACCES') throw new SourceError(source, 'permission denied');
    if (code === 'ELOOP') throw new SourceError(source, 'symlink loop');
    throw new SourceError(source, (e as Error).message);
  }
  if (!info.isFile() && !info.isDirectory()) {
    throw new SourceError(source, `is ${entryKind(info)}, not a regular file or directory`);
  }
  return info;
}

/** What a folder holds, from its entries: a collection folder or items folder, or a static catalog. */
function folderFormat(entries: Dirent[]): SourceFormat {
  if (itemsFolderOf(entries)) return 'directory';
  if (entries.some((e) => CATALOG_NAMES.has(e.name))) return 'catalog';
  return 'directory';
}

/** The format of a file, from its name, or from its first bytes when the name does not say. */
async function fileFormat(source: string): Promise<SourceFormat> {
  const ext = extname(source).toLowerCase();
  if (PARQUET_EXT.has(ext)) return 'parquet';
  if (NDJSON_EXT.has(ext)) return 'ndjson';
  if (JSON_EXT.has(ext)) return CATALOG_NAMES.has(basename(source).toLowerCase()) ? 'catalog' : 'json';
  const sniffed = sniffFormat(await headOf(source));
  if (sniffed) return sniffed;
  throw new SourceError(
    source,
    `unknown format '${ext || basename(source)}': the content is neither Parquet nor JSON either (expected a directory, .json, .ndjson or .parquet; or pass a format)`,
  );
}

/** Bytes read from the start of a file whose name does not say its format. */
export const SNIFF_BYTES = 1 << 20;

async function headOf(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r').catch((e: Error) => {
    throw new SourceError(path, `cannot open: ${e.message}`);
  });
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A format from a file's first bytes: Parquet starts with `PAR1`; JSON text is NDJSON when its
 * first line is a whole JSON value and another line follows it, otherwise one JSON document
 * (a FeatureCollection, an array of Items or one Item, maybe pretty-printed). Null: neither.
 */
export function sniffFormat(head: Uint8Array): SourceFormat | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) {
    return 'parquet';
  }
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '');
  const start = text.search(/\S/);
  if (start === -1 || (text[start] !== '{' && text[start] !== '[')) return null;
  const newline = text.indexOf('\n', start);
  if (newline === -1) return 'json';
  try {
    JSON.parse(text.slice(start, newline));
  } catch {
    // The first line is not a whole value: a document spread over lines.
    return 'json';
  }
  return /\S/.test(text.slice(newline)) ? 'ndjson' : 'json';
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

/**
 * Every `*.json` entry directly inside `dir` (its `entries`), sorted: regular files and symlinks to
 * regular files are read (one job per `batchSize`); other `*.json` entries are failures of the plan.
 */
async function directoryPlan(dir: string, entries: Dirent[], batchSize: number): Promise<SourcePlan> {
  if (entries.length === 0) throw new SourceError(dir, 'empty directory');
  const names: string[] = [];
  const odd: Dirent[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.name.toLowerCase().endsWith('.json')) continue;
    if (e.isFile()) names.push(e.name);
    else odd.push(e);
  }
  // `join` normalises every path (measurable over 10,000 files); the folder is joined once.
  const prefix = join(dir, '/');
  const failures: IngestFailure[] = [];
  for (const e of odd) {
    const problem = await entryProblem(prefix + e.name, e);
    if (problem) failures.push({ source: prefix + e.name, reason: problem });
    else names.push(e.name);
  }
  if (names.length === 0 && failures.length === 0)
    throw new SourceError(dir, 'no .json files in this directory');
  names.sort();
  const paths = names.map((name) => prefix + name);
  const jobs = batches(paths, batchSize, true);
  return { format: 'directory', jobs, follow: () => [], failures, items: paths.length };
}

/** Why a `*.json` entry that is not a regular file cannot be read, or null for a symlink to one. */
async function entryProblem(path: string, entry: Dirent): Promise<string | null> {
  if (!entry.isSymbolicLink())
    return entryKind(entry) === 'a directory' ? 'is a directory' : `not a regular file (${entryKind(entry)})`;
  try {
    const target = await stat(path);
    return target.isFile() ? null : `a symlink to ${entryKind(target)}, not to a regular file`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'symlink loop (ELOOP)';
    if (code === 'ENOENT') return 'broken symlink (its target does not exist)';
    return `symlink cannot be followed (${code ?? 'error'})`;
  }
}

function batches(refs: string[], size: number, listed = false): Job[] {
  const jobs: Job[] = [];
  const n = Math.max(1, Math.floor(size));
  for (let i = 0; i < refs.length; i += n) {
    const refsOf = refs.slice(i, i + n);
    jobs.push(listed ? { kind: 'files', refs: refsOf, listed } : { kind: 'files', refs: refsOf });
  }
  return jobs;
}

/**
 * A static catalog: the root document, then every `child` (another catalog job) and `item` link
 * (batched into file jobs), each reference once, so cycles end. The root failing is fatal. Links
 * that leave the catalog's origin (see linkProblem) are refused and counted.
 */
export function catalogPlan(root: string, batchSize: number, otherHosts = true): Plan {
  const seen = new Set<string>([root]);
  const fresh = (doc: string, refs: string[] | undefined, result: JobResult): string[] => {
    const out: string[] = [];
    for (const ref of refs ?? []) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      const problem = linkProblem(ref, doc, root, otherHosts);
      if (problem) result.failures.push({ source: doc, reason: problem });
      else out.push(ref);
    }
    return out;
  };
  return {
    format: 'catalog',
    jobs: [{ kind: 'catalog', ref: root }],
    follow(job, result) {
      if (job.kind !== 'catalog') return [];
      if (job.ref === root) failIfUnreadable(root, result);
      const children: Job[] = fresh(job.ref, result.links?.children, result).map((ref) => ({
        kind: 'catalog',
        ref,
      }));
      return [...children, ...batches(fresh(job.ref, result.links?.items, result), batchSize)];
    },
  };
}

/**
 * Why a link (already resolved against its document `doc`) may not be followed, or null. From an
 * http(s) document only http(s) is reachable: a remote catalog never reads this machine's files.
 * With `otherHosts` off, a remote root's links stay on its origin.
 */
export function linkProblem(ref: string, doc: string, root: string, otherHosts: boolean): string | null {
  if (!isUrl(doc)) return null;
  if (!isUrl(ref)) {
    return `link leaves the catalog's origin: '${ref}' is not http(s) (a remote catalog may only link to http(s))`;
  }
  if (!otherHosts && isUrl(root) && new URL(ref).origin !== new URL(root).origin) {
    return `link leaves the catalog's origin: '${ref}' is not on ${new URL(root).origin} (links to other hosts are off)`;
  }
  return null;
}

/**
 * One JSON file: Items as they are (a large FeatureCollection feature by feature, or parsed whole
 * with `wholeFile`), or a catalog document followed.
 */
function singleFilePlan(path: string, info: Stats, options: PlanOptions): Plan {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const plan = catalogPlan(path, options.batchSize, options.otherHosts);
  const jobs: Job[] = options.wholeFile ? [{ kind: 'catalog', ref: path, whole: true }] : plan.jobs;
  return { ...plan, jobs, format: 'json' };
}

/** A result with nothing in it but a failure of `ref` itself means the source could not be read at all. */
function failIfUnreadable(ref: string, result: JobResult): void {
  const empty = result.cursor === NO_ITEMS && !result.links?.items.length && !result.links?.children.length;
  const own = result.failures.find((f) => f.source === ref);
  if (empty && own) throw new SourceError(ref, own.reason);
}

function ndjsonPlan(path: string, info: Stats, rangeBytes: number): Plan {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const jobs: Job[] = byteRanges(info.size, rangeBytes).map((r) => ({ kind: 'ndjson', path, ...r }));
  return { format: 'ndjson', jobs, follow: () => [] };
}

/** One job per row group (or one for the whole file); a file that is not stac-geoparquet is a SourceError. */
async function parquetPlan(path: string, info: Stats, options: PlanOptions): Promise<SourcePlan> {
  if (info.size === 0) throw new SourceError(path, 'empty file');
  const { parquetRowGroupRows } = await import('./decode/parquet.js');
  const reader = options.parquetReader;
  const rows = await parquetRowGroupRows(path, reader);
  const all = rows.map((_, i) => i);
  const parts = options.wholeFile ? [all] : all.map((i) => [i]);
  const jobs: Job[] = parts.map((rowGroups) => ({
    kind: 'parquet',
    path,
    rowGroups,
    ...(reader ? { reader } : {}),
  }));
  return { format: 'parquet', jobs, follow: () => [], items: rows.reduce((sum, n) => sum + n, 0) };
}
