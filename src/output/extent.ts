/** The spatial and temporal extent of the Items a writer wrote (merged across writers by finishSink). */
import type { StacItem } from '../stac/item.js';
import type { SinkExtent, SinkPart } from './types.js';

export function emptyExtent(): SinkExtent {
  return { bbox: null, interval: [null, null] };
}

/** Widens `extent` to take in `item` (its bbox and its datetime or start/end range). */
export function addItem(extent: SinkExtent, item: StacItem): void {
  const b = item.bbox;
  if (Array.isArray(b) && (b.length === 4 || b.length === 6) && b.every((n) => Number.isFinite(n))) {
    const half = b.length / 2;
    addBbox(extent, [b[0]!, b[1]!, b[half]!, b[half + 1]!]);
  }
  const p = item.properties;
  const start = p.start_datetime ?? p.datetime;
  const end = p.end_datetime ?? p.datetime;
  if (typeof start === 'string') widenStart(extent, start);
  if (typeof end === 'string') widenEnd(extent, end);
}

export function mergeExtent(into: SinkExtent, other: SinkExtent): void {
  if (other.bbox) addBbox(into, other.bbox);
  if (other.interval[0] !== null) widenStart(into, other.interval[0]);
  if (other.interval[1] !== null) widenEnd(into, other.interval[1]);
}

function addBbox(extent: SinkExtent, b: number[]): void {
  const e = extent.bbox;
  if (e === null) {
    extent.bbox = [b[0]!, b[1]!, b[2]!, b[3]!];
    return;
  }
  e[0] = Math.min(e[0]!, b[0]!);
  e[1] = Math.min(e[1]!, b[1]!);
  e[2] = Math.max(e[2]!, b[2]!);
  e[3] = Math.max(e[3]!, b[3]!);
}

function widenStart(extent: SinkExtent, value: string): void {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return;
  const current = extent.interval[0];
  if (current === null || t < Date.parse(current)) extent.interval[0] = value;
}

function widenEnd(extent: SinkExtent, value: string): void {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return;
  const current = extent.interval[1];
  if (current === null || t > Date.parse(current)) extent.interval[1] = value;
}

/** Counts one Item written into `part`, in total and under its collection. */
export function countWritten(part: SinkPart, collection: string, item: StacItem): void {
  part.written++;
  addItem(part.extent, item);
  let entry = part.collections[collection];
  if (!entry) {
    entry = { written: 0, extent: emptyExtent() };
    part.collections[collection] = entry;
  }
  entry.written++;
  addItem(entry.extent, item);
}
