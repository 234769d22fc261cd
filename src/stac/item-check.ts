/** The light check that tells a STAC Item from anything else, shared by every source and the API client. */

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
