import { describe, expect, it } from 'vitest';
import {
  columnSchema,
  fileSchema,
  misfit,
  RowShape,
  shapeOf,
  valueForShape,
} from '../../src/stac/parquet-schema.js';

describe('the inferred Parquet schema', () => {
  it('unions struct fields across rows and keeps first-seen column order', () => {
    const shape = new RowShape();
    shape.add({ id: 'a', links: [{ rel: 'self', href: 'x' }] });
    shape.add({ id: 'b', links: [{ rel: 'license', href: 'y', title: 'T' }], gsd: 10 });
    const cols = shape.columns();
    expect([...cols.keys()]).toEqual(['id', 'links', 'gsd']);
    const { schema } = fileSchema(cols);
    expect(schema.map((e) => e.name)).toEqual([
      'root',
      'id',
      'links',
      'list',
      'element',
      'rel',
      'href',
      'title',
      'gsd',
    ]);
    expect(schema[0]).toMatchObject({ num_children: 3 });
    expect(schema.find((e) => e.name === 'element')).toMatchObject({ num_children: 3 });
  });

  it('writes every number as DOUBLE, so integers read back as numbers, not bigints', () => {
    const shape = new RowShape();
    shape.add({ n: 1 });
    shape.add({ n: 2.5 });
    expect(fileSchema(shape.columns()).schema[1]).toMatchObject({ name: 'n', type: 'DOUBLE' });
  });

  it('types timestamps as INT64 TIMESTAMP(MILLIS) adjusted to UTC and lists as LIST', () => {
    expect(columnSchema('datetime', shapeOf(new Date(0)))).toEqual([
      {
        name: 'datetime',
        repetition_type: 'OPTIONAL',
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      },
    ]);
    expect(columnSchema('roles', shapeOf(['data']))[0]).toMatchObject({
      converted_type: 'LIST',
      num_children: 1,
    });
  });

  it('falls back to a JSON text column when values of one field have conflicting types', () => {
    const shape = new RowShape();
    shape.add({ nodata: 0 });
    shape.add({ nodata: 'nan' });
    const s = shape.columns().get('nodata')!;
    expect(s.kind).toBe('json');
    expect(valueForShape(0, s)).toBe('0');
    expect(valueForShape('nan', s)).toBe('"nan"');
  });

  it('leaves out columns and fields that would be empty groups, which Parquet cannot store', () => {
    const shape = new RowShape();
    shape.add({ id: 'a', empty: {}, nested: { inner: {} } });
    expect(fileSchema(shape.columns()).names).toEqual(['id']);
  });

  it('types a column that was only ever null as a string', () => {
    const shape = new RowShape();
    shape.add({ id: 'a', note: null });
    expect(fileSchema(shape.columns()).schema.find((e) => e.name === 'note')).toMatchObject({
      type: 'BYTE_ARRAY',
    });
  });
});

describe('misfit', () => {
  const shape = shapeOf({
    assets: { thumb: { href: 'a', roles: ['x'], size: 1 } },
    links: [{ rel: 'self', href: 'b' }],
  }) as Extract<ReturnType<typeof shapeOf>, { kind: 'struct' }>;
  const assets = shape.fields.get('assets')!;
  const links = shape.fields.get('links')!;

  it('accepts values of the schema, nulls anywhere and fields left out', () => {
    expect(misfit(assets, { thumb: { href: 'c', roles: ['y', 'z'], size: null } }, 'assets')).toBeNull();
    expect(misfit(assets, { thumb: { href: 'c', extra: null } }, 'assets')).toBeNull();
    expect(misfit(links, [], 'links')).toBeNull();
    expect(misfit(links, null, 'links')).toBeNull();
  });

  it('names the path inside the column down to the value that does not fit', () => {
    expect(misfit(assets, { thumb: { href: 'c', roles: ['y', 2] } }, 'assets')).toBe(
      'assets.thumb.roles[] is a double, the schema has string',
    );
    expect(misfit(links, [{ rel: 'self' }, { rel: 'next', title: 't' }], 'links')).toBe(
      'links[].title is not in the schema',
    );
    expect(misfit(assets, { thumb: { href: 'c', size: '1' } }, 'assets')).toBe(
      'assets.thumb.size is a string, the schema has double',
    );
  });

  it('names what a value is when a struct or a list was expected', () => {
    expect(misfit(assets, { thumb: ['a'] }, 'assets')).toBe(
      'assets.thumb is a list, the schema has a struct',
    );
    expect(misfit(assets, { thumb: { roles: 'data' } }, 'assets')).toBe(
      'assets.thumb.roles is a string, the schema has a list',
    );
    expect(misfit(assets, { thumb: { href: new Date(0) } }, 'assets')).toBe(
      'assets.thumb.href is a timestamp, the schema has string',
    );
  });
});
