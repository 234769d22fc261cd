/**
 * The ways bytes are read, one per mechanism, so each strategy uses exactly one:
 * - `promises`: `fs.promises.readFile` (the seed's read, the sequential baseline);
 * - `callback`: callback `fs.open` and one `fs.read` into a reused buffer (`readCallback`), for the
 *   concurrent strategy: two thread-pool round trips before the bytes are in hand instead of four;
 * - `sync`: `openSync`/`readSync` into a reused buffer, for worker threads (blocking a worker is
 *   the point; no libuv thread pool involved).
 * References are local paths or http(s) URLs (static catalogs may point at either).
 *
 * Only regular files are read: files are opened non-blocking (a FIFO cannot hang the open) and, unless
 * the listing already said they are regular files (`listed`), checked with fstat first, so a link to
 * a FIFO, a device (`/dev/zero`) or a socket is a failure rather than a hang or an endless read.
 */
import {
  close as closeCb,
  closeSync,
  constants,
  fstat as fstatCb,
  fstatSync,
  open as openCb,
  openSync,
  read as readCb,
  readFile as readFileCb,
  readSync,
  type Stats,
} from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { HttpClient } from '../api/http.js';

export type ReadMode = 'promises' | 'callback' | 'sync';

export function isUrl(ref: string): boolean {
  return ref.startsWith('http://') || ref.startsWith('https://');
}

/** Opening never waits for a FIFO's writer; on a regular file O_NONBLOCK changes nothing. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** A path that exists but is not a regular file (code `ENOTREG`, see readReason). */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(kind: string) {
    super(`not a regular file (${kind})`);
  }
}

/** What kind of file system entry `st` is, for messages. */
export function entryKind(
  st: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isDirectory'>,
): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function checkRegular(st: Stats): void {
  if (!st.isFile()) throw new NotRegularFileError(entryKind(st));
}

/** Opens a regular file for reading with a handle (throws NotRegularFileError for anything else). */
export async function openRegular(path: string): Promise<FileHandle> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    checkRegular(await handle.stat());
    return handle;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** As openRegular, blocking; `listed` skips the check (the directory listing said it is a file). */
export function openRegularSync(path: string, listed = false): number {
  const fd = openSync(path, OPEN_FLAGS);
  if (!listed) {
    try {
      checkRegular(fstatSync(fd));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  return fd;
}

/**
 * Reads a whole file or URL. Throws an Error whose message is the reason (no path: callers add it).
 * URLs are read with `http` (bounded in size and time, checked for reach); `listed` paths were
 * found regular by a directory listing.
 */
export async function readRef(
  ref: string,
  mode: ReadMode,
  http?: HttpClient,
  listed = false,
): Promise<Buffer> {
  if (isUrl(ref)) {
    if (!http) throw new Error('no HTTP client for a remote document');
    return fetchBytes(ref, http);
  }
  if (mode === 'sync') return readWholeSync(ref, listed);
  if (mode === 'callback') return readCallback(ref, listed);
  if (listed) return readFile(ref);
  return readRegular(ref);
}

/**
 * A file checked to be regular, read with as many thread-pool round trips as `fs.readFile` makes
 * (open, fstat, read, close): the size comes from the fstat of the check. A size of 0 (procfs) is
 * read to its end.
 */
async function readRegular(path: string): Promise<Buffer> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    checkRegular(st);
    if (st.size === 0) return await handle.readFile();
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return n === buf.length ? buf : buf.subarray(0, n);
  } finally {
    await handle.close();
  }
}

async function fetchBytes(url: string, http: HttpClient): Promise<Buffer> {
  let res: Awaited<ReturnType<HttpClient['send']>>;
  try {
    res = await http.send({ url, method: 'GET' });
  } catch (e) {
    // The failure already names the URL as its source: the reason is the cause alone.
    const cause = (e as Error).cause;
    throw cause instanceof Error ? cause : e;
  }
  if (res.status < 200 || res.status > 299) {
    throw new Error(`HTTP ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trim());
  }
  return res.bytes;
}

/** Read buffers of the callback reads in flight, reused (one per read in flight). */
const callbackScratch: Buffer[] = [];
const CALLBACK_SCRATCH = 1 << 16;

/**
 * One open (and an fstat, unless `listed`) and one read into a reused buffer, then a copy of the
 * bytes read; the close is not waited for. `fs.readFile` makes four thread-pool round trips per file (open, fstat, read, close)
 * and allocates for the file's size; most STAC Items fit in one read. A file that fills the buffer
 * is read again with `fs.readFile`.
 */
function readCallback(path: string, listed: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    openCb(path, OPEN_FLAGS, (err, fd) => {
      if (err) return reject(err);
      if (listed) return readOpened(path, fd, resolve, reject);
      fstatCb(fd, (serr, st) => {
        const problem = serr ?? (st.isFile() ? null : new NotRegularFileError(entryKind(st)));
        if (!problem) return readOpened(path, fd, resolve, reject);
        closeCb(fd, () => undefined);
        reject(problem);
      });
    });
  });
}

function readOpened(
  path: string,
  fd: number,
  resolve: (b: Buffer) => void,
  reject: (e: unknown) => void,
): void {
  const scratch = callbackScratch.pop() ?? Buffer.allocUnsafeSlow(CALLBACK_SCRATCH);
  readCb(fd, scratch, 0, scratch.length, 0, (rerr, n) => {
    closeCb(fd, () => undefined);
    const out = !rerr && n < scratch.length ? Buffer.from(scratch.subarray(0, n)) : null;
    callbackScratch.push(scratch);
    if (rerr) reject(rerr);
    else if (out) resolve(out);
    else readFileCb(path, (e, data) => (e ? reject(e) : resolve(data)));
  });
}

let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a file with one open, one read into a reused buffer (most STAC Items fit) and one close;
 * larger files get a larger buffer after an fstat. Returns a copy the caller owns.
 */
export function readWholeSync(path: string, listed = false): Buffer {
  return Buffer.from(readViewSync(path, listed));
}

/**
 * As readWholeSync, without the copy: a view of this thread's reused buffer, valid only until the
 * next read on this thread. For callers that decode the bytes at once (a worker reading an Item).
 */
export function readViewSync(path: string, listed = false): Buffer {
  const fd = openRegularSync(path, listed);
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
    const fd = openRegularSync(path, true);
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

/** A short reason for a read error: the errno code's meaning, without repeating the path. */
export function readReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    EPERM: 'operation not permitted',
    ELOOP: 'symlink loop',
    ENXIO: 'not a regular file (no such device or address: a socket?)',
  };
  if (err?.code === 'ENOTREG') return err.message;
  if (err?.code && known[err.code]) return `${known[err.code]} (${err.code})`;
  return err?.message ?? String(e);
}
