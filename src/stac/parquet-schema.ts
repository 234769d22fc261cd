/**
 * Infers a Parquet schema from geoparquet rows (see geoparquet.ts) and flattens it to the
 * SchemaElement list hyparquet-writer needs for nested columns. Shapes of many rows are merged:
 * a struct is the union of the keys seen, a list has one element shape, integers and floats are
 * both DOUBLE (so numbers come back as numbers, not bigints). Values whose shapes conflict (a
 * string here, a number there) fall back to a JSON string column — readers then get a string.
 */
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';

export type Shape =
  | { kind: 'unknown' }
  | { kind: 'string' | 'double' | 'boolean' | 'timestamp' | 'binary' | 'json' }
  | { kind: 'list'; element: Shape }
  | { kind: 'struct'; fields: Map<string, Shape> };

const UNKNOWN: Shape = { kind: 'unknown' };

/** The shape of one JS value as it appears in a row. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return UNKNOWN;
  if (typeof value === 'string') return { kind: 'string' };
  if (typeof value === 'number') return { kind: 'double' };
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (value instanceof Date) return { kind: 'timestamp' };
  if (value instanceof Uint8Array) return { kind: 'binary' };
  if (Array.isArray(value)) {
    return { kind: 'list', element: value.reduce<Shape>((s, v) => mergeShapes(s, shapeOf(v)), UNKNOWN) };
  }
  if (typeof value === 'object') {
    const fields = new Map<string, Shape>();
    for (const [k, v] of Object.entries(value)) fields.set(k, shapeOf(v));
    return { kind: 'struct', fields };
  }
  return { kind: 'json' };
}

/** The shape that holds values of both shapes. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a.kind === 'unknown') return b;
  if (b.kind === 'unknown') return a;
  if (a.kind === 'list' && b.kind === 'list')
    return { kind: 'list', element: mergeShapes(a.element, b.element) };
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields);
    for (const [k, s] of b.fields) fields.set(k, mergeShapes(fields.get(k) ?? UNKNOWN, s));
    return { kind: 'struct', fields };
  }
  return a.kind === b.kind ? a : { kind: 'json' };
}

/**
 * Merges the shape of `value` into `shape` without building an intermediate shape (structs are
 * extended in place); returns the merged shape. This is the hot path when scanning many rows.
 */
export function absorb(shape: Shape, value: unknown): Shape {
  if (value === null || value === undefined) return shape;
  if (shape.kind === 'unknown') return shapeOf(value);
  if (shape.kind === 'struct') {
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      value instanceof Date ||
      value instanceof Uint8Array
    ) {
      return { kind: 'json' };
    }
    for (const k in value) {
      const before = shape.fields.get(k) ?? UNKNOWN;
      const after = absorb(before, (value as Record<string, unknown>)[k]);
      if (after !== before || !shape.fields.has(k)) shape.fields.set(k, after);
    }
    return shape;
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) return { kind: 'json' };
    let element = shape.element;
    for (const v of value) element = absorb(element, v);
    if (element !== shape.element) shape.element = element;
    return shape;
  }
  if (shape.kind === 'json') return shape;
  const kind = shapeOf(value).kind;
  return kind === shape.kind ? shape : { kind: 'json' };
}

/** Running union of the shapes of many rows (one struct: the row). */
export class RowShape {
  private readonly shape: Extract<Shape, { kind: 'struct' }> = { kind: 'struct', fields: new Map() };

  add(row: Record<string, unknown>): void {
    absorb(this.shape, row);
  }

  /** Top-level columns in first-seen order. */
  columns(): Map<string, Shape> {
    return this.shape.fields;
  }
}

