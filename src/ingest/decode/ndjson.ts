/**
 * NDJSON by byte range. A file is cut into ranges of about `RANGE_BYTES`; a range owns the lines
 * that START inside it, so ranges can be read and parsed independently (one after another, several
 * at once, or in different workers) and every line is read exactly once. Blank lines and CRLF line
 * ends are tolerated; a byte-order mark at the start of the file is skipped.
 */
import { isAscii } from 'node:buffer';
import { stat } from 'node:fs/promises';
import type { StacItem } from '../../stac/item.js';
import { itemProblem } from '../../stac/item-check.js';
import { type ReadMode, readBytes } from '../io/reading.js';
import type { IngestFailure } from '../types.js';
import type { FeatureSlices } from './feature-scan.js';
import { isBlank, parseJson } from './json-text.js';

export const RANGE_BYTES = 1 << 20;
const NL = 0x0a;
const TAIL_STEP = 1 << 16;

export interface ByteRange {
  start: number;
  end: number;
}

/** Cuts `size` bytes into consecutive ranges of `rangeBytes` (the last one shorter). */
export function byteRanges(size: number, rangeBytes = RANGE_BYTES): ByteRange[] {
  const out: ByteRange[] = [];
  for (let start = 0; start < size; start += rangeBytes) {
    out.push({ start, end: Math.min(size, start + rangeBytes) });
  }
  return out;
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/**
 * Reads the lines owned by [start, end): from the byte before `start` (to know whether a line
 * begins at `start`) up to the newline that ends the last owned line.
 */
export async function readOwnedLines(
  path: string,
  range: ByteRange,
  mode: ReadMode,
  reuse = false,
): Promise<{ bytes: Buffer; from: number; offset: number; release?: () => void }> {
  const from = range.start > 0 ? range.start - 1 : 0;
  const target = reuse ? takeRangeBuffer(range.end - from) : undefined;
  let bytes = await readBytes(path, from, range.end, mode, target);
  let complete = bytes.length < range.end - from || bytes[bytes.length - 1] === NL;
  while (!complete) {
    const at = from + bytes.length;
    const more = await readBytes(path, at, at + TAIL_STEP, mode);
    const nl = more.indexOf(NL);
    const take = nl === -1 ? more : more.subarray(0, nl + 1);
    bytes = Buffer.concat([bytes, take]);
    complete = nl !== -1 || more.length < TAIL_STEP;
  }
  // `bytes` is still the reused buffer unless a long last line was appended (into a copy).
  let release: { release: () => void } | undefined;
  if (target && bytes.buffer === target.buffer) release = { release: () => giveRangeBuffer(target) };
  else if (target) giveRangeBuffer(target);
  let head = 0;
  if (range.start > 0) {
    const nl = bytes.indexOf(NL);
    // The first owned line starts after the first newline at or after byte start-1, inside the range.
    head = nl === -1 || from + nl + 1 >= range.end ? bytes.length : nl + 1;
  }
  return { bytes, from, offset: head, ...release };
}

/**
 * Range buffers reused on the caller's thread: a range's bytes go back once its lines are parsed
 * (FeatureSlices.release). Fresh memory costs a page fault per 4 KB page on first touch, and new
 * 1 MiB buffers per range fault thousands of times over a run.
 */
const spareRanges: Buffer[] = [];
const SPARE_RANGES = 4;

function takeRangeBuffer(length: number): Buffer {
  const i = spareRanges.findIndex((b) => b.length >= length);
  if (i >= 0) return spareRanges.splice(i, 1)[0]!;
  return Buffer.allocUnsafeSlow(Math.max(length, RANGE_BYTES + 1));
}

function giveRangeBuffer(buf: Buffer): void {
  if (spareRanges.length < SPARE_RANGES && !spareRanges.includes(buf)) spareRanges.push(buf);
}

/**
 * The non-blank lines of `bytes` from `offset`, not yet parsed (the caller parses them one by one as
 * it pulls: a range's Items are then not all alive at once). A byte-order mark at the start of the
 * file is skipped; CR before LF is left out of the line.
 */
export function lineSlices(path: string, bytes: Buffer, base: number, offset: number): FeatureSlices {
  const ranges: number[] = [];
  let pos = offset;
  if (base + pos === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) pos = 3;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(NL, pos);
    if (nl === -1) nl = bytes.length;
    let stop = nl;
    if (stop > pos && bytes[stop - 1] === 0x0d) stop--;
    if (!blankBytes(bytes, pos, stop)) ranges.push(pos, stop);
    pos = nl + 1;
  }
  return { bytes, ranges: Int32Array.from(ranges), source: path, ascii: isAscii(bytes), lineBase: base };
}

function blankBytes(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** What parsing a range's lines produced; `lines` holds the raw text of each good line. */
export interface ParsedLines {
  items: StacItem[];
  lines: string[];
  failures: IngestFailure[];
}

/**
 * Parses each non-blank line of `bytes` from `offset`. Failures name the file and the byte offset
 * where the line starts. With `keepText`, the raw text of good lines is kept (worker JSON transfer).
 */
export function parseLines(
  path: string,
  bytes: Buffer,
  base: number,
  offset: number,
  keepText: boolean,
): ParsedLines {
  const out: ParsedLines = { items: [], lines: [], failures: [] };
  let pos = offset;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(NL, pos);
    if (nl === -1) nl = bytes.length;
    let stop = nl;
    if (stop > pos && bytes[stop - 1] === 0x0d) stop--;
    if (stop > pos) parseLine(path, bytes.toString('utf8', pos, stop), base + pos, keepText, out);
    pos = nl + 1;
  }
  return out;
}

function parseLine(path: string, text: string, at: number, keepText: boolean, out: ParsedLines): void {
  if (isBlank(text)) return;
  const parsed = parseJson(text);
  if ('error' in parsed) {
    out.failures.push({ source: `${path} (line at byte ${at})`, reason: parsed.error });
    return;
  }
  const problem = itemProblem(parsed.value);
  if (problem) {
    out.failures.push({ source: `${path} (line at byte ${at})`, reason: problem });
    return;
  }
  out.items.push(parsed.value as StacItem);
  if (keepText) out.lines.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
