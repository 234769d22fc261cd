/**
 * Moving a job result between threads: what a worker's reply transfers (not copies), and the
 * caller-side rewrapping of what arrived as plain Uint8Arrays.
 */
import { ownArrayBuffer } from '../decode/file-bytes.js';
import type { JobOutput } from './jobs.js';

/** The transfer list of a result (its file bytes' buffer, if any). */
export function transferables(result: JobOutput): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (result.fileBytes) out.push(result.fileBytes.buffer);
  // NDJSON lines handed over as bytes: each slice's bytes travel with it, moved, not copied.
  for (const s of result.itemSlices ?? []) {
    const own = ownArrayBuffer(s.bytes);
    s.bytes = Buffer.from(own);
    out.push(own);
  }
  return out;
}

/**
 * Caller side: slices that crossed from a worker arrive with plain Uint8Arrays; they are Buffers
 * again here (no copy), as the slice decoding expects.
 */
export function rewrapSlices(result: JobOutput): JobOutput {
  for (const s of result.itemSlices ?? []) {
    const u8: Uint8Array = s.bytes;
    if (!Buffer.isBuffer(u8)) s.bytes = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  return result;
}
