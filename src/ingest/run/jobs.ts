/**
 * Units of work. A source is turned into jobs; a strategy decides where and how many run at once;
 * `runJob` does one, the same code on the main thread and in a worker (only the read mode differs).
 * A job never throws for bad input: what cannot be read or parsed comes back as a failure.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StacItem } from '../../stac/item.js';
import type { HttpClient } from '../api/http.js';
import {
  ChunksCursor,
  FileBytesCursor,
  type ItemCursor,
  ItemsCursor,
  JoinedCursor,
  NO_ITEMS,
  SlicesCursor,
  StreamCursor,
  TextsCursor,
} from '../decode/cursor.js';
import {
  addSlices,
  type Decoded,
  decodeBytes,
  failed,
  type Gathered,
  gatherDocument,
  type Transfer,
} from '../decode/documents.js';
import { type FeatureSlices, SCAN_MIN_BYTES } from '../decode/feature-scan.js';
import {
  type ChunkReader,
  openFeatureStream,
  type PartSource,
  STREAM_CHUNK,
} from '../decode/feature-stream.js';
import { type FileBytes, readFileBytes, readRangeBytes } from '../decode/file-bytes.js';
import { lineSlices, parseLines, readOwnedLines } from '../decode/ndjson.js';
import type { ItemChunks } from '../decode/parquet.js';
import type { ParquetReaderName } from '../decode/parquet-readers.js';
import { isUrl, type ReadMode, readReason, readRef, readViewSync } from '../io/reading.js';
import type { IngestFailure } from '../types.js';

export type Job =
  /**
   * JSON documents (each an Item, an array of Items or a FeatureCollection), paths or URLs.
   * `listed`: the refs are regular files found by a directory listing (no check per read).
   */
  | { kind: 'files'; refs: string[]; listed?: boolean }
  /**
   * A static catalog or collection document: its `item` and `child` links are reported back. A
   * FeatureCollection given as the source is parsed feature by feature unless `whole` is set.
   */
  | { kind: 'catalog'; ref: string; whole?: boolean }
  /** The NDJSON lines that start in bytes [start, end) of a file. */
  | { kind: 'ndjson'; path: string; start: number; end: number }
  /** Row groups of a stac-geoparquet file, rebuilt into Items. */
  | { kind: 'parquet'; path: string; rowGroups: number[]; reader?: ParquetReaderName }
  /**
   * Bytes [position, position + length) of a file read into the given buffer from index `at` (a
   * worker reading a streamed FeatureCollection's next chunk; bytes hand-over only).
   */
  | { kind: 'range'; path: string; position: number; length: number; at: number };

/**
 * What running a job produced, in the forms it can cross threads in (a worker's reply) or, on this
 * thread, the lazy forms (Parquet chunks, a streamed FeatureCollection). `resultOf` turns it into the
 * JobResult the caller's iterator reads, with one ItemCursor.
 */
export interface JobOutput {
  items: StacItem[];
  /** Large FeatureCollections whose features the caller parses one by one (main-thread jobs). */
  itemSlices?: FeatureSlices[];
  /** Parquet rows the caller rebuilds into Items a chunk at a time (main-thread jobs). */
  itemChunks?: ItemChunks;
  failures: IngestFailure[];
  /** Catalog jobs: absolute refs (paths or URLs) of `item` links. */
  itemRefs?: string[];
  /** Catalog jobs: absolute refs of `child` links. */
  childRefs?: string[];
  /** JSON transfer: the JSON text of each Item; `items` is then empty. */
  itemTexts?: string[];
  /** Bytes transfer: the files as read, not yet decoded. */
  fileBytes?: FileBytes;
  /**
   * A FeatureCollection streamed on this thread: the chunks after this result's, pulled by the
   * caller one at a time once this result's features are used up (feature-stream.ts).
   */
  parts?: PartSource;
}

/** A job's Items behind one cursor, its failures, and (catalog documents) the links it holds. */
export interface JobResult {
  failures: IngestFailure[];
  cursor: ItemCursor;
  links?: { items: string[]; children: string[] };
}

/** The cursor for whatever form a job's output holds its Items in. */
export function resultOf(out: JobOutput): JobResult {
  const result: JobResult = { failures: out.failures, cursor: cursorOf(out) };
  if (out.itemRefs || out.childRefs)
    result.links = { items: out.itemRefs ?? [], children: out.childRefs ?? [] };
  return result;
}

