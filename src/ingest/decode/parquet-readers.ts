/**
 * Three Parquet readers behind one interface, so the benchmark can compare them side by side and
 * the ingest path can use the winner. Each opens a file once per thread (`openParquet`) and reads
 * row groups into plain row objects (the shape `rowToItem` takes):
 * - `parquet-wasm` (+ apache-arrow): Rust's reader compiled to WASM, byte ranges read from a file
 *   Blob, Arrow IPC into apache-arrow, converted column-wise (arrow-rows.ts). The default: it was
 *   ~4x less CPU than hyparquet on the nested `assets` column of generated files.
 * - `hyparquet`: pure JS; geometry read as WKB (`geoparquet: false, utf8: false`).
 * - `parquetjs` (@dsnp/parquetjs): a cursor over all rows (it reads row group by row group);
 *   its `{list: [{element}]}` / `{list: [{item}]}` list shapes are unwrapped to arrays.
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Table, tableFromIPC } from 'apache-arrow';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { type ReadMode, readBytes } from '../io/reading.js';
import { SourceError } from '../types.js';
import { tableToRows } from './arrow-rows.js';

export type ParquetReaderName = 'parquet-wasm' | 'hyparquet' | 'parquetjs';
export const PARQUET_READERS: readonly ParquetReaderName[] = ['parquet-wasm', 'hyparquet', 'parquetjs'];
export const DEFAULT_PARQUET_READER: ParquetReaderName = 'parquet-wasm';

export type Row = Record<string, unknown>;

export interface OpenParquet {
  /** Rows of each row group. */
  readonly rowGroupRows: number[];
  readonly columns: string[];
  readRowGroups(groups: number[]): Promise<Row[]>;
  /**
   * The same rows, converted to row objects a chunk at a time as `next()` is called (parquet-wasm:
   * the decoded Arrow record batches stay columnar until then); null after the last chunk.
   */
  readRowChunks(groups: number[]): Promise<RowChunks>;
}

export interface RowChunks {
  next(): Row[] | null;
}

/** Rows per chunk of `readRowChunks`: small enough that a chunk's rows and Items die young. */
export const ROW_CHUNK = 64;

/** A reader without a columnar stage: its chunks are slices of the decoded rows. */
function withRowChunks(open: Omit<OpenParquet, 'readRowChunks'>): OpenParquet {
  return { ...open, readRowChunks: async (groups) => chunksOf(await open.readRowGroups(groups)) };
}

/** Chunks of rows already decoded. */
function chunksOf(rows: Row[]): RowChunks {
  let at = 0;
  return {
    next() {
      if (at >= rows.length) return null;
      const chunk = rows.slice(at, at + ROW_CHUNK);
      at += ROW_CHUNK;
      return chunk;
    },
  };
}

type Opener = (path: string, size: number, mode: ReadMode) => Promise<OpenParquet>;

const OPENERS: Record<ParquetReaderName, Opener> = {
  'parquet-wasm': openWasm,
  hyparquet: openHyparquet,
  parquetjs: openParquetjs,
};

const cache = new Map<string, Promise<OpenParquet>>();

/** Opens (once per file version and reader, in this thread) a Parquet file; SourceError if it is not one. */
export async function openParquet(
  path: string,
  reader: ParquetReaderName = DEFAULT_PARQUET_READER,
  mode: ReadMode = 'promises',
): Promise<OpenParquet> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    throw new SourceError(path, (e as Error).message);
  }
  const key = `${reader}\0${path}\0${info.size}\0${info.mtimeMs}`;
  let found = cache.get(key);
  if (!found) {
    found = OPENERS[reader](path, info.size, mode).then(checkColumns(path), (e: unknown) => {
      throw e instanceof SourceError
        ? e
        : new SourceError(path, `not a readable Parquet file (${message(e)})`);
    });
    found.catch(() => cache.delete(key));
    if (cache.size > 32) cache.clear();
    cache.set(key, found);
  }
  return found;
}

function checkColumns(path: string) {
  return (file: OpenParquet): OpenParquet => {
    if (!file.columns.includes('id')) throw new SourceError(path, 'not stac-geoparquet: no id column');
    return file;
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function openWasm(path: string): Promise<OpenParquet> {
  const wasm = await import('parquet-wasm');
  const file = await wasm.ParquetFile.fromFile(await openAsBlob(path));
  const meta = file.metadata();
  const groups = meta.numRowGroups();
  const rowGroupRows = Array.from({ length: groups }, (_, i) => meta.rowGroup(i).numRows());
  const columns = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name);
  return {
    rowGroupRows,
    columns,
    async readRowGroups(rowGroups) {
      const table = tableFromIPC((await file.read({ rowGroups })).intoIPCStream());
      return tableToRows(table);
    },
    async readRowChunks(rowGroups) {
      const table = tableFromIPC((await file.read({ rowGroups, batchSize: ROW_CHUNK })).intoIPCStream());
      const batches = table.batches;
      let k = 0;
      return {
        next: () => (k < batches.length ? tableToRows(new Table(batches[k++]!)) : null),
      };
    },
  };
}

function fileBuffer(path: string, size: number, mode: ReadMode): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const bytes = await readBytes(path, start, end ?? size, mode);
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return (
        whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      ) as ArrayBuffer;
    },
  };
}

