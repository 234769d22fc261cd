/**
 * JSON from response bytes, cheaper for search pages. V8 puts a string longer than ~128 KB in its
 * large-object space, and building one costs far more per byte than a small string; a 100-Item
 * page is several hundred KB. So a page is not decoded as one string: its `features` array is
 * cut into its elements by a byte scanner (the one large FeatureCollection files use), and each
 * feature and the envelope (the page without its features) are decoded and parsed on their own.
 * Every byte still goes through JSON.parse exactly once, on this thread.
 *
 * The result always equals `JSON.parse` of the whole text: anything the scanner does not
 * recognise (no `features` array in a top-level object, a repeated `features` key, a piece that
 * does not parse, an unterminated string) falls back to parsing the whole text, which also gives
 * the usual SyntaxError for a malformed document. UTF-8 multi-byte sequences never contain the
 * ASCII bytes the scanner cuts at, so no character is ever split.
 */
import { splitFeatures } from '../decode/feature-scan.js';

/** Below this many bytes the whole text is one small string: parsed at once. */
export const SPLIT_MIN_BYTES = 64 * 1024;

/** UTF-8 text of a byte range (a leading byte-order mark is skipped by the caller). */
function text(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, end);
}

/**
 * The document parsed feature by feature from `begin`; null when it is not an object with one
 * `features` array of objects (JSON.parse then decides). Throws when a piece does not parse. The
 * cutting is the FeatureCollection files' (`splitFeatures`, feature-scan.ts).
 */
export function parseByFeature(bytes: Buffer, begin = 0): Record<string, unknown> | null {
  const found = splitFeatures(bytes, begin);
  if (!found) return null;
  const { arrayStart, arrayEnd, ranges } = found;
  const envelope: unknown = JSON.parse(
    `${text(bytes, begin, arrayStart + 1)}${text(bytes, arrayEnd, bytes.length)}`,
  );
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return null;
  const doc = envelope as Record<string, unknown>;
  if (!Array.isArray(doc.features) || doc.features.length !== 0) return null;
  const features: unknown[] = new Array(ranges.length / 2);
  for (let i = 0; i < features.length; i++)
    features[i] = JSON.parse(text(bytes, ranges[2 * i]!, ranges[2 * i + 1]!));
  doc.features = features;
  return doc;
}

/**
 * Parses JSON from UTF-8 bytes (a leading byte-order mark is skipped), as `JSON.parse` of their
 * text would; large documents with a top-level `features` array are parsed feature by feature.
 */
export function parseJsonBytes(input: Uint8Array): unknown {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
  const begin = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes.length - begin >= SPLIT_MIN_BYTES) {
    try {
      const doc = parseByFeature(bytes, begin);
      if (doc) return doc;
    } catch {
      // a piece did not parse: the whole text gives the usual error (or the right value)
    }
  }
  return JSON.parse(text(bytes, begin, bytes.length));
}
