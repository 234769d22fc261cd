/**
 * Checks on an output path made before any work starts and before anything is opened for writing.
 * Every failure is a one-line UsageError naming the path.
 */
import { mkdir, open, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isUrl } from '../ingest/io/reading.js';
import { tempSibling } from '../output/atomic.js';
import { UsageError } from './args.js';

const CATALOG_NAMES = new Set(['catalog.json', 'collection.json']);

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * `path` can be written as a file: it is not a folder, its folder exists, and a file can be created
 * there — proven by creating and removing one (permissions, read-only mounts and pseudo file
 * systems such as /proc cannot be judged from the mode bits).
 */
export async function checkWritableFile(path: string, flag = '--output'): Promise<void> {
  const folder = dirname(path);
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory, expected a file`);
  const parent = await stat(folder).catch(() => null);
  if (!parent) throw new UsageError(`${flag} ${path}: folder ${folder} does not exist`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is not a directory`);
  await probeFolder(folder, path, flag);
}

/** Creates and removes a hidden file in `folder`; a UsageError naming `path` when that fails. */
export async function probeFolder(folder: string, path: string, flag = '--output'): Promise<void> {
  const probe = tempSibling(join(folder, basename(path)), 'probe');
  try {
    await (await open(probe, 'wx')).close();
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write in ${folder} (${code(e)})`);
  }
  await rm(probe, { force: true });
}

/**
 * `mkdir -p`, one level at a time: a recursive mkdir retries forever where creating a folder
 * answers ENOENT under a folder that exists (as in /proc).
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); !(await stat(d).catch(() => null)); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
}

/** The real path of `path`, resolving its folder's symlinks when `path` itself does not exist. */
async function realPathOf(path: string): Promise<string> {
  const full = resolve(path);
  try {
    return await realpath(full);
  } catch {
    return realpath(dirname(full)).then(
      (folder) => join(folder, basename(full)),
      () => full,
    );
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Refuses an output that is, or would replace, an input of `ingest`: SOURCE itself (by path,
 * symlink or hard link), or any path inside a SOURCE folder or inside the folder of a static
 * catalog (`catalog.json`, `collection.json`, or `--format catalog`), where its items live.
 */
export async function checkNotSource(
  output: string,
  source: string,
  format?: string,
  flag = '--output',
): Promise<void> {
  if (isUrl(source)) return;
  const input = await stat(source).catch(() => null);
  if (!input) return;
  const existing = await stat(output).catch(() => null);
  const realOutput = await realPathOf(output);
  const realSource = await realPathOf(source);
  if ((existing && existing.dev === input.dev && existing.ino === input.ino) || realOutput === realSource) {
    throw new UsageError(`${flag} ${output}: is the SOURCE ${source}; it would be overwritten`);
  }
  const catalog = format === 'catalog' || CATALOG_NAMES.has(basename(source).toLowerCase());
  const folder = input.isDirectory() ? realSource : catalog ? dirname(realSource) : null;
  if (folder !== null && isInside(realOutput, folder)) {
    throw new UsageError(
      `${flag} ${output}: is inside the SOURCE folder ${input.isDirectory() ? source : dirname(source)}; write it elsewhere`,
    );
  }
}
