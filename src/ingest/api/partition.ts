/**
 * Time partitions of a search, for the strategies that crawl several at once. The range comes
 * from the search's `datetime` or else the collection's temporal extent. Real collections are
 * skewed (dense recent years, summers), so equal time slices would leave a few partitions with
 * most of the items: the first page of each of a few equal slices (its `numberMatched`) measures
 * their counts, and the slices that hold far more than a balanced share are cut into pieces of
 * about that share (`subdivide`), so no partition holds most of the items.
 *
 * Intervals are inclusive at both ends (as real servers treat them), so an item exactly on a
 * boundary, or whose start/end range spans one, is returned by two partitions: `DuplicateFilter`
 * drops those duplicates by id, tracking only the items that touch a boundary.
 */
import type { StacCollection, StacItem } from '../../stac/item.js';
import { formatInterval, itemTimeRange, parseInterval } from './time.js';

/** An inclusive time interval (epoch ms; open ends are +-Infinity) and what a probe counted in it. */
export interface Partition {
  start: number;
  end: number;
  /** Items the server counted (probe), an estimate from the probes, or null when unknown. */
  matched: number | null;
}

export interface TimeRange {
  /** What the partitions must cover exactly (the search's interval, open ends allowed). */
  outer: { start: number; end: number };
  /** Finite bounds the boundaries are placed within (outer clipped to the collection's extent). */
  lo: number;
  hi: number;
}

/** The range to partition, or null when there is none worth splitting (no finite extent, an instant). */
export function partitionRange(
  datetime: unknown,
  collection: StacCollection | null,
  now = Date.now(),
): TimeRange | null {
  let outer = { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };
  if (datetime !== undefined && datetime !== null) {
    const parsed = typeof datetime === 'string' ? parseInterval(datetime) : null;
    if (!parsed) return null; // let the server judge a value we cannot read, unpartitioned
    outer = parsed;
  }
  const interval = collection?.extent?.temporal?.interval?.[0];
  const ext = (v: unknown, open: number) =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : open;
  const extStart = ext(interval?.[0], Number.NEGATIVE_INFINITY);
  const extEnd = ext(interval?.[1], now);
  const lo = Math.max(outer.start, extStart);
  const hi = Math.min(outer.end, extEnd);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo < 2) return null;
  return { outer, lo, hi };
}

/** `count` contiguous partitions with boundaries evenly spaced between lo and hi. */
export function equalSlices(range: TimeRange, count: number): Partition[] {
  const bounds: number[] = [];
  for (let i = 1; i < count; i++) bounds.push(Math.round(range.lo + ((range.hi - range.lo) * i) / count));
  return fromBoundaries(range, [...new Set(bounds)]);
}

/** Contiguous partitions covering the outer range, cut at the given (sorted, distinct) boundaries. */
export function fromBoundaries(range: TimeRange, bounds: number[]): Partition[] {
  const edges = [range.outer.start, ...bounds, range.outer.end];
  const parts: Partition[] = [];
  for (let i = 0; i + 1 < edges.length; i++)
    parts.push({ start: edges[i]!, end: edges[i + 1]!, matched: null });
  return parts;
}

/** The datetime parameter of a partition. */
export function partitionDatetime(p: Partition): string {
  return formatInterval(p.start, p.end);
}

/**
 * Cuts a probed slice (its `matched` counted by the server) into about `target`-item pieces when it
 * holds more than `tolerance * target` items, assuming its items are spread evenly inside it;
 * null when the slice is better crawled whole (or its count is unknown). The pieces cover the
 * slice exactly (its open ends stay open) and carry their estimated counts.
 */
export function subdivide(
  range: TimeRange,
  slice: Partition,
  target: number,
  tolerance: number,
): Partition[] | null {
  const n = slice.matched;
  if (n === null || !(target > 0) || n <= tolerance * target) return null;
  const lo = Math.max(slice.start, range.lo);
  const hi = Math.min(slice.end, range.hi);
  if (!(hi - lo >= 2)) return null;
  const within: TimeRange = { outer: { start: slice.start, end: slice.end }, lo, hi };
  const pieces = equalSlices(within, Math.min(Math.ceil(n / target), Math.floor(hi - lo)));
  if (pieces.length < 2) return null;
  for (const piece of pieces) piece.matched = Math.ceil(n / pieces.length);
  return pieces;
}

/** Internal boundaries of contiguous partitions (times two partitions share), sorted. */
export function boundariesOf(parts: Partition[]): number[] {
  const ends = new Set(parts.map((p) => p.end));
  const shared = parts.map((p) => p.start).filter((t) => Number.isFinite(t) && ends.has(t));
  return [...new Set(shared)].sort((a, b) => a - b);
}

/** True when an item's time touches one of the boundaries (1 ms tolerance) or cannot be read. */
export function touchesBoundary(item: Pick<StacItem, 'properties'>, bounds: readonly number[]): boolean {
  const { start, end } = itemTimeRange(item);
  if (Number.isNaN(start) || Number.isNaN(end)) return true;
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bounds[mid]! < start - 1) lo = mid + 1;
    else hi = mid;
  }
  return lo < bounds.length && bounds[lo]! <= end + 1;
}

/** An item's identity within a search: its collection and id. */
export function itemKey(item: Pick<StacItem, 'id' | 'collection'>): string {
  return `${item.collection ?? ''}\u0000${item.id}`;
}

/**
 * Drops the copies a partitioned crawl creates, by collection and id: the second and later copies
 * of items that touch a partition boundary, and every partition copy of an item already yielded
 * from the search's first page. Only those items are remembered, not every item.
 */
export class DuplicateFilter {
  private readonly seen = new Set<string>();
  private readonly early: Set<string>;
  private readonly bounds: number[];
  dropped = 0;

  constructor(bounds: readonly number[], alreadyYielded: readonly StacItem[] = []) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    this.early = new Set(alreadyYielded.map(itemKey));
  }

  /** Items already yielded (or decided on): every later copy is dropped. */
  addYielded(items: readonly StacItem[]): void {
    for (const item of items) this.early.add(itemKey(item));
  }

  /** A boundary created by splitting a partition (before any of its items are judged). */
  addBoundary(t: number): void {
    let i = 0;
    while (i < this.bounds.length && this.bounds[i]! < t) i++;
    if (this.bounds[i] !== t) this.bounds.splice(i, 0, t);
  }

  /** `candidate`: precomputed touchesBoundary (a worker may compute it); computed here when absent. */
  keep(item: StacItem, candidate?: boolean): boolean {
    if (this.early.size > 0 && this.early.has(itemKey(item))) {
      this.dropped++;
      return false;
    }
    if (this.bounds.length === 0) return true;
    if (!(candidate ?? touchesBoundary(item, this.bounds))) return true;
    const key = itemKey(item);
    if (this.seen.has(key)) {
      this.dropped++;
      return false;
    }
    this.seen.add(key);
    return true;
  }
}

/**
 * Splits a partition in two at the middle of its time (clipped to the range's finite bounds), or
 * null when it is too narrow to split.
 */
export function splitPartition(p: Partition, range: TimeRange): [Partition, Partition] | null {
  const a = Math.max(p.start, range.lo);
  const b = Math.min(p.end, range.hi);
  if (!(b - a >= 2)) return null;
  const mid = Math.round((a + b) / 2);
  const half = p.matched === null ? null : Math.ceil(p.matched / 2);
  return [
    { start: p.start, end: mid, matched: half },
    { start: mid, end: p.end, matched: half },
  ];
}
