/**
 * A large FeatureCollection file read in chunks on the caller's thread: each 1 MiB chunk is scanned
 * for the features it holds whole (a feature cut by the chunk's end moves to the next chunk), and
 * its features are parsed one by one as the caller pulls (the slices of feature-scan.ts). While the
 * caller parses one chunk, the next is being read (libuv's thread pool), into a buffer an earlier
 * chunk used: memory stays at about two chunks whatever the file's size, and reading overlaps
 * parsing.
 *
 * Streaming yields features before the end of the file is seen, so it is used only where the
 * beginning already says what the document is: a `type` of "FeatureCollection" before `features`,
 * within the first chunk (how collections are written in practice). Anything else is parsed as
 * before (feature-scan.ts, then `JSON.parse`). A file that turns out broken after its first features
 * (truncated, bad bytes between features, a broken ending) keeps the features read whole and counts
 * one failure for the file, naming what went wrong.
 */
import { isAscii } from 'node:buffer';
import { openRegular } from '../io/reading.js';
import type { IngestFailure } from '../types.js';
import {
  CLOSE_ARRAY,
  COLON,
  COMMA,
  type FeatureSlices,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  SCAN_MIN_BYTES,
  skipBom,
  skipSpace,
  skipString,
  skipValue,
} from './feature-scan.js';
import { jsonErrorReason, stripBom } from './json-text.js';

/** Bytes read per chunk (more when a single feature is larger). */
export const STREAM_CHUNK = 1 << 20;

/** One chunk's features (possibly none) and the failures found so far. */
export interface StreamPart {
  slices: FeatureSlices | null;
  failures: IngestFailure[];
}

/** What the caller pulls after the first part: the next part, or null at the end. */
export interface PartSource {
  next(): Promise<StreamPart | null>;
  /** Stops reading and closes the file (idempotent). */
  close(): Promise<void>;
}

type Expect = 'element' | 'separator' | 'tail';

/**
 * Where the chunks' bytes come from: this thread's file handle, or a worker (worker-threads).
 */
export interface ChunkReader {
  /** The file's size in bytes. */
  size(): Promise<number>;
  /**
   * Reads up to `length` bytes at file offset `position` into `buf` from index `at` (bytes before
   * `at` are kept). Resolves to the buffer now holding them (a new object when the bytes were
   * read on another thread and `buf` was transferred) and the count read.
   */
  read(buf: Buffer, at: number, length: number, position: number): Promise<{ buf: Buffer; n: number }>;
  close(): Promise<void>;
}

