/**
 * Infers a Parquet schema from geoparquet rows (see geoparquet.ts) and flattens it to the
 * SchemaElement list hyparquet-writer needs for nested columns. Shapes of many rows are merged:
 * a struct is the union of the keys seen, a list has one element shape, integers and floats are
 * both DOUBLE (so numbers come back as numbers, not bigints). Values whose shapes conflict (a
 * string here, a number there) fall back to a JSON string column — readers then get a string.
 */
import type { SchemaElement } from 'hyparquet-writer';

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
