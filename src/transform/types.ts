/**
 * The transform contract: a named, synchronous step from one Item to one Item or a failure. A
 * transform holds no state on the caller's thread, so a worker can load the same one by name.
 */
import type { StacItem } from '../stac/item.js';

export interface TransformOptions {
  /** update: properties to set (null deletes), applied to item.properties. */
  properties?: Record<string, unknown>;
  /**
   * update: rewrite every asset href that is relative, or whose origin+path prefix is `assetFrom`,
   * under this base URL.
   */
  assetBaseUrl?: string;
  assetFrom?: string;
  /**
   * update: base URL of the output catalog; sets self/root/parent/collection links (stac-manager
   * layout {base}/{collection}/items/{id}.json).
   */
  baseUrl?: string;
  /** update: the collection id of Items that name none (as the sink files them). */
  collectionId?: string;
}

/** failure: the rule broken, e.g. "validate: properties.datetime: missing". */
export type TransformResult = { item: StacItem } | { failure: string };

export interface Transform {
  readonly name: string;
  /** Synchronous: its time is the transform stage's. */
  apply(item: StacItem): TransformResult;
}

export const TRANSFORM_NAMES = ['update', 'validate'] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];