async function openHyparquet(path: string, size: number, mode: ReadMode): Promise<OpenParquet> {
  const file = fileBuffer(path, size, mode);
  const metadata: FileMetaData = await parquetMetadataAsync(file, { geoparquet: false });
  const rowGroupRows = metadata.row_groups.map((g) => Number(g.num_rows));
  const starts = [0];
  for (const n of rowGroupRows) starts.push(starts.at(-1)! + n);
  const columns = metadata.schema.slice(1).map((s) => s.name);
  return withRowChunks({
    rowGroupRows,
    columns,
    async readRowGroups(groups) {
      const out: Row[] = [];
      for (const g of groups) {
        const rows = await parquetReadObjects({
          file,
          metadata,
          rowStart: starts[g]!,
          rowEnd: starts[g + 1]!,
          geoparquet: false,
          utf8: false,
        });
        for (const row of rows) out.push(row);
      }
      return out;
    },
  });
}

interface ParquetjsCursor {
  rowGroupIndex: number;
  next(): Promise<Row | null>;
}

interface ThriftSchemaElement {
  name: string;
  num_children?: number | null;
  converted_type?: number | null;
  logicalType?: { TIMESTAMP?: { unit?: Record<string, unknown | null> } | null } | null;
}

interface ParquetjsReader {
  getRowCount(): unknown;
  metadata?: { row_groups: { num_rows: unknown }[]; schema: ThriftSchemaElement[] };
  getCursor(): unknown;
  schema: { fields: Record<string, unknown> };
  close(): Promise<void>;
}

async function openParquetjs(path: string): Promise<OpenParquet> {
  const { ParquetReader } = (await import('@dsnp/parquetjs')) as unknown as {
    ParquetReader: { openFile(path: string): Promise<ParquetjsReader> };
  };
  const reader = await ParquetReader.openFile(path);
  const rowGroupRows = (reader.metadata?.row_groups ?? []).map((g) => Number(g.num_rows));
  const starts = [0];
  for (const n of rowGroupRows) starts.push(starts.at(-1)! + n);
  const timestamps = timestampColumns(reader.metadata?.schema ?? []);
  return withRowChunks({
    rowGroupRows,
    columns: Object.keys(reader.schema.fields),
    async readRowGroups(groups) {
      const out: Row[] = [];
      for (const g of groups) {
        // A cursor placed at the row group: it reads and materialises that group on the first next().
        const cursor = reader.getCursor() as ParquetjsCursor;
        cursor.rowGroupIndex = g;
        for (let i = 0; i < rowGroupRows[g]!; i++) {
          const row = await cursor.next();
          if (row) out.push(fixTimestamps(unwrapLists(row) as Row, timestamps));
        }
      }
      return out;
    },
  });
}

/** Nanoseconds per unit of each top-level timestamp column (parquetjs hands them over as raw bigints). */
function timestampColumns(schema: ThriftSchemaElement[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  // schema[0] is the root; top-level columns follow, each followed by its own descendants.
  let i = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let c = 0; c < (schema[at]?.num_children ?? 0); c++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    const e = schema[i]!;
    const unit = e.logicalType?.TIMESTAMP?.unit;
    if (unit) {
      const key = Object.keys(unit).find((k) => unit[k] !== null && unit[k] !== undefined);
      out.set(e.name, key === 'NANOS' ? 1n : key === 'MICROS' ? 1_000n : 1_000_000n);
    } else if (e.converted_type === 9 || e.converted_type === 10) {
      out.set(e.name, e.converted_type === 9 ? 1_000_000n : 1_000n); // TIMESTAMP_MILLIS / _MICROS
    }
    i = skip(i);
  }
  return out;
}

function fixTimestamps(row: Row, columns: Map<string, bigint>): Row {
  for (const [name, nanosPerUnit] of columns) {
    const v = row[name];
    if (typeof v === 'bigint') row[name] = new Date(Number((v * nanosPerUnit) / 1_000_000n));
  }
  return row;
}

/** parquetjs lists come as `{list: [{element: v}]}` (old files: `item`); make them arrays. */
export function unwrapLists(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(unwrapLists);
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'list' && Array.isArray(o.list)) {
    return o.list.map((entry) => {
      if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
        const e = entry as Record<string, unknown>;
        if ('element' in e) return unwrapLists(e.element);
        if ('item' in e) return unwrapLists(e.item);
      }
      return unwrapLists(entry);
    });
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = unwrapLists(o[k]);
  return out;
}
