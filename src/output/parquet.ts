/**
 * The stac-geoparquet sink: Items as rows of one stac-geoparquet 1.1 file (one writer), or of a
 * dataset folder of `part-0000N.parquet` files (writers opened with a shard number), written with
 * hyparquet-writer (the writer the Parquet benchmark chose; see README) a row group at a time, so
 * memory holds a row group or two, never the file.
 *
 * The schema rule (one schema per output):
 * - A writer chooses its schema before its first row group, from the source's collection
 *   (`item_assets`: asset fields) and its first batch of Items, its first row group (the union of
 *   their shapes: every property seen is a column, a struct holds every field seen).
 * - A row group holds ROW_GROUP_ROWS Items, or fewer when they are large: about ROW_GROUP_BYTES of
 *   Item JSON, estimated from a sample of the Items' JSON lengths.
 * - A later Item that does not fit (a property, asset or link field not in the schema, or a value of
 *   another type) is a counted failure naming it (`refuse`); it is not written.
 * - Shards choose from their own first batches; finishSink unifies them: a part whose schema is not
 *   the union of all parts' (a column it lacks, a type that differs: such a column becomes JSON text)
 *   is rewritten with the union, so every file of the dataset has one schema.
 *
 * Each writer writes a hidden temp file beside the target; only finishSink puts a file (renamed) or
 * a folder (built beside it, then renamed) at the target path, so an interrupted run leaves
 * nothing there a reader would take for complete. The first copy of an id (collection + id) is
 * kept: later copies in a writer are duplicates, and across shards finishSink drops them from the
 * later parts (rewriting them).
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { DEFAULT_PARQUET_READER, openParquet } from '../ingest/decode/parquet-readers.js';
import {
  GeoparquetMappingError,
  type GeoparquetRow,
  ITEM_COLUMNS,
  itemToRow,
  rowToItem,
} from '../stac/geoparquet.js';
import { geoMetadata, geometryType, stacGeoparquetMetadata } from '../stac/geoparquet-meta.js';
import type { StacCollection, StacItem } from '../stac/item.js';
import {
  absorb,
  columnData,
  fileSchema,
  mergeColumns,
  misfit,
  type Shape,
  type ShapeData,
  shapeFromData,
  shapeToData,
} from '../stac/parquet-schema.js';
import { fallbackCollection, generatedCollection } from './directory.js';
import { countWritten, emptyExtent } from './extent.js';
import { collectionOf, MARKER } from './layout.js';
import { partPrefix } from './ndjson.js';
import { SinkError, type SinkOptions, type SinkPart, type SinkWriter } from './types.js';

/** Rows per row group at most, and the first batch a schema is chosen from. */
export const ROW_GROUP_ROWS = 1000;
/**
 * About this much Item JSON per row group at most: large Items make smaller groups, so a group's
 * rows (alive until it is encoded) fit a bounded heap whatever the Items' size.
 */
export const ROW_GROUP_BYTES = 16 << 20;
/** Every SIZE_SAMPLE-th Item's JSON length (the first's too) estimates the Items' size. */
const SIZE_SAMPLE = 64;

const NO_BYTES = new Uint8Array(0);

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** What a Parquet writer adds to its SinkPart: its schema and geometry types (plain data). */
export interface ParquetPartInfo {
  columns: [string, ShapeData][];
  geometryTypes: string[];
}

/**
 * A hyparquet-writer Writer over a file being opened: each row group's bytes are copied out of the
 * (reused) buffer and written in order, one write after another, once the file is open. Groups
 * are encoded without waiting for the opening, so a group waiting for it holds only its bytes.
 */
class HandleWriter extends ByteWriter {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly handle: Promise<FileHandle>) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    const bytes = Buffer.from(new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
    const handle = this.handle;
    this.pending = this.pending.then(async () => writeAll(await handle, bytes));
    return this.pending;
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at, null);
    at += bytesWritten;
  }
}

