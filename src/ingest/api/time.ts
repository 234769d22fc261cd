/**
 * The time an Item covers, as STAC APIs judge it in a datetime search: `start_datetime` to
 * `end_datetime` when both are set, otherwise the `datetime` instant. Shared by the local STAC API
 * (matching) and the client (partition boundaries) so both sides agree.
 */
import type { StacItem } from '../../stac/item.js';

/** Inclusive [start, end] in epoch ms; NaN for both when the Item carries no usable time. */
export function itemTimeRange(item: Pick<StacItem, 'properties'>): { start: number; end: number } {
  const p = item.properties ?? {};
  if (typeof p.start_datetime === 'string' && typeof p.end_datetime === 'string') {
    const start = Date.parse(p.start_datetime);
    const end = Date.parse(p.end_datetime);
    if (!Number.isNaN(start) && !Number.isNaN(end)) return { start, end };
  }
  const t = typeof p.datetime === 'string' ? Date.parse(p.datetime) : Number.NaN;
  return { start: t, end: t };
}

/** An instant as RFC 3339 UTC with milliseconds, or `..` for an open end. */
export function formatInstant(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '..';
}

/** A datetime search interval, `a/b` with `..` for open ends. */
export function formatInterval(start: number, end: number): string {
  return `${formatInstant(start)}/${formatInstant(end)}`;
}

/** Parses a datetime search value (instant or interval, `..` or empty for open ends); null if malformed. */
export function parseInterval(text: string): { start: number; end: number } | null {
  const parts = text.split('/');
  const one = (s: string, open: number) => (s === '' || s === '..' ? open : Date.parse(s));
  if (parts.length === 1) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? null : { start: t, end: t };
  }
  if (parts.length !== 2) return null;
  const start = one(parts[0]!, Number.NEGATIVE_INFINITY);
  const end = one(parts[1]!, Number.POSITIVE_INFINITY);
  if (Number.isNaN(start) || Number.isNaN(end) || start > end) return null;
  return { start, end };
}
