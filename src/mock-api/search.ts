/**
 * Item search as the local STAC API understands it: parameters read from a GET query string or a
 * POST body, validated into a `SearchQuery`, and matched against catalog items.
 *
 * Datetime semantics follow real servers: an instant or an interval (`a/b`, `../b`, `a/..`), both
 * ends inclusive; an item with only `start_datetime`/`end_datetime` matches when its range
 * intersects the interval.
 */
import { ApiError } from './errors.js';

/** A validated search. Absent fields do not filter. */
export interface SearchQuery {
  collections?: string[];
  ids?: string[];
  /** [west, south, east, north]; west > east crosses the antimeridian. */
  bbox?: [number, number, number, number];
  /** Inclusive bounds in epoch ms; open ends are -Infinity / +Infinity. */
  datetime?: { start: number; end: number };
  /** Page size asked for (already capped by the server's maximum). */
  limit: number;
  /** Position of the page in the matching items (from the paging token). */
  offset: number;
}

/** What the matcher needs of an item (precomputed once per item). */
export interface Matchable {
  id: string;
  /** Inclusive time range in epoch ms; NaN when the item has no usable datetime. */
  start: number;
  end: number;
  bbox: [number, number, number, number] | null;
}

export interface SearchLimits {
  defaultLimit: number;
  maxLimit: number;
}

/** Parameters of the search extensions the local API does not implement: refused, never ignored. */
const UNSUPPORTED = ['intersects', 'query', 'filter'];

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time into epoch ms; throws a 400 naming the parameter otherwise. */
export function parseInstant(text: string, what = 'datetime'): number {
  const ms = RFC3339.test(text) ? Date.parse(text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) throw ApiError.badRequest(`${what} '${text}' is not an RFC 3339 date-time`);
  return ms;
}

/** `instant`, `start/end`, `../end`, `start/..` (an empty end counts as open). */
export function parseDatetime(text: string): { start: number; end: number } {
  const parts = text.split('/');
  if (parts.length === 1) {
    const t = parseInstant(text);
    return { start: t, end: t };
  }
  if (parts.length !== 2) throw ApiError.badRequest(`datetime '${text}' is not an instant or an interval`);
  const open = (s: string) => s === '' || s === '..';
  const [a, b] = parts as [string, string];
  if (open(a) && open(b)) throw ApiError.badRequest(`datetime '${text}' is open at both ends`);
  const start = open(a) ? Number.NEGATIVE_INFINITY : parseInstant(a, 'datetime start');
  const end = open(b) ? Number.POSITIVE_INFINITY : parseInstant(b, 'datetime end');
  if (start > end) throw ApiError.badRequest(`datetime '${text}' ends before it starts`);
  return { start, end };
}

export function parseBbox(value: unknown): [number, number, number, number] {
  const raw =
    typeof value === 'string' ? value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s))) : value;
  if (!Array.isArray(raw) || (raw.length !== 4 && raw.length !== 6)) {
    throw ApiError.badRequest(`bbox must have 4 or 6 numbers, got ${JSON.stringify(value)}`);
  }
  if (!raw.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw ApiError.badRequest(`bbox must contain only numbers, got ${JSON.stringify(value)}`);
  }
  const nums = raw as number[];
  const half = nums.length / 2;
  const box: [number, number, number, number] = [nums[0]!, nums[1]!, nums[half]!, nums[half + 1]!];
  const [w, s, e, n] = box;
  if (s > n) throw ApiError.badRequest(`bbox south ${s} is above north ${n}`);
  if (s < -90 || n > 90 || w < -180 || e > 180 || w > 180 || e < -180) {
    throw ApiError.badRequest(`bbox ${JSON.stringify(value)} is outside -180,-90,180,90`);
  }
  return box;
}

function stringList(value: unknown, name: string): string[] {
  if (typeof value === 'string') return value.split(',').filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw ApiError.badRequest(`${name} must be a list of strings, got ${JSON.stringify(value)}`);
}

/**
 * The page size asked for, capped at `maxLimit` as STAC APIs do (a larger limit is not an error: it
 * gets a page of the maximum and a `next` link). A whole number too large for a double (more digits
 * than it holds, or 1e400 in a POST body, both read as Infinity) is larger still, so capped too.
 */
function parseLimit(value: unknown, limits: SearchLimits): number {
  if (value === undefined || value === null || value === '') return limits.defaultLimit;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (n === Number.POSITIVE_INFINITY) return limits.maxLimit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    const shown = typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}...` : value;
    throw ApiError.badRequest(`limit must be a whole number >= 1, got ${JSON.stringify(shown)}`);
  }
  return Math.min(n, limits.maxLimit);
}

/** Paging tokens are opaque to clients: `next:<offset>`. */
export function encodeToken(offset: number): string {
  return `next:${offset}`;
}

function parseToken(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const m = typeof value === 'string' ? /^next:(\d+)$/.exec(value) : null;
  if (!m) throw ApiError.badRequest(`token ${JSON.stringify(value)} is not a paging token of this server`);
  return Number(m[1]);
}

/**
 * Validates search parameters: `params` is a POST body object, or the query string turned into an
 * object of strings (GET). Unknown parameters (fields, sortby, ...) are accepted and ignored.
 */
export function parseSearch(params: Record<string, unknown>, limits: SearchLimits): SearchQuery {
  for (const name of UNSUPPORTED) {
    if (params[name] !== undefined) {
      throw ApiError.badRequest(`parameter '${name}' is not supported by this server (see /conformance)`);
    }
  }
  const q: SearchQuery = { limit: parseLimit(params.limit, limits), offset: parseToken(params.token) };
  if (params.collections !== undefined) q.collections = stringList(params.collections, 'collections');
  if (params.ids !== undefined) q.ids = stringList(params.ids, 'ids');
  if (params.bbox !== undefined) q.bbox = parseBbox(params.bbox);
  if (params.datetime !== undefined) {
    if (typeof params.datetime !== 'string') {
      throw ApiError.badRequest(`datetime must be a string, got ${JSON.stringify(params.datetime)}`);
    }
    q.datetime = parseDatetime(params.datetime);
  }
  return q;
}

function bboxIntersects(item: [number, number, number, number], q: [number, number, number, number]) {
  const [w, s, e, n] = q;
  if (item[1] > n || item[3] < s) return false;
  const overlaps = (qw: number, qe: number) => item[0] <= qe && item[2] >= qw;
  return w <= e ? overlaps(w, e) : overlaps(w, 180) || overlaps(-180, e);
}

/** True when the item matches every filter of the query except `collections` (checked per collection). */
export function matches(item: Matchable, q: SearchQuery, ids: Set<string> | null): boolean {
  if (ids && !ids.has(item.id)) return false;
  if (q.datetime) {
    if (Number.isNaN(item.start) || item.start > q.datetime.end || item.end < q.datetime.start) return false;
  }
  if (q.bbox) {
    if (!item.bbox || !bboxIntersects(item.bbox, q.bbox)) return false;
  }
  return true;
}
