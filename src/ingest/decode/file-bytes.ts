/**
 * How the worker-threads strategy hands over batches of files (the default for them, where
 * the first design had workers read and parse): a worker only reads a batch of files,
 * with blocking reads, into one buffer that is transferred (not copied) to the caller, which decodes
 * and parses each file as it is pulled, then gives the buffer back for a later batch.
 *
 * Why: with workers that parse, every Item is parsed twice (in the worker, to check it, and again
 * by the caller, who must get plain objects), and on two cores that second parse and the reads
 * compete for the same CPU. Here each Item is parsed once, on the caller's thread, and the workers
 * do the file-system calls. Variant `parse-in-worker` keeps the other path for comparison.
 */

import { closeSync, readSync } from 'node:fs';
import type { StacItem } from '../../stac/item.js';
import { openRegularSync, readFully, readReason } from '../io/reading.js';
import type { FailureCollector, IngestFailure } from '../types.js';
import { decodeBytes, type Gathered, gatherDocument } from './documents.js';

/** What a worker's read of files or of a chunk produced (a job result's bytes form). */
export interface BytesRead {
  items: StacItem[];
  failures: IngestFailure[];
  fileBytes?: FileBytes;
}

/** A batch of files as read: file `i` is bytes [ends[i-1], ends[i]) of `buffer` (which may be longer). */
export interface FileBytes {
  buffer: ArrayBuffer;
  ends: number[];
  refs: string[];
  /**
   * Caller side only: takes the buffer back once every file is decoded, to send it with a later
   * job. Fresh memory costs a page fault per 4 KB page on first touch: a new buffer per batch faults
   * thousands of times over a run, a measurable share of a fast directory ingest.
   */
  recycle?: (buffer: ArrayBuffer) => void;
}

/** First allocation of a batch's buffer per file (the generated `small` Items are ~5 KB). */
const BYTES_PER_FILE = 8192;

/**
 * Worker side: reads `refs` straight into one buffer (no copy per file); files that cannot be read
 * are failures. A file that does not fit grows the buffer (doubling).
 */
export function readFileBytes(refs: string[], reuse?: ArrayBuffer, listed = false): BytesRead {
  const failures: IngestFailure[] = [];
  const read: string[] = [];
  const ends: number[] = [];
  const acc: Accumulator = {
    buf: reuse ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(refs.length * BYTES_PER_FILE),
    used: 0,
  };
  for (const ref of refs) {
    try {
      appendFileSync(ref, acc, listed);
    } catch (e) {
      failures.push({ source: ref, reason: readReason(e) });
      continue;
    }
    read.push(ref);
    ends.push(acc.used);
  }
  // The whole allocation is transferred (no copy of the used part); `ends` says where the data stops.
  return { items: [], failures, fileBytes: { buffer: acc.buf.buffer as ArrayBuffer, ends, refs: read } };
}

interface Accumulator {
  buf: Buffer;
  used: number;
}

/**
 * Appends a whole file to `acc` with blocking reads. A read that does not fill the space left is
 * taken as the end of the file (regular files), as `readViewSync` does; a failed file leaves
 * `acc.used` where it was.
 */
function appendFileSync(path: string, acc: Accumulator, listed: boolean): void {
  const fd = openRegularSync(path, listed);
  const at = acc.used;
  try {
    while (true) {
      const room = acc.buf.length - acc.used;
      const n = readSync(fd, acc.buf, acc.used, room, acc.used - at);
      acc.used += n;
      if (n < room) return;
      const bigger = Buffer.allocUnsafeSlow(Math.max(acc.buf.length * 2, BYTES_PER_FILE));
      acc.buf.copy(bigger, 0, 0, acc.used);
      acc.buf = bigger;
    }
  } catch (e) {
    acc.used = at;
    throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Worker side of a streamed FeatureCollection's chunk: bytes [position, position + length) of the
 * file read into `given` from index `at`, the bytes before `at` (the previous chunk's unfinished
 * feature) kept. The result's file bytes end at `at` + the count read.
 */
export function readRangeBytes(
  job: { path: string; position: number; length: number; at: number },
  given?: ArrayBuffer,
): BytesRead {
  let buf = given ? Buffer.from(given) : Buffer.allocUnsafeSlow(job.at + job.length);
  if (buf.length < job.at + job.length) {
    const bigger = Buffer.allocUnsafeSlow(job.at + job.length);
    buf.copy(bigger, 0, 0, job.at);
    buf = bigger;
  }
  let n: number;
  try {
    const fd = openRegularSync(job.path, true);
    try {
      n = readFully(fd, buf.subarray(job.at, job.at + job.length), job.position);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { items: [], failures: [{ source: job.path, reason: readReason(e) }] };
  }
  const fileBytes = { buffer: buf.buffer as ArrayBuffer, ends: [job.at + n], refs: [job.path] };
  return { items: [], failures: [], fileBytes };
}

/**
 * `bytes`' memory as an ArrayBuffer of its own, ready to transfer: the same memory when `bytes` spans
 * all of it, else a copy (transferring a view into a shared pool would move the whole pool).
 */
export function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    return bytes.buffer as ArrayBuffer;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/**
 * Caller side: decodes and parses the files of a bytes result one at a time, as the caller pulls,
 * so a batch's Items are not all alive at once (the bytes wait off the JS heap).
 */
export class FileBytesReader {
  private file = 0;
  private start = 0;
  private readonly bytes: Buffer;
  private recycled = false;

  constructor(private readonly fb: FileBytes) {
    this.bytes = Buffer.from(fb.buffer);
  }

  /**
   * The next file's Item (the usual case: one Item per file), or its Items when it holds several
   * (an array, a FeatureCollection); null when every file is done. Failures go to `failures`.
   */
  next(failures: FailureCollector): StacItem | StacItem[] | null {
    const { refs, ends } = this.fb;
    while (this.file < refs.length) {
      const ref = refs[this.file]!;
      const end = ends[this.file++]!;
      const doc = decodeBytes(this.bytes, ref, false, this.start, end);
      this.start = end;
      if (doc.items.length === 1 && doc.failures.length === 0 && !doc.catalog && !doc.slices)
        return doc.items[0]!;
      const out: Gathered = { items: [], failures: [], texts: [], slices: [] };
      gatherDocument(doc, ref, 'clone', out);
      for (const f of out.failures) failures.add(f.source, f.reason);
      if (out.items.length > 0) return out.items;
    }
    // Every file decoded (what the Items hold are copies): the buffer can be read into again.
    this.release();
    return null;
  }

  /** Gives the buffer back for a later batch (once). */
  release(): void {
    if (this.recycled) return;
    this.recycled = true;
    this.file = this.fb.refs.length;
    this.fb.recycle?.(this.fb.buffer);
  }
}
