/**
 * Well-Known Binary <-> GeoJSON geometry.
 *
 * Encoding writes little-endian ISO WKB: 2D, or ISO Z (type + 1000) when the first position has
 * three coordinates. Decoding reads both byte orders (per nested geometry, as the format allows),
 * ISO Z / M / ZM codes (1000s, 2000s, 3000s) and EWKB flags (Z, M, SRID). GeoJSON has no M:
 * measures are dropped, Z is kept as the third coordinate. An empty WKB Point (NaN coordinates)
 * becomes a Point with empty coordinates.
 */
import type { Geometry, Position } from './item.js';

const TYPE_CODES: Record<Geometry['type'], number> = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPoint: 4,
  MultiLineString: 5,
  MultiPolygon: 6,
  GeometryCollection: 7,
};
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  Geometry['type']
>;

export class WkbError extends Error {
  override name = 'WkbError';
}

// ---------------------------------------------------------------------------------------------
// Encoding

function hasZ(g: Geometry): boolean {
  if (g.type === 'GeometryCollection') return g.geometries.some(hasZ);
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length >= 3;
}

function encodedSize(g: Geometry, dims: number): number {
  const pos = 8 * dims;
  switch (g.type) {
    case 'Point':
      return 5 + pos;
    case 'LineString':
    case 'MultiPoint':
      return 9 + g.coordinates.length * (g.type === 'MultiPoint' ? 5 + pos : pos);
    case 'Polygon':
      return 9 + g.coordinates.reduce((n, ring) => n + 4 + ring.length * pos, 0);
    case 'MultiLineString':
      return 9 + g.coordinates.reduce((n, line) => n + 9 + line.length * pos, 0);
    case 'MultiPolygon':
      return (
        9 + g.coordinates.reduce((n, poly) => n + 9 + poly.reduce((m, r) => m + 4 + r.length * pos, 0), 0)
      );
    case 'GeometryCollection':
      return 9 + g.geometries.reduce((n, child) => n + encodedSize(child, dims), 0);
  }
}

class WkbWriter {
  private offset = 0;
  constructor(
    private readonly view: DataView,
    private readonly dims: number,
  ) {}

  header(type: Geometry['type']): void {
    this.view.setUint8(this.offset, 1);
    this.view.setUint32(this.offset + 1, TYPE_CODES[type] + (this.dims === 3 ? 1000 : 0), true);
    this.offset += 5;
  }
  count(n: number): void {
    this.view.setUint32(this.offset, n, true);
    this.offset += 4;
  }
  position(p: Position): void {
    for (let i = 0; i < this.dims; i++) {
      this.view.setFloat64(this.offset, p[i] ?? (i < 2 ? Number.NaN : 0), true);
      this.offset += 8;
    }
  }
  positions(ps: Position[]): void {
    this.count(ps.length);
    for (const p of ps) this.position(p);
  }

  geometry(g: Geometry): void {
    this.header(g.type);
    if (g.type === 'Point') this.position(g.coordinates);
    else if (g.type === 'LineString') this.positions(g.coordinates);
    else if (g.type === 'Polygon') this.rings(g.coordinates);
    else if (g.type === 'GeometryCollection') this.children(g.geometries);
    else if (g.type === 'MultiPoint')
      this.children(g.coordinates.map((c) => ({ type: 'Point', coordinates: c })));
    else if (g.type === 'MultiLineString') {
      this.children(g.coordinates.map((c) => ({ type: 'LineString', coordinates: c })));
    } else this.children(g.coordinates.map((c) => ({ type: 'Polygon', coordinates: c })));
  }
  private rings(rings: Position[][]): void {
    this.count(rings.length);
    for (const ring of rings) this.positions(ring);
  }
  private children(geometries: Geometry[]): void {
    this.count(geometries.length);
    for (const child of geometries) this.geometry(child);
  }
}

/** GeoJSON geometry -> little-endian ISO WKB. */
export function geometryToWkb(geometry: Geometry): Uint8Array {
  const dims = hasZ(geometry) ? 3 : 2;
  const bytes = new Uint8Array(encodedSize(geometry, dims));
  new WkbWriter(new DataView(bytes.buffer), dims).geometry(geometry);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Decoding

function coordinatesOf(g: Geometry): unknown {
  return 'coordinates' in g ? g.coordinates : undefined;
}

class WkbReader {
  private offset = 0;
  private little = true;
  constructor(private readonly view: DataView) {}

  private need(n: number): void {
    if (this.offset + n > this.view.byteLength) {
      throw new WkbError(
        `WKB truncated: needs ${n} bytes at offset ${this.offset} of ${this.view.byteLength}`,
      );
    }
  }
  private uint32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, this.little);
    this.offset += 4;
    return v;
  }
  private float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, this.little);
    this.offset += 8;
    return v;
  }

  private positions(n: number, z: boolean, m: boolean): Position[] {
    const out: Position[] = [];
    for (let i = 0; i < n; i++) out.push(this.position(z, m));
    return out;
  }
  private position(z: boolean, m: boolean): Position {
    const p = [this.float64(), this.float64()];
    if (z) p.push(this.float64());
    if (m) this.float64();
    return p;
  }

  geometry(): Geometry {
    this.need(1);
    const order = this.view.getUint8(this.offset++);
    if (order > 1) throw new WkbError(`bad WKB byte order ${order} at offset ${this.offset - 1}`);
    this.little = order === 1;
    let code = this.uint32();
    let z = (code & 0x80000000) !== 0;
    let m = (code & 0x40000000) !== 0;
    if (code & 0x20000000) this.uint32(); // EWKB SRID
    code &= 0x0fffffff;
    const iso = Math.floor(code / 1000);
    if (iso === 1 || iso === 3) z = true;
    if (iso === 2 || iso === 3) m = true;
    const type = TYPE_NAMES[code % 1000];
    if (!type || iso > 3) throw new WkbError(`unknown WKB geometry type ${code}`);
    return this.body(type, z, m);
  }

  private body(type: Geometry['type'], z: boolean, m: boolean): Geometry {
    switch (type) {
      case 'Point': {
        const p = this.position(z, m);
        return { type, coordinates: p.every(Number.isNaN) ? [] : p };
      }
      case 'LineString':
        return { type, coordinates: this.positions(this.uint32(), z, m) };
      case 'Polygon': {
        const n = this.uint32();
        const rings: Position[][] = [];
        for (let i = 0; i < n; i++) rings.push(this.positions(this.uint32(), z, m));
        return { type, coordinates: rings };
      }
      case 'MultiPoint':
        return { type, coordinates: this.children('Point').map((g) => coordinatesOf(g) as Position) };
      case 'MultiLineString':
        return { type, coordinates: this.children('LineString').map((g) => coordinatesOf(g) as Position[]) };
      case 'MultiPolygon':
        return { type, coordinates: this.children('Polygon').map((g) => coordinatesOf(g) as Position[][]) };
      case 'GeometryCollection':
        return { type, geometries: this.children() };
    }
  }

  private children(expected?: Geometry['type']): Geometry[] {
    const n = this.uint32();
    const out: Geometry[] = [];
    for (let i = 0; i < n; i++) {
      const g = this.geometry();
      if (expected && g.type !== expected)
        throw new WkbError(`expected a ${expected} inside a Multi, got ${g.type}`);
      out.push(g);
    }
    return out;
  }
}

/** WKB (either byte order, ISO or EWKB) -> GeoJSON geometry. Throws WkbError on bad input. */
export function wkbToGeometry(wkb: Uint8Array): Geometry {
  return new WkbReader(new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength)).geometry();
}