function leaf(name: string, shape: Shape): SchemaElement {
  const base = { name, repetition_type: 'OPTIONAL' as const };
  switch (shape.kind) {
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'timestamp':
      return {
        ...base,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'binary':
      return { ...base, type: 'BYTE_ARRAY' };
    case 'json':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON' };
    default:
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

/** Schema elements (depth-first) of one column; empty structs are left out (Parquet forbids them). */
export function columnSchema(name: string, shape: Shape): SchemaElement[] {
  if (shape.kind === 'list') {
    return [
      {
        name,
        repetition_type: 'OPTIONAL',
        converted_type: 'LIST',
        logical_type: { type: 'LIST' },
        num_children: 1,
      },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...columnSchema('element', shape.element),
    ];
  }
  if (shape.kind === 'struct') {
    const children = [...shape.fields].map(([k, s]) => columnSchema(k, s)).filter((c) => c.length > 0);
    if (children.length === 0) return [];
    return [{ name, repetition_type: 'OPTIONAL', num_children: children.length }, ...children.flat()];
  }
  return [leaf(name, shape)];
}

/** The whole file schema for rows of this shape, and the column names it keeps. */
export function fileSchema(columns: Map<string, Shape>): { schema: SchemaElement[]; names: string[] } {
  const parts = [...columns].map(([name, shape]) => ({ name, elements: columnSchema(name, shape) }));
  const kept = parts.filter((p) => p.elements.length > 0);
  return {
    schema: [{ name: 'root', num_children: kept.length }, ...kept.flatMap((p) => p.elements)],
    names: kept.map((p) => p.name),
  };
}

/** True when a column of this shape holds a JSON-text fallback somewhere inside. */
export function needsConversion(shape: Shape): boolean {
  if (shape.kind === 'json') return true;
  if (shape.kind === 'list') return needsConversion(shape.element);
  if (shape.kind === 'struct') return [...shape.fields.values()].some(needsConversion);
  return false;
}

/** Converts a value to what its column expects (JSON text for `json` columns). */
export function valueForShape(value: unknown, shape: Shape): unknown {
  if (value === null || value === undefined) return null;
  if (!needsConversion(shape)) return value;
  switch (shape.kind) {
    case 'json':
      return JSON.stringify(value);
    case 'list':
      return (value as unknown[]).map((v) => valueForShape(v, shape.element));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of shape.fields) out[k] = valueForShape((value as Record<string, unknown>)[k], s);
      return out;
    }
    default:
      return value;
  }
}

/** The columns of one row group for hyparquet-writer, in schema order. */
export function columnData(
  rows: readonly Record<string, unknown>[],
  names: readonly string[],
  shapes: ReadonlyMap<string, Shape>,
): ColumnSource[] {
  return names.map((name) => {
    const shape = shapes.get(name)!;
    const data = needsConversion(shape)
      ? rows.map((r) => valueForShape(r[name], shape))
      : rows.map((r) => r[name] ?? null);
    // Min/max statistics serve row-group pruning on flat columns (datetime, bbox, cloud cover...);
    // on the many leaves of assets and links they cost time and prune nothing useful.
    const statistics = name !== 'assets' && name !== 'links';
    return { name, data, statistics };
  });
}

/** A Shape as plain data (JSON, structured clone): a struct's fields as [name, shape] pairs, in order. */
export type ShapeData =
  | { kind: 'unknown' | 'string' | 'double' | 'boolean' | 'timestamp' | 'binary' | 'json' }
  | { kind: 'list'; element: ShapeData }
  | { kind: 'struct'; fields: [string, ShapeData][] };

export function shapeToData(shape: Shape): ShapeData {
  if (shape.kind === 'list') return { kind: 'list', element: shapeToData(shape.element) };
  if (shape.kind === 'struct')
    return { kind: 'struct', fields: [...shape.fields].map(([k, s]) => [k, shapeToData(s)]) };
  return { kind: shape.kind };
}

export function shapeFromData(data: ShapeData): Shape {
  if (data.kind === 'list') return { kind: 'list', element: shapeFromData(data.element) };
  if (data.kind === 'struct')
    return { kind: 'struct', fields: new Map(data.fields.map(([k, s]) => [k, shapeFromData(s)])) };
  return { kind: data.kind };
}

/** Top-level columns of two schemas merged (first one's order, then the other's new columns). */
export function mergeColumns(
  a: ReadonlyMap<string, Shape>,
  b: ReadonlyMap<string, Shape>,
): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const [k, s] of a) out.set(k, b.has(k) ? mergeShapes(s, b.get(k)!) : s);
  for (const [k, s] of b) if (!out.has(k)) out.set(k, s);
  return out;
}

/** The kind of shape a value has (what `shapeOf` would give), without making one. */
function kindOf(value: unknown): Shape['kind'] {
  if (value === null || value === undefined) return 'unknown';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value instanceof Date) return 'timestamp';
      if (value instanceof Uint8Array) return 'binary';
      return Array.isArray(value) ? 'list' : 'struct';
    default:
      return 'json';
  }
}

/** Where inside a column a value does not fit (`.field`, `[]`; built only on a misfit) and why. */
interface Fault {
  at: string;
  why: string;
}

/**
 * Why `value` cannot be stored in a column of `shape`, naming the path inside the column, or null.
 * A column that held no value when the schema was chosen is a string column (`columnSchema`), and
 * a struct with no fields is not in the file at all; a struct field or a value of another kind is
 * not in the schema. JSON-text columns take anything.
 */
export function misfit(shape: Shape, value: unknown, path: string): string | null {
  // Every value of every written Item is checked: the path is built only for a value that fails.
  const fault = faultOf(shape, value);
  return fault === null ? null : `${path}${fault.at} ${fault.why}`;
}

function faultOf(shape: Shape, value: unknown): Fault | null {
  if (value === null || value === undefined) return null;
  switch (shape.kind) {
    case 'json':
      return null;
    case 'unknown':
      return typeof value === 'string'
        ? null
        : { at: '', why: `is a ${kindOf(value)}, the schema has string` };
    case 'list': {
      if (!Array.isArray(value)) return { at: '', why: `is a ${kindOf(value)}, the schema has a list` };
      for (const v of value) {
        const fault = faultOf(shape.element, v);
        if (fault !== null) {
          fault.at = `[]${fault.at}`;
          return fault;
        }
      }
      return null;
    }
    case 'struct': {
      const kind = kindOf(value);
      if (kind !== 'struct') return { at: '', why: `is a ${kind}, the schema has a struct` };
      const source = value as Record<string, unknown>;
      for (const k in source) {
        const field = shape.fields.get(k);
        const v = source[k];
        if (field === undefined) {
          if (v === null || v === undefined) continue;
          return { at: `.${k}`, why: 'is not in the schema' };
        }
        const fault = faultOf(field, v);
        if (fault !== null) {
          fault.at = `.${k}${fault.at}`;
          return fault;
        }
      }
      return null;
    }
    default: {
      const kind = kindOf(value);
      return kind === shape.kind ? null : { at: '', why: `is a ${kind}, the schema has ${shape.kind}` };
    }
  }
}
