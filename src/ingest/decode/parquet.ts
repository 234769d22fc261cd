/**
 * stac-geoparquet by row group, rebuilt into STAC Items by `rowToItem` (a row is not an Item).
 * Accepts stac-geoparquet 1.1 and the older files people have (geo 1.0/0.4 metadata, bbox as a
 * list, nanosecond timestamps, `item`-named lists, no `stac-geoparquet` key): the mapping reads
 * what is there and does not require the newer metadata. The reader is chosen by name
 * (parquet-readers.ts); the default is the one the Parquet benchmark measured fastest.
 */
import { type GeoparquetRow, rowToItem } from '../../stac/geoparquet.js';
import type { StacItem } from '../../stac/item.js';
import { itemProblem } from '../../stac/item-check.js';
import type { ReadMode } from '../io/reading.js';
import type { IngestFailure } from '../types.js';
import {
  DEFAULT_PARQUET_READER,
  openParquet,
  type ParquetReaderName,
  type RowChunks,
} from './parquet-readers.js';

/** Row groups in a file (a SourceError when it is not a readable stac-geoparquet file). */
export async function parquetRowGroupCount(
  path: string,
  reader: ParquetReaderName = DEFAULT_PARQUET_READER,
): Promise<number> {
  return (await parquetRowGroupRows(path, reader)).length;
}

/** The rows of each row group, from the footer (a SourceError when it is not a readable stac-geoparquet file). */
export async function parquetRowGroupRows(
  path: string,
  reader: ParquetReaderName = DEFAULT_PARQUET_READER,
): Promise<number[]> {
  return [...(await openParquet(path, reader)).rowGroupRows];
}

/** Reads row groups and rebuilds all their rows into Items now; a row that cannot be rebuilt is a failure. */
export async function readParquetRows(
  path: string,
  rowGroups: number[],
  mode: ReadMode,
  reader: ParquetReaderName = DEFAULT_PARQUET_READER,
): Promise<{ items: StacItem[]; failures: IngestFailure[] }> {
  const { failures, chunks } = await parquetItemChunks(path, rowGroups, mode, reader);
  const items: StacItem[] = [];
  for (let chunk = chunks?.next() ?? null; chunk !== null; chunk = chunks!.next()) {
    for (const item of chunk.items) items.push(item);
    for (const f of chunk.failures) failures.push(f);
  }
  return { items, failures };
}

/** Items built a chunk at a time, on the thread that reads them (see ItemStream). */
export interface ItemChunks {
  next(): { items: StacItem[]; failures: IngestFailure[] } | null;
}

/**
 * The rows of `rowGroups` rebuilt into Items a chunk (ROW_CHUNK rows) at a time as the caller pulls, so a row group's Items are not all alive at once. Measured on 10,000 small Items
 * (row groups of 1,000): the eager rebuild spent much of its time in the garbage collector.
 */
export async function parquetItemChunks(
  path: string,
  rowGroups: number[],
  mode: ReadMode,
  reader: ParquetReaderName = DEFAULT_PARQUET_READER,
): Promise<{ failures: IngestFailure[]; chunks?: ItemChunks }> {
  let rows: RowChunks;
  try {
    const file = await openParquet(path, reader, mode);
    rows = await file.readRowChunks(rowGroups);
  } catch (e) {
    const where = rowGroups.length === 1 ? `${path}#row-group ${rowGroups[0]}` : path;
    return { failures: [{ source: where, reason: `cannot decode: ${(e as Error).message}` }] };
  }
  const label = rowGroups.length === 1 ? `${path}#row-group ${rowGroups[0]} row` : `${path}#row`;
  let index = 0;
  return {
    failures: [],
    chunks: {
      next() {
        const chunk = rows.next();
        if (chunk === null) return null;
        const out = { items: [] as StacItem[], failures: [] as IngestFailure[] };
        for (const row of chunk)
          rebuild(row as GeoparquetRow, `${label} ${index++}`, out.items, out.failures);
        return out;
      },
    },
  };
}

function rebuild(row: GeoparquetRow, source: string, items: StacItem[], failures: IngestFailure[]): void {
  let item: StacItem;
  try {
    item = rowToItem(row);
  } catch (e) {
    failures.push({ source, reason: (e as Error).message });
    return;
  }
  const problem = itemProblem(item);
  if (problem) failures.push({ source, reason: problem });
  else items.push(item);
}
