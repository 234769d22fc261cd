/**
 * The source's own collection, when it has one on disk: a `collection.json` given as the source, or
 * one inside the source folder (a collection folder, or a static catalog's root). The sink writes
 * it as the output's `collection.json`. Anything else (no such file, a file that is not a
 * Collection, a remote source) gives null, and the sink generates one from the Items written.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isUrl, openRegular } from '../ingest/io/reading.js';
import type { StacCollection } from '../stac/item.js';

/** A collection.json larger than this is not read (a Collection document is small). */
const MAX_BYTES = 16 * 1024 * 1024;

export async function sourceCollection(source: string): Promise<StacCollection | null> {
  if (isUrl(source)) return null;
  const info = await stat(source).catch(() => null);
  if (!info) return null;
  const path = info.isDirectory()
    ? join(source, 'collection.json')
    : basename(source).toLowerCase() === 'collection.json'
      ? source
      : null;
  if (path === null) return null;
  try {
    const handle = await openRegular(path);
    try {
      if ((await handle.stat()).size > MAX_BYTES) return null;
      const doc: unknown = JSON.parse(await handle.readFile('utf8'));
      return isCollection(doc) ? doc : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

function isCollection(doc: unknown): doc is StacCollection {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const d = doc as Record<string, unknown>;
  return d.type === 'Collection' && typeof d.id === 'string' && d.id !== '';
}