/** The columns the collection says Items have: `assets` with the fields of its `item_assets`. */
function collectionColumns(collection: StacCollection | null | undefined): Map<string, Shape> {
  const columns = new Map<string, Shape>();
  const itemAssets = collection?.item_assets;
  if (itemAssets && typeof itemAssets === 'object' && !Array.isArray(itemAssets)) {
    let assets: Shape = { kind: 'struct', fields: new Map() };
    for (const [key, asset] of Object.entries(itemAssets as Record<string, unknown>)) {
      if (asset && typeof asset === 'object' && !Array.isArray(asset)) {
        // item_assets describe assets without their href: every asset has one.
        assets = absorb(assets, { [key]: { href: '', ...(asset as Record<string, unknown>) } });
      }
    }
    columns.set('assets', assets);
  }
  return columns;
}

/**
 * One Parquet file of rows with a fixed schema, written row group by row group into a temp file:
 * `open` starts opening it, `writeGroup` encodes a group at once (synchronously) and resolves when
 * its bytes are in the file.
 */
class ParquetFile {
  private writer: ParquetWriter | null = null;
  private handle: Promise<FileHandle> | null = null;
  private readonly schema: ReturnType<typeof fileSchema>;

  constructor(
    readonly path: string,
    readonly columns: Map<string, Shape>,
  ) {
    this.schema = fileSchema(columns.size > 0 ? columns : new Map([['id', { kind: 'string' }]]));
  }

  /** Starts opening the file; a failure to open rejects the first group's write. */
  open(): this {
    this.handle = open(this.path, 'wx');
    this.handle.catch(() => undefined); // seen by writeGroup, finish or abort
    this.writer = new ParquetWriter({
      writer: new HandleWriter(this.handle),
      schema: this.schema.schema,
      codec: 'SNAPPY',
      createdBy: 'stac-ingest-bench',
    });
    return this;
  }

  writeGroup(rows: readonly GeoparquetRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const written = this.writer!.write({
      columnData: columnData(rows, this.schema.names, this.columns),
      rowGroupSize: rows.length,
    });
    return written ?? Promise.resolve();
  }

  /** Writes the footer with the metadata, flushes to disk and closes. */
  async finish(kv: { key: string; value: string }[]): Promise<void> {
    this.writer!.kvMetadata = kv;
    await this.writer!.finish();
    const handle = await this.handle!;
    await handle.sync();
    await handle.close();
    this.handle = null;
  }

  async abort(): Promise<void> {
    const handle = await this.handle?.catch(() => null);
    await handle?.close().catch(() => undefined);
    this.handle = null;
    await rm(this.path, { force: true });
  }
}

/** The key-value metadata of a file: `geo` and `stac-geoparquet` (collections by id). */
function fileMetadata(
  columns: ReadonlyMap<string, Shape>,
  geometryTypes: Iterable<string>,
  part: Pick<SinkPart, 'extent' | 'collections'>,
  options: SinkOptions,
): { key: string; value: string }[] {
  const collections: Record<string, StacCollection> = {};
  for (const [id, entry] of Object.entries(part.collections)) {
    collections[id] =
      options.collection?.id === id ? options.collection : generatedCollection(id, entry.extent);
  }
  const bbox = columns.get('bbox');
  return [
    { key: 'geo', value: geoMetadata(geometryTypes, part.extent.bbox, bbox?.kind === 'struct') },
    { key: 'stac-geoparquet', value: stacGeoparquetMetadata(collections) },
  ];
}

