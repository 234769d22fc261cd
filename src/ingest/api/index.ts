/** STAC API ingest (issue 4 builds it): streams the items of a collection/search from a STAC API URL. */
import type { StacItem } from '../../stac/item.js';
import type { IngestOptions } from '../types.js';

export function ingestApi(url: string, _options: IngestOptions = {}): AsyncIterable<StacItem> {
  throw new Error(`STAC API ingest is not built yet (${url})`);
}
