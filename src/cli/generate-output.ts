/**
 * Where `generate` may write, and how. It writes into a new or empty folder, or one it made itself
 * (marked with a MARKER file); a single file only where no file exists. Anything else needs --force.
 * The data set is written into a hidden temporary sibling and renamed into place, so an interrupted
 * run leaves no partial data set at the output path; a folder being replaced is renamed away and
 * removed only once the new one is in place.
 */
import { rmSync } from 'node:fs';
import { lstat, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { tempSibling } from '../output/atomic.js';
import { MARKER } from '../output/layout.js';
import { UsageError } from './args.js';
import { makeFolders, probeFolder } from './output-path.js';

// The file that marks a folder this tool made (`generate`, or a sink of `ingest --to`).
export { MARKER };

const MARKER_TEXT =
  'This folder was written by `benchmark-ingest generate`; a later generate may replace it whole.\n';

export type OutputKind = 'folder' | 'file';

/** Throws a UsageError unless `generate` may write a `kind` of `format` at `path`. */
export async function checkTarget(
  path: string,
  kind: OutputKind,
  format: string,
  force: boolean,
): Promise<void> {
  const link = await lstat(path).catch(() => null);
  if (!link) return;
  const isFolder = (link.isSymbolicLink() ? await stat(path).catch(() => link) : link).isDirectory();
  if (isFolder !== (kind === 'folder')) {
    throw new UsageError(
      `--output ${path}: is a ${isFolder ? 'folder' : 'file'}; the ${format} format writes a ${kind}`,
    );
  }
  if (force) return;
  if (kind === 'file') throw new UsageError(`--output ${path}: exists; add --force to replace it`);
  if (link.isSymbolicLink())
    throw new UsageError(`--output ${path}: is a symlink; add --force to replace it`);
  const names = await readdir(path);
  if (names.length > 0 && !names.includes(MARKER)) {
    throw new UsageError(
      `--output ${path}: is a folder generate did not make and not empty; add --force to replace it`,
    );
  }
}

/** The output's folder exists (made if missing) and takes a new file: a UsageError otherwise. */
export async function checkParent(path: string): Promise<void> {
  const parent = dirname(path);
  const info = await stat(parent).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`--output ${path}: ${parent} is not a directory`);
  if (!info) {
    try {
      await makeFolders(parent);
    } catch (e) {
      throw new UsageError(
        `--output ${path}: cannot create its folder (${(e as NodeJS.ErrnoException).code})`,
      );
    }
  }
  await probeFolder(parent, path);
}

/**
 * Removes `path` if the process is stopped by SIGINT or SIGTERM, then lets the signal end it.
 * Returns the function that stops watching.
 */
export function removeOnSignal(path: string): () => void {
  const stop = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const on = (signal: NodeJS.Signals) => {
    stop();
    // Writes already queued in the thread pool still land after a first removal (this thread is
    // blocked, so no new one starts): remove again once they had time to finish.
    for (let round = 0; round < 3; round++) {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch {
        // A file created while removing: the next round takes it.
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return stop;
}

export interface GenerateTarget {
  path: string;
  kind: OutputKind;
  format: string;
  force: boolean;
}

/**
 * Runs `write` on a temporary sibling of `target.path`, marks it (a folder), and puts it in place.
 * Returns what `write` returned, its `path` moved to the final location.
 */
export async function writeInPlace<T extends { path: string }>(
  target: GenerateTarget,
  write: (tempPath: string) => Promise<T>,
): Promise<T> {
  const temp = tempSibling(target.path);
  const stopWatching = removeOnSignal(temp);
  try {
    const written = await write(temp);
    if (target.kind === 'folder') await writeFile(join(temp, MARKER), MARKER_TEXT);
    // Something may have appeared at the path while generating: the same rules again.
    await checkTarget(target.path, target.kind, target.format, target.force);
    await putInPlace(temp, target);
    return { ...written, path: join(target.path, relative(temp, written.path)) };
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  } finally {
    stopWatching();
  }
}

async function putInPlace(temp: string, target: GenerateTarget): Promise<void> {
  // A file is replaced by the rename itself; a folder cannot be, so the old one steps aside first.
  const old =
    target.kind === 'folder' && (await lstat(target.path).catch(() => null))
      ? tempSibling(target.path, 'old')
      : null;
  if (old) await rename(target.path, old);
  try {
    await rename(temp, target.path);
  } catch (e) {
    if (old) await rename(old, target.path);
    throw e;
  }
  if (old) await rm(old, { recursive: true, force: true });
}
