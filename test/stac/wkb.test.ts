import { describe, expect, it } from 'vitest';
import type { Geometry } from '../../src/stac/item.js';
import { geometryToWkb, WkbError, wkbToGeometry } from '../../src/stac/wkb.js';

const polygon: Geometry = {
  type: 'Polygon',
  coordinates: [
    [
      [10.5, 45.25],
      [11.75, 45.25],
      [11.75, 46.125],
      [10.5, 45.25],
    ],
    [
      [10.9, 45.5],
      [11.1, 45.5],
      [11.1, 45.7],
      [10.9, 45.5],
    ],
  ],
};
const geometries: Geometry[] = [
  { type: 'Point', coordinates: [-122.4194, 37.7749] },
  {
    type: 'MultiPoint',
    coordinates: [
      [1, 2],
      [3, 4],
      [-5.5, 6.25],
    ],
  },
  {
    type: 'LineString',
    coordinates: [
      [0, 0],
      [1, 1],
      [2, 0.5],
    ],
  },
  {
    type: 'MultiLineString',
    coordinates: [
      [
        [0, 0],
        [1, 1],
      ],
      [
        [2, 2],
        [3, 3],
        [4, 2],
      ],
    ],
  },
  polygon,
  {
    type: 'MultiPolygon',
    coordinates: [
      polygon.coordinates,
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    ],
  },
  { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }, polygon] },
  {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0, 10],
        [1, 0, 11],
        [1, 1, 12],
        [0, 0, 10],
      ],
    ],
  },
];

/** Hand-built big-endian WKB of POINT(1 2). */
function bigEndianPoint(x: number, y: number, typeCode = 1, z?: number): Uint8Array {
  const bytes = new Uint8Array(z === undefined ? 21 : 29);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0);
  view.setUint32(1, typeCode, false);
  view.setFloat64(5, x, false);
  view.setFloat64(13, y, false);
  if (z !== undefined) view.setFloat64(21, z, false);
  return bytes;
}

describe('WKB', () => {
  it.each(geometries.map((g) => [g.type + (JSON.stringify(g).includes(',10]') ? ' Z' : ''), g] as const))(
    'round-trips a %s through encode and decode unchanged',
    (_name, geometry) => {
      expect(wkbToGeometry(geometryToWkb(geometry))).toEqual(geometry);
    },
  );

  it('encodes little-endian ISO WKB (POINT is byte order 1, type 1, then x and y)', () => {
    const wkb = geometryToWkb({ type: 'Point', coordinates: [1, 2] });
    const view = new DataView(wkb.buffer);
    expect(wkb.length).toBe(21);
    expect(view.getUint8(0)).toBe(1);
    expect(view.getUint32(1, true)).toBe(1);
    expect([view.getFloat64(5, true), view.getFloat64(13, true)]).toEqual([1, 2]);
  });

  it('marks 3D geometries with the ISO Z type code', () => {
    const wkb = geometryToWkb({ type: 'Point', coordinates: [1, 2, 3] });
    expect(new DataView(wkb.buffer).getUint32(1, true)).toBe(1001);
  });

  it('reads big-endian WKB, ISO Z, ISO M (dropping M) and EWKB with an SRID', () => {
    expect(wkbToGeometry(bigEndianPoint(1, 2))).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(wkbToGeometry(bigEndianPoint(1, 2, 1001, 3))).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
    expect(wkbToGeometry(bigEndianPoint(1, 2, 2001, 9))).toEqual({ type: 'Point', coordinates: [1, 2] });
    const ewkb = new Uint8Array(25);
    const v = new DataView(ewkb.buffer);
    v.setUint8(0, 1);
    v.setUint32(1, 0x20000001, true);
    v.setUint32(5, 4326, true);
    v.setFloat64(9, 7, true);
    v.setFloat64(17, 8, true);
    expect(wkbToGeometry(ewkb)).toEqual({ type: 'Point', coordinates: [7, 8] });
  });

  it('reads WKB from a slice of a larger buffer (as Parquet readers hand it out)', () => {
    const wkb = geometryToWkb(polygon);
    const big = new Uint8Array(wkb.length + 13);
    big.set(wkb, 7);
    expect(wkbToGeometry(big.subarray(7, 7 + wkb.length))).toEqual(polygon);
  });

  it('rejects truncated input, a bad byte order and an unknown type with a WkbError', () => {
    const wkb = geometryToWkb(polygon);
    expect(() => wkbToGeometry(wkb.subarray(0, wkb.length - 3))).toThrow(WkbError);
    expect(() => wkbToGeometry(new Uint8Array([7, 1, 0, 0, 0]))).toThrow(/byte order/);
    expect(() => wkbToGeometry(new Uint8Array([1, 99, 0, 0, 0]))).toThrow(/unknown WKB geometry type 99/);
  });
});
