/**
 * The `parse-on-caller` hand-over of the worker-threads strategy (variant): a worker only reads a
 * batch of files, with blocking reads, into one buffer that is transferred (not copied) to the
 * caller, which decodes and parses each file there.
 *
 * Why it exists: with workers that parse, every Item is parsed twice (in the worker, to check it,
 * and again by the caller, who must get plain objects), and on two cores that second parse and
 * the reads compete for the same CPU. Here each Item is parsed once, on the caller's thread, and
 * the workers do the file-system calls. It is a variant, not the default: the strategy's mechanism
 * is "workers read and parse" (ARCHITECTURE, Strategies).
 */
import type { StacItem } from '../stac/item.js';
import {
  decodeBytes,
  type Gathered,
  gatherDocument,
  gatheredResult,
  type JobResult,
  readReason,
} from './jobs.js';
import { readViewSync } from './reading.js';
import type { IngestFailure } from './types.js';

/** A batch of files as read: file `i` is bytes [ends[i-1], ends[i]) of `buffer` (which may be longer). */
export interface FileBytes {
  buffer: ArrayBuffer;
  ends: number[];
  refs: string[];
}

/** Worker side: reads `refs` into one buffer; files that cannot be read are failures. */
export function readFileBytes(refs: string[]): JobResult {
  const failures: IngestFailure[] = [];
  const read: string[] = [];
  const ends: number[] = [];
  let out = Buffer.allocUnsafeSlow(refs.length * 8192);
  let used = 0;
  for (const ref of refs) {
    let view: Buffer;
    try {
      view = readViewSync(ref);
    } catch (e) {
      failures.push({ source: ref, reason: readReason(e) });
      continue;
    }
    if (used + view.length > out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + view.length));
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    view.copy(out, used);
    used += view.length;
    read.push(ref);
    ends.push(used);
  }
  // The whole allocation is transferred (no copy of the used part); `ends` says where the data stops.
  return { items: [], failures, fileBytes: { buffer: out.buffer as ArrayBuffer, ends, refs: read } };
}

/** The transfer list of a result (its file bytes' buffer, if any). */
export function transferables(result: JobResult): ArrayBuffer[] {
  return result.fileBytes ? [result.fileBytes.buffer] : [];
}

/** Caller side: decodes and parses every file of a bytes result, as a main-thread job would. */
export function decodeFileBytes(result: JobResult): JobResult {
  const fb = result.fileBytes;
  if (!fb) return result;
  const bytes = Buffer.from(fb.buffer);
  const out: Gathered = { items: [] as StacItem[], failures: [...result.failures], texts: [], slices: [] };
  let start = 0;
  fb.refs.forEach((ref, i) => {
    const end = fb.ends[i]!;
    gatherDocument(decodeBytes(bytes.subarray(start, end), ref, false), ref, undefined, out);
    start = end;
  });
  return gatheredResult(out, undefined);
}
