/**
 * Writes that never leave a half file where a good one was: the data goes to a hidden temporary
 * sibling (same folder, so the rename stays on one file system and is atomic), is flushed to disk,
 * then renamed over the destination. A failed write removes its temporary file.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `dir/.name.<tag>-<pid>-<random>`: beside `path`, hidden, and not named like a data file. */
export function tempSibling(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Replaces `path` with `data` in one step; a reader sees the old file or the new one, never a part. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const temp = tempSibling(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await writeFile(handle, data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

export interface AtomicWriteStream {
  /** Write here; `path` is untouched until `commit`. */
  stream: WriteStream;
  /** Ends the stream if needed, flushes it to disk and renames it over the destination. */
  commit(): Promise<void>;
  /** Drops what was written; the destination stays as it was. */
  abort(): Promise<void>;
}

/** The streaming form of `writeFileAtomic`. */
export function createAtomicWriteStream(path: string): AtomicWriteStream {
  const temp = tempSibling(path);
  const stream = createWriteStream(temp, { flags: 'wx', flush: true });
  const closed = new Promise<void>((resolve, reject) => {
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  // The rejection is observed by commit() or abort(); nobody else may be waiting for it.
  closed.catch(() => undefined);
  return {
    stream,
    async commit() {
      if (!stream.writableEnded) stream.end();
      try {
        await closed;
        await rename(temp, path);
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
    },
    async abort() {
      stream.destroy();
      await closed.catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