export class ParquetSinkWriter implements SinkWriter {
  private readonly fallback: string | undefined;
  private readonly file: string;
  /**
   * The last Item `refuse` or `serialize` mapped and its row, taken by `write`: the stage loop calls
   * the three in turn for one Item, so one slot saves mapping it twice (another order maps again).
   */
  private held: StacItem | null = null;
  private heldRow: GeoparquetRow | null = null;
  /** `refuse` checked the held row against the chosen schema (`write` checks it otherwise). */
  private heldFits = false;
  private batch: GeoparquetRow[] = [];
  /** Items measured for the size estimate, and their JSON length in all. */
  private sampled = 0;
  private sampledBytes = 0;
  private added = 0;
  /** Rows of the first group (the batch the schema was chosen from), once written. */
  private schemaRows = 0;
  /** The first batch's shape until the schema is chosen; then the schema (top-level columns). */
  private columns: Map<string, Shape>;
  private out: ParquetFile | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private error: SinkError | null = null;
  /** Ids written, by collection: the Item's own strings, no key built per Item. */
  private readonly seen = new Map<string, Set<string>>();
  private readonly record: boolean;
  /** With a shard number: each row's collection and id, in row order (SinkPart.keys at close). */
  private readonly rowCollections: string[] = [];
  private readonly rowIds: string[] = [];
  private readonly geometryTypes = new Set<string>();
  private readonly part: SinkPart = { written: 0, duplicates: 0, extent: emptyExtent(), collections: {} };

