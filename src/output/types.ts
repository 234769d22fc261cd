/**
 * The sink contract: where a pipeline's Items go. A sink is prepared once, written by one writer
 * or several (one per worker), and finished once on the caller's thread.
 */
import type { StacCollection, StacItem } from '../stac/item.js';
import type { ShapeData } from '../stac/parquet-schema.js';

export type SinkKind = 'directory' | 'ndjson' | 'parquet';

export interface SinkTarget {
  kind: SinkKind;
  path: string;
}

export interface SinkOptions {
  /** The source's collection: written as `collection.json` of the folder with its id. */
  collection?: StacCollection | null;
  /** The collection of Items that name none (default: the source collection's id, else `collection`). */
  collectionId?: string;
}

/** One writer into the target (the caller's, or one per worker). */
export interface SinkWriter {
  /**
   * Why this Item cannot be written here (an id or collection id that is not a safe file name), or
   * null. The pipeline counts such an Item as a failure and does not write it; `write` refuses it too.
   */
  refuse(item: StacItem): string | null;
  /** Serializes one Item: synchronous, timed as the serialize stage. */
  serialize(item: StacItem): Uint8Array;
  /**
   * Writes one serialized Item; resolves 'duplicate' (nothing written) when its id was written
   * already. Rejects (SinkError naming the path) on a write error.
   */
  write(item: StacItem, bytes: Uint8Array): Promise<'written' | 'duplicate'>;
  /** Flushes; returns what this writer wrote (ids count, extent) for finishSink. */
  close(): Promise<SinkPart>;
  /** Stops after an error or abort: no partial Item file remains (temp files removed). */
  abort(): Promise<void>;
}

export interface SinkExtent {
  bbox: number[] | null;
  interval: [string | null, string | null];
}

/** What one writer wrote, handed to finishSink (plain data: it may cross threads). */
export interface SinkPart {
  written: number;
  duplicates: number;
  extent: SinkExtent;
  /** Per collection id: Items written and their extent (directory: one collection.json each). */
  collections: Record<string, { written: number; extent: SinkExtent }>;
  /**
   * ndjson and parquet: this writer's part (temp) file, and (writers with a shard number) the key
   * (collection + id) of each line or row, and (ndjson) each line's byte length.
   */
  partFile?: string;
  keys?: string[];
  lengths?: number[];
  /** parquet: the writer's schema (top-level columns) and the geometry types it wrote. */
  parquet?: { columns: [string, ShapeData][]; geometryTypes: string[] };
}

export interface SinkSummary {
  path: string;
  kind: SinkKind;
  written: number;
  duplicates: number;
}

/** A sink that cannot write: names the path and the reason (never the Item's bytes). */
export class SinkError extends Error {
  override readonly name = 'SinkError';
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason}`, options);
  }
}