function cursorOf(out: JobOutput): ItemCursor {
  if (out.parts) return new StreamCursor(out.itemSlices?.[0] ?? null, out.parts);
  if (out.fileBytes) return new FileBytesCursor(out.fileBytes);
  if (out.itemTexts && out.itemTexts.length > 0) return new TextsCursor(out.itemTexts);
  if (out.itemChunks) return new ChunksCursor(out.itemChunks);
  const slices = out.itemSlices && out.itemSlices.length > 0 ? new SlicesCursor(out.itemSlices) : null;
  const items = out.items.length > 0 ? new ItemsCursor(out.items) : null;
  if (slices && items) return new JoinedCursor([items, slices]);
  return slices ?? items ?? NO_ITEMS;
}

export interface RunContext {
  read: ReadMode;
  /** Reads URLs (bounded, checked for reach); only on the caller's thread. */
  http?: HttpClient | undefined;
  transfer?: Transfer;
  /** Bytes hand-over: a buffer the caller gave back, to read into instead of a new one. */
  buffer?: ArrayBuffer | undefined;
}

/** Number of files, ranges or row groups a job reads (the read counter of IngestStats). */
export function jobReads(job: Job): number {
  if (job.kind === 'files') return job.refs.length;
  if (job.kind === 'parquet') return job.rowGroups.length;
  return 1;
}

export function jobLabel(job: Job): string {
  if (job.kind === 'files')
    return job.refs.length === 1 ? job.refs[0]! : `${job.refs[0]} (+${job.refs.length - 1})`;
  if (job.kind === 'catalog') return job.ref;
  return job.path;
}

export async function runJob(job: Job, ctx: RunContext): Promise<JobOutput> {
  // Files, range and NDJSON jobs hand over raw bytes; the others use the JSON hand-over.
  if (ctx.transfer === 'bytes' && job.kind !== 'files' && job.kind !== 'range' && job.kind !== 'ndjson') {
    return runJob(job, { ...ctx, transfer: 'json' });
  }
  switch (job.kind) {
    case 'range':
      return readRangeBytes(job, ctx.buffer);
    case 'files':
      return runFiles(job.refs, ctx, job.listed === true);
    case 'catalog':
      return runCatalog(job.ref, ctx, job.whole === true);
    case 'ndjson':
      return runNdjson(job, ctx);
    case 'parquet': {
      // Loaded on first use: hyparquet is not needed (nor loaded in workers) for JSON sources.
      const { parquetItemChunks, readParquetRows } = await import('../decode/parquet.js');
      if (ctx.transfer === undefined) {
        // This thread: Items rebuilt as the caller pulls them.
        const lazy = await parquetItemChunks(job.path, job.rowGroups, ctx.read, job.reader);
        return { items: [], failures: lazy.failures, ...(lazy.chunks ? { itemChunks: lazy.chunks } : {}) };
      }
      const out = await readParquetRows(job.path, job.rowGroups, ctx.read, job.reader);
      return ctx.transfer === 'json' ? toJsonTransfer(out.items, out.failures) : out;
    }
  }
}

async function readDocument(
  ref: string,
  ctx: RunContext,
  whole = false,
  listed = false,
): Promise<Decoded & { raw?: string }> {
  // Blocking reads (workers) decode straight from the thread's reused buffer: no copy per file.
  if (ctx.read === 'sync' && !isUrl(ref)) {
    let view: Buffer;
    try {
      view = readViewSync(ref, listed);
    } catch (e) {
      return failed(ref, readReason(e));
    }
    // A document kept as slices outlives the next read: it gets its own copy of the bytes.
    return decodeBytes(view.length >= SCAN_MIN_BYTES && !whole ? Buffer.from(view) : view, ref, whole);
  }
  let bytes: Buffer;
  try {
    bytes = await readRef(ref, ctx.read, ctx.http, listed);
  } catch (e) {
    return failed(ref, readReason(e));
  }
  return decodeBytes(bytes, ref, whole);
}

async function runFiles(refs: string[], ctx: RunContext, listed: boolean): Promise<JobOutput> {
  if (ctx.transfer === 'bytes') return readFileBytes(refs, ctx.buffer, listed);
  const out: Gathered = { items: [], failures: [], texts: [], slices: [] };
  for (const ref of refs) gatherDocument(await readDocument(ref, ctx, false, listed), ref, ctx.transfer, out);
  return gatheredResult(out, ctx.transfer);
}

/** A job result from what was gathered, in the form `ctx.transfer` asks for. */
export function gatheredResult(out: Gathered, transfer: Transfer | undefined): JobOutput {
  const { items, failures, texts, slices } = out;
  if (transfer === 'json') return { items: [], failures, itemTexts: texts };
  return slices.length > 0 ? { items, failures, itemSlices: slices } : { items, failures };
}

