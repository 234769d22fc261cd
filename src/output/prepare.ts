/**
 * Checks and creates a sink's output before anything is written. Refused, with a SinkError naming
 * the path: an output that is an input, lies inside an input's folder, or holds an input; a
 * directory output that exists and is not empty unless this tool made it (its MARKER file); a
 * symlink in place of the folder; a path that cannot be written. A folder the tool made is the
 * tool's: its earlier content (Items, collection.json, temp files of an interrupted run) is
 * removed. An NDJSON target's stale part files are removed; the file itself is replaced only by
 * finishSink. A Parquet target may also be a dataset folder the tool made (sharded writers).
 */
import { lstat, mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isUrl } from '../ingest/io/reading.js';
import { tempSibling } from './atomic.js';
import { MARKER } from './layout.js';
import { partPrefix } from './ndjson.js';
import { SinkError, type SinkTarget } from './types.js';

const MARKER_TEXT =
  'This folder was written by benchmark-ingest; a later run of the tool may replace its content.\n';
const CATALOG_NAMES = new Set(['catalog.json', 'collection.json']);

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export async function prepareTarget(target: SinkTarget, inputs: readonly string[]): Promise<void> {
  await checkInputs(target.path, inputs);
  if (target.kind === 'directory') await prepareFolder(target.path);
  else if (target.kind === 'parquet') await prepareParquet(target.path);
  else await prepareFile(target.path);
}

async function prepareFolder(path: string): Promise<void> {
  const link = await lstat(path).catch(() => null);
  if (link?.isSymbolicLink()) throw new SinkError(path, 'is a symlink; give the folder itself');
  if (link && !link.isDirectory()) throw new SinkError(path, 'is a file, expected a folder');
  if (link) {
    const names = await readdir(path).catch((e) => {
      throw new SinkError(path, `cannot read the folder (${code(e)})`);
    });
    if (names.length > 0 && !names.includes(MARKER)) {
      throw new SinkError(
        path,
        'is a folder benchmark-ingest did not make and not empty; choose a new or empty one',
      );
    }
    for (const name of names) {
      if (name === MARKER) continue;
      await rm(join(path, name), { recursive: true, force: true }).catch((e) => {
        throw new SinkError(path, `cannot clear the earlier output (${code(e)})`);
      });
    }
  } else {
    await makeFolder(path);
  }
  // The marker goes first, so that an interrupted run's folder is known to be the tool's.
  await writeFile(join(path, MARKER), MARKER_TEXT).catch((e) => {
    throw new SinkError(path, `cannot write in the folder (${code(e)})`);
  });
}

/** `mkdir -p` one level at a time (a recursive mkdir loops where mkdir answers ENOENT, as in /proc). */
async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(path); !(await stat(d).catch(() => null)); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw new SinkError(path, `cannot create the folder (${code(e)})`);
    });
  }
}

/**
 * A Parquet target is a file (one writer) or a dataset folder (sharded writers): an earlier file is
 * replaced by finishSink, and so is a folder only when this tool made it (its marker).
 */
async function prepareParquet(path: string): Promise<void> {
  const link = await lstat(path).catch(() => null);
  if (link?.isSymbolicLink()) throw new SinkError(path, 'is a symlink; give the output itself');
  if (link?.isDirectory()) {
    const names = await readdir(path).catch((e) => {
      throw new SinkError(path, `cannot read the folder (${code(e)})`);
    });
    if (!names.includes(MARKER)) {
      throw new SinkError(path, 'is a folder benchmark-ingest did not make; choose a new path');
    }
  }
  await prepareFile(path, true);
}

async function prepareFile(path: string, folderAllowed = false): Promise<void> {
  const folder = dirname(path);
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory() && !folderAllowed) throw new SinkError(path, 'is a folder, expected a file');
  const parent = await stat(folder).catch(() => null);
  if (!parent?.isDirectory()) throw new SinkError(path, `folder ${folder} does not exist`);
  const probe = tempSibling(path, 'probe');
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new SinkError(path, `cannot write in ${folder} (${code(e)})`);
  }
  await rm(probe, { force: true });
  const prefix = partPrefix(path);
  for (const name of await readdir(folder)) {
    if (name.startsWith(prefix)) await rm(join(folder, name), { force: true });
  }
}

/** The real path of `path`, resolving its folder's symlinks when `path` itself does not exist. */
async function realPathOf(path: string): Promise<string> {
  const full = resolve(path);
  try {
    return await realpath(full);
  } catch {
    const folder = dirname(full);
    return folder === full ? full : join(await realPathOf(folder), basename(full));
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function checkInputs(output: string, inputs: readonly string[]): Promise<void> {
  const realOutput = await realPathOf(output);
  const existing = await stat(output).catch(() => null);
  for (const input of inputs) {
    if (isUrl(input)) continue;
    const info = await stat(input).catch(() => null);
    if (!info) continue;
    const realInput = await realPathOf(input);
    if (realOutput === realInput || (existing && existing.dev === info.dev && existing.ino === info.ino)) {
      throw new SinkError(output, `is the input ${input}; it would be overwritten`);
    }
    const folder = info.isDirectory()
      ? realInput
      : CATALOG_NAMES.has(basename(input).toLowerCase())
        ? dirname(realInput)
        : null;
    if (folder !== null && isInside(realOutput, folder)) {
      throw new SinkError(output, `is inside the input folder ${folder}; write it elsewhere`);
    }
    if (isInside(realInput, realOutput)) {
      throw new SinkError(output, `holds the input ${input}; write it elsewhere`);
    }
  }
}
