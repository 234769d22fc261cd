/** stac-geoparquet by row group (filled in once src/stac/geoparquet.ts is merged). */
import type { StacItem } from '../stac/item.js';
import type { ReadMode } from './reading.js';
import type { IngestFailure } from './types.js';

export async function readParquetRows(
  path: string,
  _rowGroups: number[],
  _mode: ReadMode,
): Promise<{ items: StacItem[]; failures: IngestFailure[] }> {
  throw new Error(`${path}: Parquet reading is not built yet`);
}

export async function parquetRowGroupCount(path: string): Promise<number> {
  throw new Error(`${path}: Parquet reading is not built yet`);
}
