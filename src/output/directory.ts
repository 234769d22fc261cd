/**
 * The items-directory sink: `{path}/{collection_id}/items/{id}.json` and one
 * `{path}/{collection_id}/collection.json` per collection written.
 *
 * Each Item is written to a hidden temp file in its items folder, then made final with `link`, which
 * fails with EEXIST when the name exists: the first writer to link an id wins and every later copy
 * (from this writer or another one sharing the folder) is a counted duplicate, its temp removed.
 * A final name therefore only ever holds a complete file. Files are not fsynced one by one (atomic
 * visibility is the point, not durability across a power cut).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StacCollection, StacItem } from '../stac/item.js';
import { writeFileAtomic } from './atomic.js';
import { countWritten, emptyExtent, mergeExtent } from './extent.js';
import { collectionOf, collectionPath, itemNameProblem } from './layout.js';
import { SinkError, type SinkExtent, type SinkOptions, type SinkPart, type SinkWriter } from './types.js';

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** The collection id of Items that name none: the options', else the source collection's. */
export function fallbackCollection(options: SinkOptions): string | undefined {
  return options.collectionId ?? options.collection?.id ?? undefined;
}

export class DirectoryWriter implements SinkWriter {
  private readonly fallback: string | undefined;
  /** Items folders created (or being created), by collection id. */
  private readonly folders = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly temps = new Set<string>();
  private readonly part: SinkPart = { written: 0, duplicates: 0, extent: emptyExtent(), collections: {} };
  /** Temp names: this process, this writer, a counter; never an id (ids can be long). */
  private readonly tag: string;
  private counter = 0;
  private stopped = false;

  constructor(
    private readonly root: string,
    options: SinkOptions,
    shard?: number,
  ) {
    this.fallback = fallbackCollection(options);
    this.tag = `.tmp-${process.pid}-${shard ?? 0}-${randomBytes(3).toString('hex')}`;
  }

  refuse(item: StacItem): string | null {
    return itemNameProblem(item, this.fallback);
  }

  serialize(item: StacItem): Uint8Array {
    return Buffer.from(JSON.stringify(item));
  }

  write(item: StacItem, bytes: Uint8Array): Promise<'written' | 'duplicate'> {
    const done = this.writeOne(item, bytes);
    this.inFlight.add(done);
    const forget = () => this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  private async writeOne(item: StacItem, bytes: Uint8Array): Promise<'written' | 'duplicate'> {
    if (this.stopped) throw new SinkError(this.root, 'the writer was closed');
    const problem = this.refuse(item);
    if (problem !== null) throw new SinkError(this.root, `cannot file an Item: ${problem}`);
    const collection = collectionOf(item, this.fallback);
    const folder = join(this.root, collection, 'items');
    await this.folder(collection, folder);
    const temp = join(folder, `${this.tag}-${this.counter++}`);
    const final = join(folder, `${item.id}.json`);
    this.temps.add(temp);
    let duplicate = false;
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      try {
        await link(temp, final);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        duplicate = true;
      }
    } catch (e) {
      throw new SinkError(final, `cannot write (${code(e)})`, { cause: e });
    } finally {
      await rm(temp, { force: true }).catch(() => undefined);
      this.temps.delete(temp);
    }
    if (duplicate) {
      this.part.duplicates++;
      return 'duplicate';
    }
    countWritten(this.part, collection, item);
    return 'written';
  }

  private folder(collection: string, folder: string): Promise<void> {
    let made = this.folders.get(collection);
    if (!made) {
      made = mkdir(folder, { recursive: true }).then(
        () => undefined,
        (e) => {
          this.folders.delete(collection);
          throw new SinkError(folder, `cannot create the folder (${code(e)})`, { cause: e });
        },
      );
      this.folders.set(collection, made);
    }
    return made;
  }

  async close(): Promise<SinkPart> {
    await this.settle();
    this.stopped = true;
    return this.part;
  }

  async abort(): Promise<void> {
    this.stopped = true;
    await this.settle();
    // Each write removes its own temp; these are the ones a failed removal left.
    await Promise.all([...this.temps].map((t) => rm(t, { force: true }).catch(() => undefined)));
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/** The `collection.json` of each collection folder written: the source's, else one generated. */
export async function finishDirectory(
  root: string,
  parts: readonly SinkPart[],
  options: SinkOptions,
): Promise<void> {
  const collections = new Map<string, SinkExtent>();
  for (const part of parts) {
    for (const [id, entry] of Object.entries(part.collections)) {
      const extent = collections.get(id) ?? emptyExtent();
      mergeExtent(extent, entry.extent);
      collections.set(id, extent);
    }
  }
  for (const [id, extent] of collections) {
    const doc = options.collection?.id === id ? options.collection : generatedCollection(id, extent);
    const path = join(root, collectionPath(id));
    try {
      await writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (e) {
      throw new SinkError(path, `cannot write (${code(e)})`, { cause: e });
    }
  }
}

/** A Collection for Items whose source had none: the extent of the Items written. */
export function generatedCollection(id: string, extent: SinkExtent): StacCollection {
  return {
    type: 'Collection',
    stac_version: '1.1.0',
    id,
    description: `The Items of collection ${id}, written by benchmark-ingest.`,
    license: 'other',
    extent: {
      spatial: { bbox: [extent.bbox ?? [-180, -90, 180, 90]] },
      temporal: { interval: [[extent.interval[0], extent.interval[1]]] },
    },
    links: [],
  };
}
