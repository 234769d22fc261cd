/**
 * Where a sink puts things: the stac-manager layout `{base}/{collection_id}/items/{id}.json` with
 * `{base}/{collection_id}/collection.json`, the names an id or a collection id may take, and the
 * marker file that says a folder was made by this tool. Pure: shared by sinks and the `update`
 * transform (which writes the same layout into links).
 */
import type { StacItem } from '../stac/item.js';

/** The file that marks a folder this tool made (a dot name: never read as data). */
export const MARKER = '.stac-ingest-bench';

/** The collection folder of Items that name no collection and get none from the options. */
export const DEFAULT_COLLECTION_ID = 'collection';

/** Longest id accepted as a file name, in UTF-8 bytes (leaves room for `.json` under NAME_MAX 255). */
export const MAX_NAME_BYTES = 200;

/**
 * Why `name` cannot be a file or folder name of the output, or null. Refused: empty, `/` or `\`,
 * NUL and other control characters, `.` and `..`, a leading `.` (hidden names are temp files and
 * markers here, and an items-directory reader skips them), more than MAX_NAME_BYTES bytes.
 */
export function nameProblem(name: unknown, what: string): string | null {
  if (typeof name !== 'string' || name === '') return `${what} is not a non-empty string`;
  if (name.startsWith('.')) return `${what} starts with '.' (not a safe file name)`;
  if (/[/\\]/.test(name)) return `${what} holds a path separator (not a safe file name)`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return `${what} holds a control character (not a safe file name)`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `${what} is longer than ${MAX_NAME_BYTES} bytes`;
  return null;
}

/** The collection an Item is filed under: its own `collection`, else the fallback. */
export function collectionOf(item: StacItem, fallback?: string): string {
  return typeof item.collection === 'string' && item.collection !== ''
    ? item.collection
    : (fallback ?? DEFAULT_COLLECTION_ID);
}

/** Why an Item cannot be filed in the layout (its id or collection id), or null. */
export function itemNameProblem(item: StacItem, fallback?: string): string | null {
  return nameProblem(item.id, 'id') ?? nameProblem(collectionOf(item, fallback), 'collection id');
}

/** Relative paths of the layout, joined with `/` (valid as file paths and as URL paths). */
export function itemPath(collectionId: string, id: string): string {
  return `${collectionId}/items/${id}.json`;
}

export function collectionPath(collectionId: string): string {
  return `${collectionId}/collection.json`;
}

/** Names an Item in a failure without quoting input bytes that could be hostile. */
export function itemLabel(item: { id?: unknown }, index: number): string {
  const id = item.id;
  if (typeof id === 'string' && /^[\w.:-]{1,100}$/.test(id)) return `item ${id}`;
  return `item #${index + 1}`;
}