/** Reads with a file handle on this thread (libuv's thread pool). */
export async function handleReader(path: string): Promise<ChunkReader> {
  const handle = await openRegular(path);
  return {
    size: async () => (await handle.stat()).size,
    async read(buf, at, length, position) {
      let n = 0;
      while (n < length) {
        const { bytesRead } = await handle.read(buf, at + n, length - n, position + n);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      return { buf, n };
    },
    close: () => handle.close(),
  };
}

/**
 * Opens `path` as a streamed FeatureCollection: its first part and the source of the others, or null
 * when the file is smaller than SCAN_MIN_BYTES or does not start as a FeatureCollection should (the
 * caller then reads it whole). Read errors reject.
 */
export async function openFeatureStream(
  path: string,
  chunkBytes = STREAM_CHUNK,
  reader?: ChunkReader,
): Promise<{ first: StreamPart; rest: PartSource } | null> {
  const source = reader ?? (await handleReader(path));
  try {
    if ((await source.size()) < SCAN_MIN_BYTES) {
      await source.close();
      return null;
    }
    const stream = new FeatureStream(source, path, chunkBytes);
    const first = await stream.start();
    if (!first) await source.close();
    return first ? { first, rest: stream } : null;
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
}

class FeatureStream implements PartSource {
  /** The buffer of the chunk the caller is reading, and the one the next chunk is read into. */
  private current: Buffer;
  private spare: Buffer;
  /** File offset of the next read. */
  private position = 0;
  private expect: Expect = 'element';
  /** Index of the next feature (failures are named `path#features[i]`). */
  private index = 0;
  /** The document up to and including the features' `[`, and what follows their `]`. */
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer[] = [];
  /** Bytes of an element cut by the end of the last chunk, copied to the start of the next. */
  private carry: Buffer = Buffer.alloc(0);
  private trailingComma = false;
  private ended = false;
  private closed = false;
  private prefetch: Promise<{ buf: Buffer; n: number; eof: boolean }> | null = null;
  private failure: IngestFailure | null = null;

  constructor(
    private readonly reader: ChunkReader,
    private readonly path: string,
    private readonly chunkBytes: number,
  ) {
    this.current = Buffer.allocUnsafeSlow(chunkBytes);
    this.spare = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Reads the first chunk; null when it does not open a FeatureCollection's `features` array. */
  async start(): Promise<StreamPart | null> {
    const { buf, n } = await this.reader.read(this.current, 0, this.chunkBytes, 0);
    this.position = n;
    this.current = buf;
    const b = buf.subarray(0, n);
    const open = featuresOpening(b);
    if (open < 0) return null;
    this.head = Buffer.from(b.subarray(0, open + 1));
    return this.part(b, open + 1, n < this.chunkBytes);
  }

  async next(): Promise<StreamPart | null> {
    if (this.ended || this.closed) {
      await this.close();
      return null;
    }
    // The caller is done with the current chunk: the next one, read meanwhile, replaces it.
    let read: { buf: Buffer; n: number; eof: boolean };
    try {
      read = await this.prefetch!;
    } catch (e) {
      this.ended = true;
      this.prefetch = null;
      await this.close();
      const reason = `read failed after features[${this.index - 1}]: ${(e as Error).message}`;
      return { slices: null, failures: [{ source: this.path, reason }] };
    }
    this.prefetch = null;
    this.spare = this.current;
    this.current = read.buf;
    return this.part(this.current.subarray(0, read.n), 0, read.eof);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.prefetch?.catch(() => undefined);
    await this.reader.close();
  }

  /**
   * Scans `b` from `from` (the features start there, or the previous chunk's carry does), starts
   * reading the next chunk, and returns this chunk's part. `eof`: `b` reaches the end of the file.
   */
  private part(b: Buffer, from: number, eof: boolean): StreamPart {
    const ranges: number[] = [];
    const firstIndex = this.index;
    this.carry = b.subarray(b.length);
    this.scan(b, from, ranges, eof);
    const failures: IngestFailure[] = [];
    if (eof || this.failure) {
      this.ended = true;
      const end = this.failure ?? this.ending();
      if (end) failures.push(end);
    } else {
      this.startRead();
    }
    const slices: FeatureSlices | null =
      ranges.length > 0
        ? { bytes: b, ranges: Int32Array.from(ranges), source: this.path, ascii: isAscii(b), firstIndex }
        : null;
    return { slices, failures };
  }

  /** Finds the whole elements in `b` from `i`; what is cut at the end becomes the carry. */
  private scan(b: Buffer, i: number, ranges: number[], eof: boolean): void {
    while (true) {
      i = skipSpace(b, i);
      if (i >= b.length) return;
      if (this.expect === 'tail') {
        this.tail.push(Buffer.from(b.subarray(i)));
        return;
      }
      const c = b[i];
      if (this.expect === 'separator') {
        if (c === COMMA) {
          this.expect = 'element';
          this.trailingComma = true;
          i++;
        } else if (c === CLOSE_ARRAY) {
          this.closeArray(b, i);
          return;
        } else {
          this.failure = this.broken(
            `unexpected '${String.fromCharCode(c!)}' after features[${this.index - 1}]`,
          );
          return;
        }
        continue;
      }
      if (c === CLOSE_ARRAY) {
        this.closeArray(b, i);
        return;
      }
      const end = skipValue(b, i);
      if (end < 0 || (end >= b.length && !eof)) {
        // Cut by the chunk's end (a number may also end exactly there): next chunk.
        this.carry = b.subarray(i);
        return;
      }
      ranges.push(i, end);
      this.index++;
      this.trailingComma = false;
      this.expect = 'separator';
      i = end;
    }
  }

  private closeArray(b: Buffer, i: number): void {
    this.expect = 'tail';
    if (this.trailingComma) {
      this.failure = this.broken(`a comma before the end of features (after features[${this.index - 1}])`);
      return;
    }
    this.tail.push(Buffer.from(b.subarray(i)));
  }

  /** At the end of the file: null if the document was whole and valid, else its failure. */
  private ending(): IngestFailure | null {
    if (this.expect !== 'tail') {
      return this.broken(`the file ends inside the features array (after ${this.index} features)`);
    }
    // The features were checked one by one; the rest of the document is checked here.
    const envelope = Buffer.concat([this.head, ...this.tail]).toString('utf8');
    try {
      JSON.parse(stripBom(envelope));
    } catch (e) {
      return { source: this.path, reason: jsonErrorReason(e) };
    }
    return null;
  }

  private broken(what: string): IngestFailure {
    return { source: this.path, reason: `invalid JSON: ${what}` };
  }

  /** Starts reading the next chunk into the spare buffer, after the carry. */
  private startRead(): void {
    // Closed meanwhile (the consumer stopped): nothing more is read.
    if (this.closed) return;
    const carry = this.carry;
    // A feature larger than a chunk: read more at once rather than rescanning it chunk after chunk.
    const want = Math.max(this.chunkBytes, carry.length);
    if (this.spare.length < carry.length + want) this.spare = Buffer.allocUnsafeSlow(carry.length + want);
    carry.copy(this.spare, 0);
    const position = this.position;
    this.prefetch = this.reader.read(this.spare, carry.length, want, position).then(({ buf, n }) => {
      this.position = position + n;
      return { buf, n: carry.length + n, eof: n < want };
    });
    // A read nobody waits for any more (the stream was closed) must not fail the process.
    this.prefetch.catch(() => undefined);
  }
}

/**
 * The offset of the `[` of `features` when `b` starts a FeatureCollection whose `type` member comes
 * first or before `features`, every member before it whole in `b`; -1 otherwise.
 */
function featuresOpening(b: Buffer): number {
  let i = skipSpace(b, skipBom(b));
  if (b[i] !== OPEN_OBJECT) return -1;
  i = skipSpace(b, i + 1);
  let isCollection = false;
  while (i < b.length && b[i] === QUOTE) {
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return -1;
    const key = b.toString('utf8', i + 1, keyEnd - 1);
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return -1;
    i = skipSpace(b, i + 1);
    if (key === 'features') return isCollection && b[i] === OPEN_ARRAY ? i : -1;
    const end = skipValue(b, i);
    if (end < 0 || end >= b.length) return -1;
    if (key === 'type') isCollection = b.toString('utf8', i, end) === '"FeatureCollection"';
    i = skipSpace(b, end);
    if (b[i] !== COMMA) return -1;
    i = skipSpace(b, i + 1);
  }
  return -1;
}