  constructor(
    private readonly path: string,
    private readonly options: SinkOptions,
    shard?: number,
  ) {
    this.fallback = fallbackCollection(options);
    this.record = shard !== undefined;
    this.file = join(
      dirname(path),
      `${partPrefix(path)}${shard ?? 0}-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    this.columns = collectionColumns(options.collection);
  }

  /** The row of an Item, made once. */
  private rowOf(item: StacItem): GeoparquetRow {
    if (this.held === item) return this.heldRow!;
    const row = itemToRow(item);
    this.held = item;
    this.heldRow = row;
    this.heldFits = false;
    return row;
  }

  refuse(item: StacItem): string | null {
    if (typeof item.id !== 'string' || item.id === '') return 'id is not a non-empty string';
    let row: GeoparquetRow;
    try {
      row = this.rowOf(item);
    } catch (e) {
      if (e instanceof GeoparquetMappingError) return e.message;
      throw e;
    }
    for (const key in row) {
      const value = row[key];
      if (value instanceof Date && Number.isNaN(value.getTime()))
        return `property '${key}' is not a date-time`;
    }
    if (this.out === null) return null;
    const problem = this.doesNotFit(row);
    this.heldFits = problem === null;
    return problem;
  }

  /** Why a row does not fit the chosen schema, naming the property or field, or null. */
  private doesNotFit(row: GeoparquetRow): string | null {
    for (const key in row) {
      const value = row[key];
      if (value === null || value === undefined) continue;
      const what = ITEM_COLUMNS.has(key) ? key : `property '${key}'`;
      const shape = this.columns.get(key);
      const problem = shape === undefined ? `${what} is not in the schema` : misfit(shape, value, key);
      if (problem !== null) {
        const named =
          shape === undefined || !problem.startsWith(key) ? problem : `${what}${problem.slice(key.length)}`;
        return `${named} (the Parquet schema was chosen from the first ${this.schemaRows} Items)`;
      }
    }
    return null;
  }

  serialize(item: StacItem): Uint8Array {
    // Columnar: the row waits for its row group; the Item -> row mapping is this stage's work.
    this.rowOf(item);
    return NO_BYTES;
  }

  async write(item: StacItem, _bytes: Uint8Array): Promise<'written' | 'duplicate'> {
    if (this.error) throw this.error;
    const added = this.add(item);
    if (added !== 'full') return added;
    this.flush();
    await this.flushing;
    if (this.error) throw this.error;
    return 'written';
  }

  /**
   * Puts an Item's row in the batch (synchronous, so that a write waiting for its group's bytes
   * holds no row): `full` when the batch is a row group.
   */
  private add(item: StacItem): 'written' | 'duplicate' | 'full' {
    if (this.held !== item || (this.out !== null && !this.heldFits)) {
      const problem = this.refuse(item);
      if (problem !== null) throw new SinkError(this.path, `cannot write an Item: ${problem}`);
    }
    // refuse found no problem: the row is held.
    const row = this.heldRow!;
    this.held = null;
    this.heldRow = null;
    const collection = collectionOf(item, this.fallback);
    let ids = this.seen.get(collection);
    if (ids === undefined) {
      ids = new Set();
      this.seen.set(collection, ids);
    }
    if (ids.has(item.id)) {
      this.part.duplicates++;
      return 'duplicate';
    }
    ids.add(item.id);
    if (this.record) {
      this.rowCollections.push(collection);
      this.rowIds.push(item.id);
    }
    if (this.out === null) absorb({ kind: 'struct', fields: this.columns }, row);
    this.batch.push(row);
    countWritten(this.part, collection, item);
    const type = geometryType(item);
    if (type) this.geometryTypes.add(type);
    if (this.added++ % SIZE_SAMPLE === 0) {
      this.sampled++;
      this.sampledBytes += JSON.stringify(item).length;
    }
    const rows = this.batch.length;
    const full = rows >= ROW_GROUP_ROWS || rows * (this.sampledBytes / this.sampled) >= ROW_GROUP_BYTES;
    return full ? 'full' : 'written';
  }

  /**
   * Chooses the schema (first call) and writes the batch as one row group: encoded now, on this
   * thread (so the pipeline times it as its write stage), its bytes written in order after the
   * earlier groups'. The first call starts opening the temp file.
   */
  private flush(): void {
    const rows = this.batch;
    this.batch = [];
    if (this.out === null) {
      this.schemaRows = rows.length;
      this.out = new ParquetFile(this.file, this.columns).open();
    }
    this.flushing = this.encode(rows);
  }

  /**
   * Encodes a group now and chains the wait for its bytes. No closure here captures `rows`: many
   * groups' bytes may wait for the file's opening or the disk at once (the pipeline keeps several
   * writes pending, and its loop need not yield to I/O while Items are at hand), and each must
   * hold only its bytes.
   */
  private encode(rows: GeoparquetRow[]): Promise<void> {
    const previous = this.flushing;
    let encoded: Promise<void> = Promise.resolve();
    try {
      if (this.error === null) encoded = this.out!.writeGroup(rows);
    } catch (e) {
      this.fail(e);
    }
    return Promise.all([previous, encoded]).then(
      () => undefined,
      (e) => this.fail(e),
    );
  }

  private fail(e: unknown): void {
    this.error ??= new SinkError(this.path, `cannot write (${code(e)})`, { cause: e });
  }

  async close(): Promise<SinkPart> {
    this.flush();
    await this.flushing;
    if (this.error) throw this.error;
    try {
      await this.out!.finish(fileMetadata(this.columns, this.geometryTypes, this.part, this.options));
    } catch (e) {
      await this.out!.abort();
      throw new SinkError(this.path, `cannot write (${code(e)})`, { cause: e });
    }
    const parquet: ParquetPartInfo = {
      columns: [...this.columns].map(([k, s]) => [k, shapeToData(s)]),
      geometryTypes: [...this.geometryTypes],
    };
    const keys = this.record
      ? this.rowIds.map((id, i) => datasetKey(this.rowCollections[i]!, id))
      : undefined;
    return { ...this.part, partFile: this.file, parquet, ...(keys ? { keys } : {}) };
  }

  async abort(): Promise<void> {
    this.error ??= new SinkError(this.path, 'the writer was aborted');
    await this.flushing;
    await this.out?.abort();
    await rm(this.file, { force: true });
  }
}

/** A row's identity across a dataset's parts: collection and id. */
function datasetKey(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

/** The name of the i-th file of a dataset folder. */
export function datasetPartName(i: number): string {
  return `part-${String(i).padStart(5, '0')}.parquet`;
}

/**
 * Puts the output in place: one writer's file renamed to `path`, or (writers with shard numbers) a
 * dataset folder of `part-0000N.parquet` with one schema, built beside `path` and renamed over it.
 */
export async function finishParquet(
  path: string,
  parts: readonly SinkPart[],
  options: SinkOptions,
): Promise<{ written: number; duplicates: number }> {
  let written = parts.reduce((n, p) => n + p.written, 0);
  let duplicates = parts.reduce((n, p) => n + p.duplicates, 0);
  try {
    if (parts.length === 1 && parts[0]!.keys === undefined) {
      await replace(path, async (temp) => rename(parts[0]!.partFile!, temp));
      return { written, duplicates };
    }
    const union = parts
      .map((p) => new Map((p.parquet?.columns ?? []).map(([k, s]) => [k, shapeFromData(s)])))
      .reduce<Map<string, Shape>>((a, b) => mergeColumns(a, b), new Map());
    const unionText = JSON.stringify([...union].map(([k, s]) => [k, shapeToData(s)]));
    const seen = new Set<string>();
    await replace(path, async (folder) => {
      await mkdir(folder);
      await writeFile(join(folder, MARKER), 'A stac-geoparquet dataset written by benchmark-ingest.\n');
      for (const [i, part] of parts.entries()) {
        const keys = part.keys ?? [];
        const drop = new Set<number>();
        keys.forEach((key, row) => {
          if (seen.has(key)) drop.add(row);
          else seen.add(key);
        });
        const target = join(folder, datasetPartName(i));
        if (drop.size === 0 && JSON.stringify(part.parquet?.columns ?? []) === unionText) {
          await rename(part.partFile!, target);
          continue;
        }
        const kept = await rewritePart(part, union, drop, target, options);
        written -= part.written - kept;
        duplicates += drop.size;
      }
    });
    await Promise.all(parts.map((p) => rm(p.partFile!, { force: true })));
    return { written, duplicates };
  } catch (e) {
    throw e instanceof SinkError ? e : new SinkError(path, `cannot write (${code(e)})`, { cause: e });
  }
}

/**
 * Makes `path` by building it at a temp sibling (`build` gets its name), then renaming it into
 * place; an earlier output there (a file, or a dataset folder prepareSink accepted) is moved aside
 * first and removed once the new one is in place.
 */
async function replace(path: string, build: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await build(temp);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  const earlier = await stat(path).catch(() => null);
  if (!earlier) {
    await rename(temp, path);
    return;
  }
  const aside = `${temp}-old`;
  await rename(path, aside);
  await rename(temp, path);
  await rm(aside, { recursive: true, force: true });
}

/**
 * A part rewritten with the dataset's schema, row group by row group, leaving out the rows in
 * `drop` (ids an earlier part holds); returns the rows kept. Rows are read back with the ingest's
 * Parquet reader and rebuilt into Items, as any reader of the file would.
 */
async function rewritePart(
  part: SinkPart,
  columns: Map<string, Shape>,
  drop: ReadonlySet<number>,
  target: string,
  options: SinkOptions,
): Promise<number> {
  const source = await openParquet(part.partFile!, DEFAULT_PARQUET_READER);
  const out = new ParquetFile(target, columns).open();
  const kept: Pick<SinkPart, 'extent' | 'collections'> & { written: number; duplicates: number } = {
    written: 0,
    duplicates: 0,
    extent: emptyExtent(),
    collections: {},
  };
  const fallback = fallbackCollection(options);
  let row = 0;
  try {
    for (let g = 0; g < source.rowGroupRows.length; g++) {
      const rows: GeoparquetRow[] = [];
      for (const read of await source.readRowGroups([g])) {
        if (!drop.has(row++)) {
          const item = rowToItem(read);
          rows.push(itemToRow(item));
          countWritten(kept as SinkPart, collectionOf(item, fallback), item);
        }
      }
      await out.writeGroup(rows);
    }
    await out.finish(fileMetadata(columns, part.parquet?.geometryTypes ?? [], kept, options));
  } catch (e) {
    await out.abort();
    throw e;
  }
  return kept.written;
}
