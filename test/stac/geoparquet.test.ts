import { describe, expect, it } from 'vitest';
import { generateItems } from '../../src/fixtures/profiles.js';
import { GeoparquetMappingError, itemToRow, rowToItem } from '../../src/stac/geoparquet.js';
import type { StacItem } from '../../src/stac/item.js';
import { validateItem } from '../../src/stac/validate.js';
import { geometryToWkb } from '../../src/stac/wkb.js';

const items = [...generateItems({ profile: 'sentinel-2', count: 200, seed: 21 })];
const ranged = items.find((i) => i.properties.datetime === null)!;
const plain = items.find((i) => i.properties.datetime !== null)!;

describe('itemToRow', () => {
  it('pulls properties up as columns, with timestamps as Dates, WKB geometry and a bbox struct', () => {
    const row = itemToRow(plain);
    expect(row.properties).toBeUndefined();
    expect(row.datetime).toEqual(new Date(plain.properties.datetime!));
    expect(row.created).toBeInstanceOf(Date);
    expect(row['eo:cloud_cover']).toBe(plain.properties['eo:cloud_cover']);
    expect(row.geometry).toBeInstanceOf(Uint8Array);
    const [xmin, ymin, xmax, ymax] = plain.bbox!;
    expect(row.bbox).toEqual({ xmin, ymin, xmax, ymax });
    expect(row.links).toBe(plain.links);
    expect(row.assets).toBe(plain.assets);
  });

  it('refuses a property whose name collides with an Item field', () => {
    const bad = { ...plain, properties: { ...plain.properties, id: 'x' } } as StacItem;
    expect(() => itemToRow(bad)).toThrow(GeoparquetMappingError);
  });
});

describe('rowToItem', () => {
  it('gives back the original Item for every generated Item, null datetimes included', () => {
    for (const item of items) expect(rowToItem(itemToRow(item))).toStrictEqual(item);
    expect(rowToItem(itemToRow(ranged)).properties.datetime).toBeNull();
  });

  it('drops the nulls a reader fills into absent struct fields and absent property columns', () => {
    const row = itemToRow(plain);
    const filled = {
      ...row,
      start_datetime: null,
      end_datetime: null,
      links: plain.links.map((l) => ({ title: null, type: null, ...l })),
      assets: { ...plain.assets, extra_asset_of_another_item: null },
    };
    expect(rowToItem(filled)).toStrictEqual(plain);
  });

  it('accepts timestamps as bigint nanoseconds or epoch milliseconds, and a bbox as a list', () => {
    const row = itemToRow(plain);
    const ms = Date.parse(plain.properties.datetime!);
    const variant = {
      ...row,
      datetime: BigInt(ms) * 1_000_000n,
      created: Date.parse(plain.properties.created as string),
      bbox: plain.bbox,
    };
    expect(rowToItem(variant)).toStrictEqual(plain);
    expect(rowToItem({ ...row, datetime: ms }).properties.datetime).toBe(plain.properties.datetime);
  });

  it('accepts a GeoJSON geometry object (hyparquet default) and a Buffer (DuckDB)', () => {
    const row = itemToRow(plain);
    expect(rowToItem({ ...row, geometry: plain.geometry }).geometry).toEqual(plain.geometry);
    const buffer = Buffer.from(geometryToWkb(plain.geometry!));
    expect(rowToItem({ ...row, geometry: buffer }).geometry).toEqual(plain.geometry);
  });

  it('turns safe int64 bigints into numbers (keeping unsafe ones), also in lists, and a 3D bbox struct into six numbers', () => {
    const row = {
      ...itemToRow(plain),
      'sat:relative_orbit': 42n,
      instruments: [1n, 2n ** 60n],
      bbox: { xmin: 1, ymin: 2, zmin: 3, xmax: 4, ymax: 5, zmax: 6 },
    };
    const item = rowToItem(row);
    expect(item.properties['sat:relative_orbit']).toBe(42);
    expect(item.properties.instruments).toEqual([1, 2n ** 60n]);
    expect(item.bbox).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('restores a null geometry and a missing datetime as null, keeping the Item valid', () => {
    const row = itemToRow(plain);
    const item = rowToItem({
      ...row,
      geometry: null,
      bbox: null,
      datetime: null,
      start_datetime: new Date(0),
      end_datetime: new Date(1000),
    });
    expect(item.geometry).toBeNull();
    expect(item.bbox).toBeUndefined();
    expect(item.properties.datetime).toBeNull();
    expect(validateItem(item).errors).toEqual([]);
  });

  it('names the item when the geometry or bbox has an unusable shape', () => {
    const row = itemToRow(plain);
    expect(() => rowToItem({ ...row, geometry: 42 })).toThrow(new RegExp(`item ${plain.id}: geometry`));
    expect(() => rowToItem({ ...row, bbox: { xmin: 1 } })).toThrow(/bbox struct lacks/);
  });
});
