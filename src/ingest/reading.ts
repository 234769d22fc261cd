/**
 * The ways bytes are read, one per mechanism, so each strategy uses exactly one:
 * - `promises`: `fs.promises.readFile` (the seed's read, the sequential baseline);
 * - `callback`: callback `fs.open` and one `fs.read` into a reused buffer (`readCallback`), for the
 *   concurrent strategy: two thread-pool round trips before the bytes are in hand instead of four;
 * - `sync`: `openSync`/`readSync` into a reused buffer, for worker threads (blocking a worker is
 *   the point; no libuv thread pool involved).
 * References are local paths or http(s) URLs (static catalogs may point at either).
 */
import {
  close as closeCb,
  closeSync,
  fstatSync,
  open as openCb,
  openSync,
  read as readCb,
  readFile as readFileCb,
  readSync,
} from 'node:fs';
import { open, readFile } from 'node:fs/promises';

export type ReadMode = 'promises' | 'callback' | 'sync';

export function isUrl(ref: string): boolean {
  return ref.startsWith('http://') || ref.startsWith('https://');
}

/** Reads a whole file or URL. Throws an Error whose message is the reason (no path: callers add it). */
export async function readRef(ref: string, mode: ReadMode): Promise<Buffer> {
  if (isUrl(ref)) return fetchBytes(ref);
  if (mode === 'sync') return readWholeSync(ref);
  if (mode === 'callback') return readCallback(ref);
  return readFile(ref);
}

async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  }
  return Buffer.from(await res.arrayBuffer());
}

/** Read buffers of the callback reads in flight, reused (one per read in flight). */
const callbackScratch: Buffer[] = [];
const CALLBACK_SCRATCH = 1 << 16;

/**
 * One open and one read into a reused buffer, then a copy of the bytes read; the close is not
 * waited for. `fs.readFile` makes four thread-pool round trips per file (open, fstat, read, close)
 * and allocates for the file's size; most STAC Items fit in one read. A file that fills the buffer
 * is read again with `fs.readFile`.
 */
function readCallback(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    openCb(path, 'r', (err, fd) => {
      if (err) return reject(err);
      const scratch = callbackScratch.pop() ?? Buffer.allocUnsafeSlow(CALLBACK_SCRATCH);
      readCb(fd, scratch, 0, scratch.length, 0, (rerr, n) => {
        closeCb(fd, () => undefined);
        const out = !rerr && n < scratch.length ? Buffer.from(scratch.subarray(0, n)) : null;
        callbackScratch.push(scratch);
        if (rerr) reject(rerr);
        else if (out) resolve(out);
        else readFileCb(path, (e, data) => (e ? reject(e) : resolve(data)));
      });
    });
  });
}

let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a file with one open, one read into a reused buffer (most STAC Items fit) and one close;
 * larger files get a larger buffer after an fstat. Returns a copy the caller owns.
 */
export function readWholeSync(path: string): Buffer {
  return Buffer.from(readViewSync(path));
}

/**
 * As readWholeSync, without the copy: a view of this thread's reused buffer, valid only until the
 * next read on this thread. For callers that decode the bytes at once (a worker reading an Item).
 */
export function readViewSync(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let n = readSync(fd, scratch, 0, scratch.length, 0);
    if (n < scratch.length) return scratch.subarray(0, n);
    const size = fstatSync(fd).size;
    if (size + 1 > scratch.length) scratch = Buffer.allocUnsafe(size + 1);
    n = readSync(fd, scratch, 0, scratch.length, 0);
    return scratch.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads bytes [start, end) of a file, fewer at end of file. */
export async function readBytes(
  path: string,
  start: number,
  end: number,
  mode: ReadMode,
  target?: Buffer,
): Promise<Buffer> {
  const length = Math.max(0, end - start);
  // Into `target` when it is large enough (a reused buffer: no fresh memory to fault in).
  const buf = target && target.length >= length ? target.subarray(0, length) : Buffer.allocUnsafe(length);
  if (mode === 'sync') {
    const fd = openSync(path, 'r');
    try {
      return buf.subarray(0, readFully(fd, buf, start));
    } finally {
      closeSync(fd);
    }
  }
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buf, filled, length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Blocking reads into all of `buf` from file offset `position`; the count read (less at the end). */
export function readFully(fd: number, buf: Buffer, position: number): number {
  let filled = 0;
  while (filled < buf.length) {
    const n = readSync(fd, buf, filled, buf.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}
