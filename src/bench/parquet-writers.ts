/**
 * The three Parquet writers the project has, each writing the same Items as one stac-geoparquet
 * file with row groups of ROW_GROUP_ROWS rows, for the Parquet benchmark's write rows (which writer
 * the sink uses) and the test that checks the types each one writes:
 * - `hyparquet-writer`: the sink itself (src/output/parquet.ts), a row group at a time.
 * - `parquet-wasm` (+ apache-arrow): the rows as one Arrow table, written by Rust's writer in WASM
 *   (`writeParquet` takes a whole table, so the file is held in memory).
 * - `parquetjs` (@dsnp/parquetjs): a row at a time, its lists as `{ list: [{ element }] }`.
 * The same schema for all: the union of the rows' shapes (src/stac/parquet-schema.ts).
 */
import { writeFile } from 'node:fs/promises';
import {
  Binary,
  Bool,
  type DataType,
  Field,
  Float64,
  List,
  Struct,
  Table,
  TimestampMillisecond,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { finishSink, openSinkWriter } from '../output/index.js';
import { ROW_GROUP_ROWS } from '../output/parquet.js';
import { type GeoparquetRow, itemToRow } from '../stac/geoparquet.js';
import { geoMetadata, geometryType, stacGeoparquetMetadata } from '../stac/geoparquet-meta.js';
import type { StacItem } from '../stac/item.js';
import { fileSchema, RowShape, type Shape } from '../stac/parquet-schema.js';

export type ParquetWriterName = 'hyparquet-writer' | 'parquet-wasm' | 'parquetjs';
export const PARQUET_WRITERS: readonly ParquetWriterName[] = [
  'hyparquet-writer',
  'parquet-wasm',
  'parquetjs',
];

/** Writes `items` as one stac-geoparquet file at `path` with the named writer. */
export async function writeWith(
  writer: ParquetWriterName,
  items: readonly StacItem[],
  path: string,
): Promise<void> {
  if (writer === 'hyparquet-writer') return writeWithSink(items, path);
  const rows = items.map(itemToRow);
  const shape = new RowShape();
  for (const row of rows) shape.add(row);
  const columns = shape.columns();
  const { names } = fileSchema(columns);
  const types = new Set<string>();
  for (const item of items) {
    const t = geometryType(item);
    if (t) types.add(t);
  }
  const kv = {
    geo: geoMetadata(types, null, columns.get('bbox')?.kind === 'struct'),
    'stac-geoparquet': stacGeoparquetMetadata({}),
  };
  if (writer === 'parquet-wasm') return writeWithWasm(rows, names, columns, kv, path);
  return writeWithParquetjs(rows, names, columns, kv, path);
}

async function writeWithSink(items: readonly StacItem[], path: string): Promise<void> {
  const target = { kind: 'parquet' as const, path };
  const w = await openSinkWriter(target, {});
  for (const item of items) {
    if (w.refuse(item) === null) await w.write(item, w.serialize(item));
  }
  await finishSink(target, [await w.close()], {});
}

// ---------------------------------------------------------------------------------------------
// parquet-wasm + apache-arrow

function arrowType(shape: Shape): DataType {
  switch (shape.kind) {
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'binary':
      return new Binary();
    case 'list':
      return new List(new Field('element', arrowType(shape.element), true));
    case 'struct':
      return new Struct([...shape.fields].map(([k, s]) => new Field(k, arrowType(s), true)));
    default:
      return new Utf8();
  }
}

/** A value as Arrow's builders take it: null for absent struct fields, ms for Dates, JSON text. */
function arrowValue(shape: Shape, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (shape.kind) {
    case 'timestamp':
      return (v as Date).getTime();
    case 'json':
      return JSON.stringify(v);
    case 'list':
      return (v as unknown[]).map((x) => arrowValue(shape.element, x));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of shape.fields) out[k] = arrowValue(s, (v as Record<string, unknown>)[k]);
      return out;
    }
    default:
      return v;
  }
}

async function writeWithWasm(
  rows: GeoparquetRow[],
  names: string[],
  columns: Map<string, Shape>,
  kv: Record<string, string>,
  path: string,
): Promise<void> {
  const wasm = await import('parquet-wasm');
  const vectors: Record<string, Vector> = {};
  for (const name of names) {
    const shape = columns.get(name)!;
    vectors[name] = vectorFromArray(
      rows.map((r) => arrowValue(shape, r[name])),
      arrowType(shape),
    );
  }
  const table = wasm.Table.fromIPCStream(tableToIPC(new Table(vectors), 'stream'));
  const props = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setKeyValueMetadata(new Map(Object.entries(kv)))
    .build();
  await writeFile(path, wasm.writeParquet(table, props));
}

// ---------------------------------------------------------------------------------------------
// @dsnp/parquetjs

type ParquetjsField = Record<string, unknown>;

function parquetjsField(shape: Shape): ParquetjsField {
  switch (shape.kind) {
    case 'double':
      return { type: 'DOUBLE', optional: true };
    case 'boolean':
      return { type: 'BOOLEAN', optional: true };
    case 'timestamp':
      return { type: 'TIMESTAMP_MILLIS', optional: true };
    case 'binary':
      return { type: 'BYTE_ARRAY', optional: true };
    case 'json':
      return { type: 'JSON', optional: true };
    case 'list':
      return {
        type: 'LIST',
        optional: true,
        fields: { list: { repeated: true, fields: { element: parquetjsField(shape.element) } } },
      };
    case 'struct':
      return {
        optional: true,
        fields: Object.fromEntries([...shape.fields].map(([k, s]) => [k, parquetjsField(s)])),
      };
    default:
      return { type: 'UTF8', optional: true };
  }
}

/** A value as parquetjs takes it: lists wrapped, binary as Buffer, absent fields left out. */
function parquetjsValue(shape: Shape, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  switch (shape.kind) {
    case 'binary':
      return Buffer.from(v as Uint8Array);
    case 'list':
      return { list: (v as unknown[]).map((x) => ({ element: parquetjsValue(shape.element, x) })) };
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of shape.fields) {
        const x = parquetjsValue(s, (v as Record<string, unknown>)[k]);
        if (x !== undefined) out[k] = x;
      }
      return out;
    }
    default:
      return v;
  }
}

async function writeWithParquetjs(
  rows: GeoparquetRow[],
  names: string[],
  columns: Map<string, Shape>,
  kv: Record<string, string>,
  path: string,
): Promise<void> {
  const { ParquetSchema, ParquetWriter } = (await import('@dsnp/parquetjs')) as unknown as {
    ParquetSchema: new (fields: Record<string, ParquetjsField>) => unknown;
    ParquetWriter: {
      openFile(
        schema: unknown,
        path: string,
        opts?: Record<string, unknown>,
      ): Promise<{
        appendRow(row: Record<string, unknown>): Promise<void>;
        setMetadata(key: string, value: string): void;
        setRowGroupSize(n: number): void;
        close(): Promise<void>;
      }>;
    };
  };
  const schema = new ParquetSchema(
    Object.fromEntries(names.map((name) => [name, parquetjsField(columns.get(name)!)])),
  );
  const writer = await ParquetWriter.openFile(schema, path, { compression: 'SNAPPY' });
  writer.setRowGroupSize(ROW_GROUP_ROWS);
  for (const [k, v] of Object.entries(kv)) writer.setMetadata(k, v);
  for (const row of rows) {
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const v = parquetjsValue(columns.get(name)!, row[name]);
      if (v !== undefined) out[name] = v;
    }
    await writer.appendRow(out);
  }
  await writer.close();
}
