/**
 * stac-geoparquet <-> STAC Item mapping.
 *
 * A row is one Item as plain JS values, the way Parquet readers return them:
 * - `type`, `stac_version`, `stac_extensions`, `id`, `collection`, `links` (list of structs) and
 *   `assets` (struct of structs) as in the Item;
 * - `geometry` as WKB (Uint8Array) — readers may also hand back a GeoJSON object;
 * - `bbox` as a struct {xmin, ymin, xmax, ymax} (+ zmin/zmax for 3D) — a list is accepted too;
 * - every property as its own top-level column; `datetime`, `start_datetime`, `end_datetime`,
 *   `created` and `updated` as Dates (UTC). Readers may return Date, bigint nanoseconds or an
 *   epoch-millisecond number; all become RFC 3339 strings again.
 *
 * Every reader fills absent struct fields with null, so `rowToItem` drops nulls the original
 * Item could not have had. The one null kept is `properties.datetime` (STAC requires the key).
 * Consequence: a property or field that was explicitly null in the source is not restored.
 */
import type { Geometry, ItemProperties, StacItem } from './item.js';
import { geometryToWkb, wkbToGeometry } from './wkb.js';

/** Item fields that stay top-level columns; every other column is a property. */
export const ITEM_COLUMNS = new Set([
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'geometry',
  'bbox',
  'links',
  'assets',
  'collection',
]);
/** Properties stored as TIMESTAMP (UTC) columns. */
export const TIMESTAMP_PROPERTIES = new Set([
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'updated',
]);

export type GeoparquetRow = Record<string, unknown>;

export class GeoparquetMappingError extends Error {
  override name = 'GeoparquetMappingError';
}

function bboxStruct(bbox: number[]): Record<string, number> {
  if (bbox.length === 6) {
    const [xmin, ymin, zmin, xmax, ymax, zmax] = bbox as [number, number, number, number, number, number];
    return { xmin, ymin, zmin, xmax, ymax, zmax };
  }
  const [xmin, ymin, xmax, ymax] = bbox as [number, number, number, number];
  return { xmin, ymin, xmax, ymax };
}

/** One Item -> one row (properties pulled up, WKB geometry, bbox struct, Date timestamps). */
export function itemToRow(item: StacItem): GeoparquetRow {
  const row: GeoparquetRow = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'properties') continue;
    if (key === 'geometry') row.geometry = value === null ? null : geometryToWkb(value as Geometry);
    else if (key === 'bbox') row.bbox = Array.isArray(value) ? bboxStruct(value as number[]) : value;
    else row[key] = value;
  }
  for (const [key, value] of Object.entries(item.properties)) {
    if (ITEM_COLUMNS.has(key) || key === 'properties') {
      throw new GeoparquetMappingError(`item ${item.id}: property '${key}' collides with an Item field`);
    }
    row[key] = TIMESTAMP_PROPERTIES.has(key) && typeof value === 'string' ? new Date(value) : value;
  }
  return row;
}

/** A timestamp as any reader returns it -> RFC 3339 (UTC, milliseconds). */
export function timestampToIso(value: unknown, column: string): string {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'bigint')
    ms = Number(value / 1_000_000n); // nanoseconds
  else if (typeof value === 'number')
    ms = value; // epoch milliseconds
  else if (typeof value === 'string') return value;
  else throw new GeoparquetMappingError(`column ${column}: expected a timestamp, got ${typeof value}`);
  if (!Number.isFinite(ms)) throw new GeoparquetMappingError(`column ${column}: invalid timestamp`);
  return new Date(ms).toISOString();
}

function bigintValue(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/**
 * Drops nulls (recursively, in objects), turns Dates into RFC 3339 and safe bigints into numbers.
 * On the Parquet ingest hot path: plain loops, primitives returned first.
 */
export function cleanValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return typeof value === 'bigint' ? bigintValue(value) : value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] =
        v === null || v === undefined
          ? null
          : typeof v === 'object'
            ? cleanValue(v)
            : typeof v === 'bigint'
              ? bigintValue(v)
              : v;
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const k in source) {
    const v = source[k];
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'object' ? cleanValue(v) : typeof v === 'bigint' ? bigintValue(v) : v;
  }
  return out;
}

function geometryFrom(value: unknown, id: string): Geometry | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return wkbToGeometry(value);
  if (typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
    return cleanValue(value) as Geometry;
  }
  throw new GeoparquetMappingError(`item ${id}: geometry is neither WKB nor GeoJSON`);
}

function bboxFrom(value: unknown, id: string): number[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(Number);
  if (typeof value === 'object') {
    const b = value as Record<string, unknown>;
    const n = (k: string) => (b[k] === null || b[k] === undefined ? undefined : Number(b[k]));
    const [xmin, ymin, zmin, xmax, ymax, zmax] = ['xmin', 'ymin', 'zmin', 'xmax', 'ymax', 'zmax'].map(n);
    if ([xmin, ymin, xmax, ymax].some((v) => v === undefined)) {
      throw new GeoparquetMappingError(`item ${id}: bbox struct lacks xmin/ymin/xmax/ymax`);
    }
    return zmin !== undefined && zmax !== undefined
      ? [xmin!, ymin!, zmin, xmax!, ymax!, zmax]
      : [xmin!, ymin!, xmax!, ymax!];
  }
  throw new GeoparquetMappingError(`item ${id}: bbox is neither a struct nor a list`);
}

/** One row (as a Parquet reader returns it) -> the STAC Item it was written from. */
export function rowToItem(row: GeoparquetRow): StacItem {
  const id = typeof row.id === 'string' ? row.id : String(row.id);
  const item: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'geometry') item.geometry = geometryFrom(value, id);
    else if (key === 'bbox') {
      const bbox = bboxFrom(value, id);
      if (bbox) item.bbox = bbox;
    } else if (ITEM_COLUMNS.has(key)) {
      const c = cleanValue(value);
      if (c !== undefined) item[key] = c;
    } else if (value === null || value === undefined) {
      // absent in the source Item (datetime is restored below)
    } else if (TIMESTAMP_PROPERTIES.has(key)) {
      properties[key] = timestampToIso(value, key);
    } else {
      properties[key] = cleanValue(value);
    }
  }
  if (!('geometry' in item)) item.geometry = null;
  if (!('datetime' in properties)) properties.datetime = null;
  item.type ??= 'Feature';
  item.links ??= [];
  item.assets ??= {};
  item.properties = properties as ItemProperties;
  return item as StacItem;
}
