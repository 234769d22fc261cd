/**
 * The NDJSON sink: one Item per line in one file. Each writer streams into its own hidden part file
 * beside the target (waiting for 'drain': backpressure reaches the pipeline); finishSink renames a
 * lone part into place, or joins several parts into a temp sibling and renames that. A second line
 * with a key (collection id + id) already written is a duplicate: not written, counted. Across the
 * parts of several writers, the first part (in shard order) keeps its copy: a writer given a shard
 * number records each line's key and length so finishSink can drop later copies without parsing.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StacItem } from '../stac/item.js';
import { tempSibling } from './atomic.js';
import { countWritten, emptyExtent } from './extent.js';
import { collectionOf } from './layout.js';
import { SinkError, type SinkOptions, type SinkPart, type SinkWriter } from './types.js';

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** The prefix of the part files of `path` (a rerun removes stale ones). */
export function partPrefix(path: string): string {
  return `.${basename(path)}.part`;
}

export class NdjsonWriter implements SinkWriter {
  private readonly fallback: string | undefined;
  private readonly partFile: string;
  private readonly stream: WriteStream;
  private readonly closed: Promise<void>;
  private readonly seen = new Set<string>();
  private readonly record: boolean;
  private readonly keys: string[] = [];
  private readonly lengths: number[] = [];
  private readonly part: SinkPart = { written: 0, duplicates: 0, extent: emptyExtent(), collections: {} };
  private error: SinkError | null = null;
  private drained: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    options: SinkOptions,
    shard?: number,
  ) {
    this.fallback = options.collectionId ?? options.collection?.id ?? undefined;
    this.record = shard !== undefined;
    this.partFile = join(
      dirname(path),
      `${partPrefix(path)}${shard ?? 0}-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    // A large buffer: Items are a few KB each, and the default 16 KB would wait for 'drain' every few.
    this.stream = createWriteStream(this.partFile, { flags: 'wx', highWaterMark: 1 << 20 });
    this.closed = new Promise<void>((resolve, reject) => {
      this.stream.once('close', resolve);
      this.stream.once('error', (e) => {
        this.error = new SinkError(this.path, `cannot write (${code(e)})`, { cause: e });
        reject(this.error);
      });
    });
    // Observed by close() or abort(); a write sees `error`.
    this.closed.catch(() => undefined);
  }

  refuse(_item: StacItem): string | null {
    return null;
  }

  serialize(item: StacItem): Uint8Array {
    return Buffer.from(`${JSON.stringify(item)}\n`);
  }

  async write(item: StacItem, bytes: Uint8Array): Promise<'written' | 'duplicate'> {
    if (this.error) throw this.error;
    const collection = collectionOf(item, this.fallback);
    const key = `${collection}\u0000${item.id}`;
    if (this.seen.has(key)) {
      this.part.duplicates++;
      return 'duplicate';
    }
    this.seen.add(key);
    if (this.record) {
      this.keys.push(key);
      this.lengths.push(bytes.byteLength);
    }
    countWritten(this.part, collection, item);
    if (!this.stream.write(bytes)) await this.drain();
    if (this.error) throw this.error;
    return 'written';
  }

  /** One promise for every writer waiting on the same 'drain' (or the stream's end). */
  private drain(): Promise<void> {
    this.drained ??= new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.drained = null;
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
    return this.drained;
  }

  async close(): Promise<SinkPart> {
    if (!this.stream.writableEnded) this.stream.end();
    await this.closed;
    if (this.error) throw this.error;
    return {
      ...this.part,
      partFile: this.partFile,
      ...(this.record ? { keys: this.keys, lengths: this.lengths } : {}),
    };
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await this.closed.catch(() => undefined);
    await rm(this.partFile, { force: true });
  }
}

/** Puts the parts in place as one file at `path`; returns how many Items it holds and duplicates dropped. */
export async function finishNdjson(
  path: string,
  parts: readonly SinkPart[],
): Promise<{ written: number; duplicates: number }> {
  const written = parts.reduce((n, p) => n + p.written, 0);
  const duplicates = parts.reduce((n, p) => n + p.duplicates, 0);
  try {
    if (parts.length === 1 && parts[0]!.keys === undefined) {
      await syncFile(parts[0]!.partFile!);
      await rename(parts[0]!.partFile!, path);
      return { written, duplicates };
    }
    const temp = tempSibling(path);
    let dropped = 0;
    try {
      const out = createWriteStream(temp, { flags: 'wx' });
      const seen = new Set<string>();
      for (const part of parts) {
        // A part without keys (a writer opened without a shard) is taken whole.
        const ranges = part.keys ? keptRanges(part, seen) : null;
        if (ranges) dropped += part.written - ranges.lines;
        for (const [start, end] of ranges?.ranges ?? [[0, Number.POSITIVE_INFINITY]]) {
          const read = createReadStream(
            part.partFile!,
            end === Number.POSITIVE_INFINITY ? {} : { start, end: end - 1 },
          );
          await pipeline(read, out, { end: false });
        }
      }
      out.end();
      await new Promise<void>((resolve, reject) => {
        out.once('close', resolve);
        out.once('error', reject);
      });
      await syncFile(temp);
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    await Promise.all(parts.map((p) => rm(p.partFile!, { force: true })));
    return { written: written - dropped, duplicates: duplicates + dropped };
  } catch (e) {
    throw new SinkError(path, `cannot write (${code(e)})`, { cause: e });
  }
}

/** The byte ranges of a part whose lines' keys were not seen in an earlier part (adjacent ones merged). */
function keptRanges(part: SinkPart, seen: Set<string>): { ranges: [number, number][]; lines: number } {
  const keys = part.keys ?? [];
  const lengths = part.lengths ?? [];
  const ranges: [number, number][] = [];
  let offset = 0;
  let lines = 0;
  for (let i = 0; i < keys.length; i++) {
    const end = offset + lengths[i]!;
    if (!seen.has(keys[i]!)) {
      seen.add(keys[i]!);
      lines++;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === offset) last[1] = end;
      else ranges.push([offset, end]);
    }
    offset = end;
  }
  return { ranges, lines };
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