/**
 * A large FeatureCollection file streamed chunk by chunk on this thread (feature-stream.ts), its
 * bytes read here or by `reader`; null when the file is not one to stream (read it whole).
 */
export async function streamFeatureCollection(ref: string, reader?: ChunkReader): Promise<JobOutput | null> {
  let streamed: Awaited<ReturnType<typeof openFeatureStream>>;
  try {
    streamed = await openFeatureStream(ref, STREAM_CHUNK, reader);
  } catch (e) {
    return failed(ref, readReason(e));
  }
  if (!streamed) return null;
  const { first, rest } = streamed;
  return { items: [], failures: first.failures, itemSlices: first.slices ? [first.slices] : [], parts: rest };
}

async function runCatalog(ref: string, ctx: RunContext, whole: boolean): Promise<JobOutput> {
  // A large FeatureCollection on this thread is streamed chunk by chunk when it starts as one.
  if (ctx.transfer === undefined && !whole && !isUrl(ref)) {
    const streamed = await streamFeatureCollection(ref);
    if (streamed) return streamed;
  }
  const doc = await readDocument(ref, ctx, whole);
  if (doc.slices) {
    const out: Gathered = { items: [], failures: [], texts: [], slices: [] };
    addSlices(doc.slices, ctx.transfer, out);
    if (ctx.transfer === 'json') return { items: [], failures: out.failures, itemTexts: out.texts };
    return { items: out.items, failures: out.failures, itemSlices: out.slices };
  }
  if (!doc.catalog) {
    return ctx.transfer === 'json'
      ? toJsonTransfer(doc.items, doc.failures)
      : { items: doc.items, failures: doc.failures };
  }
  const links = Array.isArray(doc.catalog.links) ? (doc.catalog.links as unknown[]) : [];
  const itemRefs: string[] = [];
  const childRefs: string[] = [];
  const failures: IngestFailure[] = [];
  for (const link of links) {
    if (link === null || typeof link !== 'object') continue;
    const { rel, href } = link as { rel?: unknown; href?: unknown };
    if (rel !== 'item' && rel !== 'child') continue;
    if (typeof href !== 'string' || href === '') {
      failures.push({ source: ref, reason: `a '${rel}' link without an href` });
      continue;
    }
    (rel === 'item' ? itemRefs : childRefs).push(resolveHref(href, ref));
  }
  return { items: [], failures, itemRefs, childRefs };
}

async function runNdjson(job: Extract<Job, { kind: 'ndjson' }>, ctx: RunContext): Promise<JobOutput> {
  let owned: Awaited<ReturnType<typeof readOwnedLines>>;
  try {
    // On this thread the range buffers are reused; a worker's are handed over (transferred).
    owned = await readOwnedLines(job.path, job, ctx.read, ctx.transfer === undefined);
  } catch (e) {
    return failed(job.path, readReason(e));
  }
  // This thread, or a worker handing the bytes over: the caller parses the lines as it pulls them.
  if (ctx.transfer === undefined || ctx.transfer === 'bytes') {
    return {
      items: [],
      failures: [],
      itemSlices: [
        {
          ...lineSlices(job.path, owned.bytes, owned.from, owned.offset),
          ...(owned.release ? { release: owned.release } : {}),
        },
      ],
    };
  }
  const keep = ctx.transfer === 'json';
  const parsed = parseLines(job.path, owned.bytes, owned.from, owned.offset, keep);
  if (keep) return { items: [], failures: parsed.failures, itemTexts: parsed.lines };
  return { items: parsed.items, failures: parsed.failures };
}

function toJsonTransfer(items: StacItem[], failures: IngestFailure[]): JobOutput {
  return { items: [], failures, itemTexts: items.map((item) => JSON.stringify(item)) };
}

/**
 * Resolves a link href against the document it was found in (a path or a URL). Against a URL the
 * result is a URL of whatever scheme the href names (`file:` included): whether it may be
 * followed is the catalog plan's decision (sources.ts), not this function's.
 */
export function resolveHref(href: string, base: string): string {
  if (isUrl(base)) {
    try {
      return new URL(href, base).href;
    } catch {
      return href;
    }
  }
  if (isUrl(href)) return href;
  if (href.startsWith('file:')) {
    try {
      return fileURLToPath(href);
    } catch {
      return href;
    }
  }
  return isAbsolute(href) ? href : resolve(dirname(base), href);
}
