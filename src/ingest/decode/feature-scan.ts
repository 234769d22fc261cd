/**
 * A FeatureCollection read feature by feature (and NDJSON line by line: ndjson.ts cuts a byte range
 * into the same slices). `JSON.parse` of a whole 35 MB collection builds one
 * 35 MB string and then every Item at once, all alive until the last is consumed (old-space
 * garbage for the collector); here a scan over the bytes finds where each element of the top-level
 * `features` array starts and ends, and each feature is decoded and parsed on its own as the consumer
 * pulls, so its text and objects die young.
 *
 * The scan only finds boundaries (strings, escapes, nesting); JSON syntax is still checked by
 * `JSON.parse`: of each feature, and of the rest of the document with `features` emptied. Anything
 * the scan does not expect (a document that is not an object, no `features` array, an element that
 * is not an object, unbalanced brackets) answers null, and the caller parses the file whole, which
 * gives the usual error for a broken file.
 */
import { isAscii } from 'node:buffer';
import type { StacItem } from '../../stac/item.js';
import { itemProblem } from '../../stac/item-check.js';
import type { IngestFailure } from '../types.js';
import { jsonErrorReason, stripBom } from './json-text.js';

/** The features of a FeatureCollection document, not yet parsed. */
export interface FeatureSlices {
  /** The whole document (kept alive until the last feature is parsed). */
  bytes: Buffer;
  /** [start, end) byte offsets of each feature, two numbers per feature. */
  ranges: Int32Array;
  /** The document's name in failures (path or URL). */
  source: string;
  /** Every byte < 0x80: slices decode as latin1 (a copy) instead of UTF-8. */
  ascii: boolean;
  /**
   * NDJSON lines: the file offset of `bytes[0]`; failures are then named by the byte their line
   * starts at (`path (line at byte N)`) instead of `path#features[i]`.
   */
  lineBase?: number;
  /** The index of the first slice among the document's features (a streamed chunk's). */
  firstIndex?: number;
  /** Called once every slice is parsed: `bytes` may then be reused (they are read into again). */
  release?: () => void;
}

/** Documents smaller than this are parsed whole (the scan pays off on large collections). */
export const SCAN_MIN_BYTES = 1 << 20;

/** The JSON bytes the scanners look for (feature-stream.ts too). */
export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
const FEATURES = Buffer.from('"features"');

/**
 * Splits a FeatureCollection document into its features; null when the document is not shaped
 * as one (parse it whole instead). The rest of the document must still be a FeatureCollection.
 */
export function scanFeatureCollection(bytes: Buffer, source: string): FeatureSlices | null {
  const found = splitFeatures(bytes);
  if (!found) return null;
  const { arrayStart, arrayEnd, ranges } = found;
  const envelope = Buffer.concat([bytes.subarray(0, arrayStart + 1), bytes.subarray(arrayEnd)]);
  let rest: unknown;
  try {
    rest = JSON.parse(stripBom(envelope.toString('utf8')));
  } catch {
    return null;
  }
  if (
    rest === null ||
    typeof rest !== 'object' ||
    (rest as { type?: unknown }).type !== 'FeatureCollection'
  ) {
    return null;
  }
  return { bytes, ranges: Int32Array.from(ranges), source, ascii: isAscii(bytes) };
}

/** The number of features. */
export function sliceCount(slices: FeatureSlices): number {
  return slices.ranges.length / 2;
}

/**
 * Parses feature `i`: the Item, or the failure (named `source#features[i]`) when it is not valid
 * JSON or not an Item.
 */
export function parseSlice(slices: FeatureSlices, i: number): StacItem | IngestFailure {
  const text = sliceText(slices, i);
  const source =
    slices.lineBase === undefined
      ? `${slices.source}#features[${i + (slices.firstIndex ?? 0)}]`
      : `${slices.source} (line at byte ${slices.lineBase + slices.ranges[2 * i]!})`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { source, reason: jsonErrorReason(e) };
  }
  const problem = itemProblem(value);
  return problem ? { source, reason: problem } : (value as StacItem);
}

/** Every feature parsed now: the Items and the failures (a worker's structured-clone hand-over). */
export function parseAll(slices: FeatureSlices): { items: StacItem[]; failures: IngestFailure[] } {
  const { kept, failures } = eachItem(slices, (item) => item);
  return { items: kept, failures };
}

/**
 * The text of every feature that parses as an Item, and the failures (a worker's JSON hand-over:
 * the caller parses the texts again, so only checked ones are sent).
 */
