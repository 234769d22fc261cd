/**
 * From JSON text to STAC Items: the light check that tells an Item from anything else, and the
 * decoding of a JSON document that holds one Item, an array of Items or a FeatureCollection.
 * Pure functions, used on the main thread and inside workers alike.
 */
import type { StacItem } from '../stac/item.js';
import type { FeatureSlices } from './feature-scan.js';
import type { IngestFailure } from './types.js';

/** What decoding one document (a file, a URL, an NDJSON line) produced. */
export interface Decoded {
  items: StacItem[];
  failures: IngestFailure[];
  /** The document was a STAC Catalog or Collection (its links are followed by the catalog source). */
  catalog?: Record<string, unknown>;
  /** A large FeatureCollection, its features not yet parsed (see feature-scan.ts). */
  slices?: FeatureSlices;
}

const BOM = 0xfeff;

/** Removes a UTF-8 byte-order mark (already decoded to U+FEFF) from the start of a text. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** Why a value is not a STAC Item, or null when it passes the light check (Feature with a string id). */
export function itemProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `not a STAC Item (got ${describe(value)})`;
  }
  const v = value as Record<string, unknown>;
  if (v.type !== 'Feature') return `not a STAC Item (type is ${JSON.stringify(v.type) ?? 'missing'})`;
  if (typeof v.id !== 'string' || v.id === '') return 'not a STAC Item (no string id)';
  return null;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** True when a text holds only white space (scans from the start: stops at the first other char). */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return false;
  }
  return true;
}

/** Parses JSON text; the error says why (empty, invalid JSON) instead of throwing. */
export function parseJson(text: string): { value: unknown } | { error: string } {
  const body = stripBom(text);
  // Not `trim()`: on a whole FeatureCollection that copies tens of MB just to test for emptiness.
  if (isBlank(body)) return { error: 'empty file' };
  try {
    return { value: JSON.parse(body) };
  } catch (e) {
    return { error: jsonErrorReason(e) };
  }
}

/**
 * Why `JSON.parse` failed, without the text V8 quotes from the input (`Unexpected token 'r',
 * "root:x:0:0"... is not valid JSON`): a failure reason never repeats the bytes that were read.
 */
export function jsonErrorReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(message);
  const where = at ? ` at position ${at[1]}` : '';
  if (/^Unexpected token/.test(message)) return `invalid JSON: unexpected character${where}`;
  if (/Unexpected end of JSON input/.test(message)) return 'invalid JSON: unexpected end of input';
  // V8's other messages name the syntax only; one that quotes input ("...") is not repeated.
  if (message.includes('"') || message.length > 120) return `invalid JSON${where}`;
  return `invalid JSON: ${message}`;
}

/** Sorts a parsed document into Items and failures. `source` names it in failures (path or URL). */
export function decodeValue(value: unknown, source: string): Decoded {
  if (Array.isArray(value)) return decodeList(value, source, '');
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.type === 'FeatureCollection') {
      if (!Array.isArray(v.features)) return failed(source, 'FeatureCollection without a features array');
      return decodeList(v.features, source, 'features');
    }
    if (v.type === 'Catalog' || v.type === 'Collection') return { items: [], failures: [], catalog: v };
  }
  const problem = itemProblem(value);
  if (problem) return failed(source, problem);
  return { items: [value as StacItem], failures: [] };
}

/** Parses and decodes one JSON document. */
export function decodeText(text: string, source: string): Decoded {
  const parsed = parseJson(text);
  if ('error' in parsed) return failed(source, parsed.error);
  return decodeValue(parsed.value, source);
}

function decodeList(list: unknown[], source: string, field: string): Decoded {
  const out: Decoded = { items: [], failures: [] };
  for (let i = 0; i < list.length; i++) {
    const problem = itemProblem(list[i]);
    if (problem) out.failures.push({ source: `${source}#${field}[${i}]`, reason: problem });
    else out.items.push(list[i] as StacItem);
  }
  return out;
}

export function failed(source: string, reason: string): Decoded {
  return { items: [], failures: [{ source, reason }] };
}

/** True when bytes look like text rather than binary (no NUL in the first KB). */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}
