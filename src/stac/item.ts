/** STAC Item types: what ingestion needs to know of an Item (STAC 1.1, GeoJSON Feature). */

export type Position = number[];

export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: unknown;
  merge?: boolean;
  [key: string]: unknown;
}

export interface Asset {
  href: string;
  type?: string;
  title?: string;
  description?: string;
  roles?: string[];
  [key: string]: unknown;
}

export interface ItemProperties {
  datetime: string | null;
  start_datetime?: string;
  end_datetime?: string;
  [key: string]: unknown;
}

export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions?: string[];
  id: string;
  geometry: Geometry | null;
  bbox?: number[];
  properties: ItemProperties;
  links: Link[];
  assets: Record<string, Asset>;
  collection?: string;
  [key: string]: unknown;
}

export interface StacCollection {
  type: 'Collection';
  stac_version: string;
  id: string;
  description: string;
  license: string;
  extent: {
    spatial: { bbox: number[][] };
    temporal: { interval: (string | null)[][] };
  };
  links: Link[];
  [key: string]: unknown;
}

export type ItemProfile = 'small' | 'sentinel-2';
export const ITEM_PROFILES: readonly ItemProfile[] = ['small', 'sentinel-2'];
