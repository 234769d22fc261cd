/**
 * JSON text as read from files and pages: the byte-order mark, blank documents, and parse errors
 * reported without the text V8 quotes from the input. Pure functions, used on any thread.
 */

const BOM = 0xfeff;

/** Removes a UTF-8 byte-order mark (already decoded to U+FEFF) from the start of a text. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
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
