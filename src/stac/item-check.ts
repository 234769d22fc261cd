/**
 * The one light check that tells a STAC Item from anything else, shared by every file source and
 * the API client: a GeoJSON Feature with a non-empty string `id` and a `properties` object. Full
 * validation is `validate.ts`; this check is what ingest applies to every Item, so it stays cheap.
 */

/** Why a value is not a STAC Item, or null when it passes the light check. */
export function itemProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `not a STAC Item (got ${describe(value)})`;
  }
  const v = value as Record<string, unknown>;
  if (v.type !== 'Feature') return `not a STAC Item (type is ${shortValue(v.type)})`;
  if (typeof v.id !== 'string' || v.id === '') return 'not a STAC Item (no string id)';
  const p = v.properties;
  if (p === null || typeof p !== 'object' || Array.isArray(p))
    return 'not a STAC Item (no properties object)';
  return null;
}

export function isItem(value: unknown): boolean {
  return itemProblem(value) === null;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A `type` value for a message: a short word as it is, anything else by its kind (never the bytes read). */
function shortValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string' && /^[A-Za-z][\w-]{0,39}$/.test(value)) return JSON.stringify(value);
  return describe(value);
}
