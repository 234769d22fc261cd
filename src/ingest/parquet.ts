/**
 * stac-geoparquet by row group, read with hyparquet (the fastest reader measured here, pure JS, so
 * it runs the same in workers) and rebuilt into STAC Items by `rowToItem`: a row is not an Item.
 * Accepts stac-geoparquet 1.1 and the older files people have (geo 1.0/0.4 metadata, bbox as a
 * list, nanosecond timestamps, `item`-named lists, no `stac-geoparquet` key). Geometry is read as
 * WKB (`geoparquet: false, utf8: false`: hyparquet would otherwise decode it as text).
 */
import { stat } from 'node:fs/promises';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { type GeoparquetRow, rowToItem } from '../stac/geoparquet.js';
import type { StacItem } from '../stac/item.js';
import { itemProblem } from './documents.js';
import { type ReadMode, readBytes } from './reading.js';
import { type IngestFailure, SourceError } from './types.js';

/** A file as hyparquet wants it: byte ranges on demand, read with the strategy's read mode. */
export function fileBuffer(path: string, size: number, mode: ReadMode): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const bytes = await readBytes(path, start, end ?? size, mode);
      return toArrayBuffer(bytes);
    },
  };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

interface Opened {
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** First row of each row group, plus the total at the end. */
  starts: number[];
}

/** Metadata read once per file version (path, size, mtime) in each thread. */
const opened = new Map<string, Promise<Opened>>();

async function open(path: string, mode: ReadMode): Promise<Opened> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    throw new SourceError(path, (e as Error).message);
  }
  const key = `${path}\0${info.size}\0${info.mtimeMs}`;
  let found = opened.get(key);
  if (!found) {
    found = readMetadata(path, info.size, mode);
    found.catch(() => opened.delete(key));
    if (opened.size > 64) opened.clear();
    opened.set(key, found);
  }
  return found;
}

async function readMetadata(path: string, size: number, mode: ReadMode): Promise<Opened> {
  const file = fileBuffer(path, size, mode);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { geoparquet: false });
  } catch (e) {
    throw new SourceError(path, `not a readable Parquet file (${(e as Error).message})`);
  }
  const columns = new Set(metadata.schema.map((s) => s.name));
  if (!columns.has('id')) throw new SourceError(path, 'not stac-geoparquet: no id column');
  const starts = [0];
  for (const group of metadata.row_groups) starts.push(starts.at(-1)! + Number(group.num_rows));
  return { file, metadata, starts };
}

/** Row groups in a file (a SourceError when it is not a readable stac-geoparquet file). */
export async function parquetRowGroupCount(path: string): Promise<number> {
  return (await open(path, 'promises')).metadata.row_groups.length;
}

/** Reads row groups and rebuilds their rows into Items; a row that cannot be rebuilt is a failure. */
export async function readParquetRows(
  path: string,
  rowGroups: number[],
  mode: ReadMode,
): Promise<{ items: StacItem[]; failures: IngestFailure[] }> {
  const items: StacItem[] = [];
  const failures: IngestFailure[] = [];
  let file: Opened;
  try {
    file = await open(path, mode);
  } catch (e) {
    return { items, failures: [{ source: path, reason: (e as Error).message }] };
  }
  for (const group of rowGroups) {
    const rowStart = file.starts[group]!;
    const rowEnd = file.starts[group + 1]!;
    let rows: GeoparquetRow[];
    try {
      rows = await parquetReadObjects({
        file: file.file,
        metadata: file.metadata,
        rowStart,
        rowEnd,
        geoparquet: false,
        utf8: false,
      });
    } catch (e) {
      failures.push({
        source: `${path}#row-group ${group}`,
        reason: `cannot decode: ${(e as Error).message}`,
      });
      continue;
    }
    rows.forEach((row, i) => rebuild(row, `${path}#row ${rowStart + i}`, items, failures));
  }
  return { items, failures };
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
