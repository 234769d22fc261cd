/**
 * Item cursors: every form in which a job's Items wait to be decoded, behind one interface. The
 * caller's iterator (run/item-stream.ts) holds one cursor at a time and pulls Items from it
 * synchronously; decoding happens in `next()`, one Item at a time, so a batch's Items are not all
 * alive at once. One implementation per form: parsed Items, JSON texts, scanned byte slices (NDJSON
 * lines, FeatureCollection features), a streamed FeatureCollection (its next chunk read while the
 * current one is parsed), a batch of files' bytes, Parquet record batches.
 */
import type { StacItem } from '../../stac/item.js';
import type { FailureCollector } from '../types.js';
import { type FeatureSlices, isFailure, parseSlice, sliceCount } from './feature-scan.js';
import type { PartSource } from './feature-stream.js';
import { type FileBytes, FileBytesReader } from './file-bytes.js';
import type { ItemChunks } from './parquet.js';

export interface ItemCursor {
  /** The next Item, or null when this cursor has no more at hand; what is not an Item goes to `failures`. */
  next(failures: FailureCollector): StacItem | null;
  /**
   * Only cursors whose Items arrive in parts (a streamed FeatureCollection): waits for the next
   * part; false at the end. Its failures go to `failures`.
   */
  more?(failures: FailureCollector): Promise<boolean>;
  /** Gives back what the cursor holds (read buffers) and stops reading behind it; idempotent. */
  release(): Promise<void> | void;
}

class NoItems implements ItemCursor {
  next(): null {
    return null;
  }
  release(): void {}
}

/** The cursor of a result without Items (a catalog document, a failed read). */
export const NO_ITEMS: ItemCursor = new NoItems();

export class ItemsCursor implements ItemCursor {
  private i = 0;
  constructor(private readonly items: StacItem[]) {}
  next(): StacItem | null {
    return this.i < this.items.length ? this.items[this.i++]! : null;
  }
  release(): void {}
}

/** Items handed over as JSON texts by a worker, parsed one at a time as the caller pulls. */
export class TextsCursor implements ItemCursor {
  private i = 0;
  constructor(private readonly texts: string[]) {}
  next(): StacItem | null {
    return this.i < this.texts.length ? (JSON.parse(this.texts[this.i++]!) as StacItem) : null;
  }
  release(): void {}
}

/** Scanned documents (NDJSON ranges, FeatureCollection features): each slice parsed as it is pulled. */
export class SlicesCursor implements ItemCursor {
  private doc = 0;
  private i = 0;
  constructor(private readonly all: FeatureSlices[]) {}

  next(failures: FailureCollector): StacItem | null {
    const all = this.all;
    while (this.doc < all.length) {
      const current = all[this.doc]!;
      while (this.i < sliceCount(current)) {
        const v = parseSlice(current, this.i++);
        if (!isFailure(v)) return v;
        failures.add(v.source, v.reason);
      }
      // Every slice parsed (the Items hold copies): the bytes may be read into again.
      current.release?.();
      this.doc++;
      this.i = 0;
    }
    return null;
  }

  release(): void {
    for (let d = this.doc; d < this.all.length; d++) this.all[d]!.release?.();
    this.doc = this.all.length;
  }
}

/** A FeatureCollection streamed chunk by chunk: the current chunk's features, then the next chunk's. */
export class StreamCursor implements ItemCursor {
  private current: SlicesCursor | null;
  constructor(
    first: FeatureSlices | null,
    private readonly parts: PartSource,
  ) {
    this.current = first ? new SlicesCursor([first]) : null;
  }

  next(failures: FailureCollector): StacItem | null {
    return this.current?.next(failures) ?? null;
  }

  async more(failures: FailureCollector): Promise<boolean> {
    const part = await this.parts.next();
    if (part === null) return false;
    for (const f of part.failures) failures.add(f.source, f.reason);
    this.current = part.slices ? new SlicesCursor([part.slices]) : null;
    return true;
  }

  release(): Promise<void> {
    this.current?.release();
    return this.parts.close();
  }
}

/** A batch of files' bytes read by a worker, each file decoded and parsed as the caller pulls it. */
export class FileBytesCursor implements ItemCursor {
  private readonly reader: FileBytesReader;
  private several: StacItem[] = [];
  private i = 0;
  constructor(fb: FileBytes) {
    this.reader = new FileBytesReader(fb);
  }

  next(failures: FailureCollector): StacItem | null {
    while (true) {
      if (this.i < this.several.length) return this.several[this.i++]!;
      const next = this.reader.next(failures);
      if (next === null) return null;
      if (!Array.isArray(next)) return next;
      this.several = next;
      this.i = 0;
    }
  }

  release(): void {
    this.reader.release();
  }
}

/** Parquet rows rebuilt into Items a record batch at a time as the caller pulls. */
export class ChunksCursor implements ItemCursor {
  private items: StacItem[] = [];
  private i = 0;
  private done = false;
  constructor(private readonly chunks: ItemChunks) {}

  next(failures: FailureCollector): StacItem | null {
    while (true) {
      if (this.i < this.items.length) return this.items[this.i++]!;
      if (this.done) return null;
      const chunk = this.chunks.next();
      if (chunk === null) {
        this.done = true;
        this.items = [];
        return null;
      }
      for (const f of chunk.failures) failures.add(f.source, f.reason);
      this.items = chunk.items;
      this.i = 0;
    }
  }

  release(): void {
    this.done = true;
    this.items = [];
  }
}

/** Several cursors one after another (parsed Items beside a scanned collection in one result). */
export class JoinedCursor implements ItemCursor {
  private k = 0;
  constructor(private readonly parts: ItemCursor[]) {}
  next(failures: FailureCollector): StacItem | null {
    while (this.k < this.parts.length) {
      const item = this.parts[this.k]!.next(failures);
      if (item !== null) return item;
      this.k++;
    }
    return null;
  }
  release(): void {
    for (const p of this.parts) void p.release();
  }
}
