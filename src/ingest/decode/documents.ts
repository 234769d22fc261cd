/**
 * From a JSON document's bytes or text to STAC Items: one Item, an array of Items or a
 * FeatureCollection (a large one kept as slices, parsed later), and the hand-over forms a worker
 * gathers them in. Pure functions, used on the main thread and inside workers alike.
 */
import type { StacItem } from '../../stac/item.js';
import { itemProblem } from '../../stac/item-check.js';
import type { IngestFailure } from '../types.js';
import {
  checkedTexts,
  type FeatureSlices,
  parseAll,
  SCAN_MIN_BYTES,
  scanFeatureCollection,
} from './feature-scan.js';
import { parseJson, stripBom } from './json-text.js';

/** What decoding one document (a file, a URL, an NDJSON line) produced. */
export interface Decoded {
  items: StacItem[];
  failures: IngestFailure[];
  /** The document was a STAC Catalog or Collection (its links are followed by the catalog source). */
  catalog?: Record<string, unknown>;
  /** A large FeatureCollection, its features not yet parsed (see feature-scan.ts). */
  slices?: FeatureSlices;
}

/** Sorts a parsed document into Items and failures. `source` names it in failures (path or URL). */
export function decodeValue(value: unknown, source: string): Decoded {
  if (Array.isArray(value)) return decodeList(value, source, '');
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.type === 'FeatureCollection') {
      if (!Array.isArray(v.features)) return failed(source, 'FeatureCollection without a features array');
      return decodeList(v.features, source, 'features');
    }
    if (v.type === 'Catalog' || v.type === 'Collection') return { items: [], failures: [], catalog: v };
  }
  const problem = itemProblem(value);
  if (problem) return failed(source, problem);
  return { items: [value as StacItem], failures: [] };
}

/** Parses and decodes one JSON document. */
export function decodeText(text: string, source: string): Decoded {
  const parsed = parseJson(text);
  if ('error' in parsed) return failed(source, parsed.error);
  return decodeValue(parsed.value, source);
}

function decodeList(list: unknown[], source: string, field: string): Decoded {
  const out: Decoded = { items: [], failures: [] };
  for (let i = 0; i < list.length; i++) {
    const problem = itemProblem(list[i]);
    if (problem) out.failures.push({ source: `${source}#${field}[${i}]`, reason: problem });
    else out.items.push(list[i] as StacItem);
  }
  return out;
}

export function failed(source: string, reason: string): Decoded {
  return { items: [], failures: [{ source, reason }] };
}

/** True when bytes look like text rather than binary (no NUL in the first KB). */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * How a worker hands Items back: structured clone of the objects, or the JSON text of each Item
 * (one string per Item, parsed by the caller). Joining the texts into one JSON array was measured
 * 4x slower than parsing them one by one (the joined string lands in large-object space).
 * `bytes` (the default for JSON: files, NDJSON ranges, FeatureCollection chunks): the worker only
 * reads and hands the bytes over in transferred buffers; the caller decodes and parses them
 * (file-bytes.ts). Other jobs fall back to `json`.
 */
export type Transfer = 'clone' | 'json' | 'bytes';

/**
 * Decodes a document's bytes at once: `bytes` [start, end), by default all of them (they may be a
 * view of a reused buffer). The text of a parsed document is kept as `raw`.
 */
export function decodeBytes(
  bytes: Buffer,
  ref: string,
  whole: boolean,
  start = 0,
  end = bytes.length,
): Decoded & { raw?: string } {
  if (end <= start) return failed(ref, 'empty file');
  if (end - start < SCAN_MIN_BYTES) {
    // The usual Item file, decoded straight from the buffer (no view per file). The binary check (a
    // NUL in the first KB) runs only when the text holds a NUL at all: a view and a byte loop over
    // every file's first KB cost a measurable share of a directory ingest's CPU.
    const text = bytes.toString('utf8', start, end);
    if (text.indexOf('\0') === -1) return withRaw(decodeText(text, ref), text);
  }
  const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  if (looksBinary(view)) return failed(ref, 'binary content, not JSON');
  if (view.length >= SCAN_MIN_BYTES && !whole) {
    const slices = scanFeatureCollection(view, ref);
    if (slices) return { items: [], failures: [], slices };
  }
  const text = view.toString('utf8');
  return withRaw(decodeText(text, ref), text);
}

function withRaw(doc: Decoded & { raw?: string }, raw: string): Decoded & { raw?: string } {
  doc.raw = raw;
  return doc;
}

/** Adds one decoded file (expected to hold Items) to what a files job gathered. */
export function gatherDocument(
  doc: Decoded & { raw?: string },
  ref: string,
  transfer: Transfer | undefined,
  out: Gathered,
): void {
  if (doc.catalog) out.failures.push({ source: ref, reason: 'a STAC Catalog/Collection, not an Item' });
  for (const f of doc.failures) out.failures.push(f);
  if (doc.slices) {
    addSlices(doc.slices, transfer, out);
  } else if (transfer === 'json') {
    // One valid Item per file (the usual case): its own text is already the JSON to send.
    if (doc.items.length === 1 && doc.failures.length === 0) out.texts.push(stripBom(doc.raw!));
    else for (const item of doc.items) out.texts.push(JSON.stringify(item));
  } else {
    for (const item of doc.items) out.items.push(item);
  }
}

export interface Gathered {
  items: StacItem[];
  failures: IngestFailure[];
  texts: string[];
  slices: FeatureSlices[];
}

/**
 * A scanned FeatureCollection: on the main thread its slices go to the caller as they are (parsed
 * one by one as it pulls); a worker parses them now and hands over checked texts or the Items.
 */
export function addSlices(doc: FeatureSlices, transfer: Transfer | undefined, out: Gathered): void {
  if (transfer === undefined) {
    out.slices.push(doc);
    return;
  }
  const parsed = transfer === 'json' ? checkedTexts(doc) : parseAll(doc);
  for (const f of parsed.failures) out.failures.push(f);
  if ('texts' in parsed) for (const t of parsed.texts) out.texts.push(t);
  else for (const item of parsed.items) out.items.push(item);
}