export function checkedTexts(slices: FeatureSlices): { texts: string[]; failures: IngestFailure[] } {
  const { kept, failures } = eachItem(slices, (_item, i) => sliceText(slices, i));
  return { texts: kept, failures };
}

/** Parses every feature; keeps `pick(item, i)` of each Item, collects the failures. */
function eachItem<T>(
  slices: FeatureSlices,
  pick: (item: StacItem, i: number) => T,
): { kept: T[]; failures: IngestFailure[] } {
  const kept: T[] = [];
  const failures: IngestFailure[] = [];
  for (let i = 0; i < sliceCount(slices); i++) {
    const v = parseSlice(slices, i);
    if (isFailure(v)) failures.push(v);
    else kept.push(pick(v, i));
  }
  return { kept, failures };
}

function sliceText(slices: FeatureSlices, i: number): string {
  const { bytes, ranges } = slices;
  return bytes.toString(slices.ascii ? 'latin1' : 'utf8', ranges[2 * i]!, ranges[2 * i + 1]!);
}

/** A parsed feature that is not an Item (Items always have `type: 'Feature'`). */
export function isFailure(value: StacItem | IngestFailure): value is IngestFailure {
  return (value as StacItem).type !== 'Feature';
}

/** Where a document's `features` array and its elements are. */
export interface SplitFeatures {
  /** Offsets of the array's `[` and `]`. */
  arrayStart: number;
  arrayEnd: number;
  /** [start, end) of each element, two numbers per element. */
  ranges: number[];
}

/**
 * Walks the members of the top-level object that starts at `begin` (after white space and a UTF-8
 * byte-order mark) and returns its `features` array's elements, each an object; null when the
 * bytes are not shaped so (no such array, an element that is not an object, a second `features`
 * key, unbalanced brackets, something after the object). Shared by FeatureCollection files and
 * STAC API pages (api/json-bytes.ts).
 */
export function splitFeatures(b: Buffer, begin = 0): SplitFeatures | null {
  let i = skipSpace(b, begin === 0 ? skipBom(b) : begin);
  if (b[i] !== OPEN_OBJECT) return null;
  i = skipSpace(b, i + 1);
  let found: SplitFeatures | null = null;
  if (b[i] === CLOSE_OBJECT) return null;
  while (i < b.length) {
    if (b[i] !== QUOTE) return null;
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return null;
    const isFeatures =
      keyEnd - i === FEATURES.length && b.compare(FEATURES, 0, FEATURES.length, i, keyEnd) === 0;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return null;
    i = skipSpace(b, i + 1);
    if (isFeatures && found !== null) return null; // JSON.parse would keep the last one
    if (isFeatures && b[i] === OPEN_ARRAY) {
      found = scanArray(b, i);
      if (!found) return null;
      i = found.arrayEnd + 1;
    } else {
      i = skipValue(b, i);
      if (i < 0) return null;
    }
    i = skipSpace(b, i);
    if (b[i] === COMMA) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_OBJECT) return null;
    return skipSpace(b, i + 1) === b.length ? found : null;
  }
  return null;
}

/** The elements of the array opening at `i`, each an object; null otherwise. */
function scanArray(b: Buffer, open: number): SplitFeatures | null {
  const ranges: number[] = [];
  let i = skipSpace(b, open + 1);
  if (b[i] === CLOSE_ARRAY) return { arrayStart: open, arrayEnd: i, ranges };
  while (i < b.length) {
    if (b[i] !== OPEN_OBJECT) return null;
    const end = skipValue(b, i);
    if (end < 0) return null;
    ranges.push(i, end);
    i = skipSpace(b, end);
    if (b[i] === COMMA) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_ARRAY) return null;
    return { arrayStart: open, arrayEnd: i, ranges };
  }
  return null;
}

/** The offset just after the value starting at `i`, or -1 when it does not end. */
export function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    // A number or a literal: up to the next delimiter (JSON.parse checks it later).
    while (i < b.length) {
      const d = b[i]!;
      if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d <= 0x20) return i;
      i++;
    }
    return -1;
  }
  let depth = 0;
  while (i < b.length) {
    const d = b[i]!;
    if (d === QUOTE) {
      i = skipString(b, i);
      if (i < 0) return -1;
      continue;
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
    else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** The offset just after the string whose opening quote is at `i`, or -1. */
export function skipString(b: Buffer, i: number): number {
  let q = i;
  while (true) {
    q = b.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    let slashes = 0;
    for (let k = q - 1; k > i && b[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
  }
}

export function skipSpace(b: Buffer, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return i;
}

/** 3 when `b` starts with a UTF-8 byte-order mark, else 0. */
export function skipBom(b: Buffer): number {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}
