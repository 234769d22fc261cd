/**
 * The key-value metadata of a stac-geoparquet 1.1 file: `geo` (GeoParquet 1.1.0, the WKB
 * `geometry` column with its geometry types, bbox and the `bbox` struct as its covering) and
 * `stac-geoparquet` (the spec's version and the Collections the Items belong to). Shared by the
 * fixture writer and the Parquet sink.
 */
import type { StacCollection, StacItem } from './item.js';

export const GEOPARQUET_VERSION = '1.1.0';
export const STAC_GEOPARQUET_VERSION = '1.1.0';

/** The GeoParquet geometry type of an Item's geometry (`Polygon`, `Point Z` ...), or undefined. */
export function geometryType(item: StacItem): string | undefined {
  const g = item.geometry;
  if (!g) return undefined;
  let c: unknown = 'coordinates' in g ? g.coordinates : undefined;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length === 3 ? `${g.type} Z` : g.type;
}

/** The `geo` value for the `geometry` column; `covering` only when the file has a `bbox` struct. */
export function geoMetadata(types: Iterable<string>, bbox: number[] | null, covering = true): string {
  return JSON.stringify({
    version: GEOPARQUET_VERSION,
    primary_column: 'geometry',
    columns: {
      geometry: {
        encoding: 'WKB',
        geometry_types: [...types].sort(),
        ...(bbox ? { bbox } : {}),
        ...(covering
          ? {
              covering: {
                bbox: {
                  xmin: ['bbox', 'xmin'],
                  ymin: ['bbox', 'ymin'],
                  xmax: ['bbox', 'xmax'],
                  ymax: ['bbox', 'ymax'],
                },
              },
            }
          : {}),
      },
    },
  });
}

/** The `stac-geoparquet` value: the spec's version and the Collections by id. */
export function stacGeoparquetMetadata(collections: Record<string, StacCollection>): string {
  return JSON.stringify({ version: STAC_GEOPARQUET_VERSION, collections });
}
