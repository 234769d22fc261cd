/**
 * A light STAC Item validator: checks what ingestion relies on, not every extension schema.
 * `validateItem` never throws; it lists every problem found as `path: reason`, never quoting the
 * values it read (they may be hostile).
 */

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);
/** Nesting depth of `coordinates` per geometry type (Point = a position = depth 1). */
const COORDINATE_DEPTH: Record<string, number> = {
  Point: 1,
  MultiPoint: 2,
  LineString: 2,
  MultiLineString: 3,
  Polygon: 3,
  MultiPolygon: 4,
};
/** RFC 3339 date-time (with a time zone offset or Z). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isRfc3339(x: unknown): x is string {
  return typeof x === 'string' && RFC3339.test(x) && !Number.isNaN(Date.parse(x));
}

function isPosition(x: unknown): boolean {
  return Array.isArray(x) && x.length >= 2 && x.length <= 4 && x.every((n) => Number.isFinite(n));
}

function checkCoordinates(c: unknown, depth: number, path: string, errors: string[]): void {
  if (depth === 1) {
    if (!isPosition(c)) errors.push(`${path}: expected a position [x, y(, z)]`);
    return;
  }
  if (!Array.isArray(c)) {
    errors.push(`${path}: expected an array`);
    return;
  }
  c.forEach((child, i) => {
    checkCoordinates(child, depth - 1, `${path}[${i}]`, errors);
  });
}

/** Checks a GeoJSON geometry (type and coordinate nesting; rings closed with >= 4 positions). */
export function checkGeometry(g: unknown, path: string, errors: string[]): void {
  if (!isObject(g) || typeof g.type !== 'string' || !GEOMETRY_TYPES.has(g.type)) {
    errors.push(`${path}: expected a GeoJSON geometry or null`);
    return;
  }
  if (g.type === 'GeometryCollection') {
    if (!Array.isArray(g.geometries)) errors.push(`${path}.geometries: expected an array`);
    else
      g.geometries.forEach((child, i) => {
        checkGeometry(child, `${path}.geometries[${i}]`, errors);
      });
    return;
  }
  const before = errors.length;
  checkCoordinates(g.coordinates, COORDINATE_DEPTH[g.type]!, `${path}.coordinates`, errors);
  if (errors.length > before) return;
  const rings =
    g.type === 'Polygon'
      ? (g.coordinates as number[][][])
      : g.type === 'MultiPolygon'
        ? (g.coordinates as number[][][][]).flat()
        : [];
  rings.forEach((ring, i) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length < 4 || !first || !last || first.some((v, k) => v !== last[k])) {
      errors.push(`${path}.coordinates: ring ${i} must be closed with at least 4 positions`);
    }
  });
}

function checkBbox(bbox: unknown, errors: string[]): void {
  if (bbox === undefined) return;
  if (!Array.isArray(bbox) || (bbox.length !== 4 && bbox.length !== 6) || !bbox.every(Number.isFinite)) {
    errors.push('bbox: expected 4 or 6 numbers');
    return;
  }
  const half = bbox.length / 2;
  if (bbox[1] > bbox[half + 1]) errors.push('bbox: south is greater than north');
}

function checkProperties(p: unknown, errors: string[]): void {
  if (!isObject(p)) {
    errors.push('properties: expected an object');
    return;
  }
  if (!('datetime' in p)) errors.push('properties.datetime: required (a date-time or null)');
  else if (p.datetime !== null && !isRfc3339(p.datetime)) {
    errors.push('properties.datetime: not an RFC 3339 date-time');
  }
  for (const key of ['start_datetime', 'end_datetime', 'created', 'updated']) {
    if (p[key] !== undefined && !isRfc3339(p[key]))
      errors.push(`properties.${key}: not an RFC 3339 date-time`);
  }
  if (p.datetime === null && (p.start_datetime === undefined || p.end_datetime === undefined)) {
    errors.push('properties: datetime is null, so start_datetime and end_datetime are required');
  }
  if (isRfc3339(p.start_datetime) && isRfc3339(p.end_datetime)) {
    if (Date.parse(p.start_datetime) > Date.parse(p.end_datetime)) {
      errors.push('properties: start_datetime is after end_datetime');
    }
  }
}

function checkLinks(links: unknown, errors: string[]): void {
  if (!Array.isArray(links)) {
    errors.push('links: expected an array');
    return;
  }
  links.forEach((l, i) => {
    if (!isObject(l) || typeof l.href !== 'string' || l.href === '' || typeof l.rel !== 'string') {
      errors.push(`links[${i}]: expected an object with string href and rel`);
    }
  });
}

function checkAssets(assets: unknown, errors: string[]): void {
  if (!isObject(assets)) {
    errors.push('assets: expected an object');
    return;
  }
  Object.entries(assets).forEach(([key, a], i) => {
    if (!isObject(a) || typeof a.href !== 'string' || a.href === '') {
      // A key is input: named only when it is a plain word, else by its position.
      const name = /^[\w.:-]{1,64}$/.test(key) ? `.${key}` : `[#${i + 1}]`;
      errors.push(`assets${name}: expected an object with a string href`);
    }
  });
}

/** Checks the parts of a STAC Item that ingestion needs. */
export function validateItem(x: unknown): ValidationResult {
  const errors: string[] = [];
  if (!isObject(x)) return { valid: false, errors: ['item: expected a JSON object'] };
  if (x.type !== 'Feature') errors.push('type: expected "Feature"');
  if (typeof x.stac_version !== 'string' || x.stac_version === '')
    errors.push('stac_version: required string');
  if (typeof x.id !== 'string' || x.id === '') errors.push('id: required non-empty string');
  if (!('geometry' in x)) errors.push('geometry: required (a GeoJSON geometry or null)');
  else if (x.geometry !== null) checkGeometry(x.geometry, 'geometry', errors);
  if (x.geometry !== null && x.geometry !== undefined && x.bbox === undefined) {
    errors.push('bbox: required when geometry is not null');
  }
  checkBbox(x.bbox, errors);
  checkProperties(x.properties, errors);
  checkLinks(x.links, errors);
  checkAssets(x.assets, errors);
  if (x.stac_extensions !== undefined) {
    if (!Array.isArray(x.stac_extensions) || !x.stac_extensions.every((e) => typeof e === 'string')) {
      errors.push('stac_extensions: expected an array of strings');
    }
  }
  if (x.collection !== undefined && typeof x.collection !== 'string')
    errors.push('collection: expected a string');
  return { valid: errors.length === 0, errors };
}
