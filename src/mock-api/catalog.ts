/**
 * What the local STAC API serves: collections of items held in memory, each item pre-serialised
 * once (its JSON as UTF-8 bytes, links pointing at this server) so that a page is a copy of bytes
 * and costs the server little CPU on a machine it shares with the client under test (several
 * times less than joining strings and encoding them per request).
 */
import { collectionFor, ExtentAccumulator, generateItems } from '../fixtures/profiles.js';
import { itemTimeRange } from '../ingest/api/time.js';
import type { ItemProfile, Link, StacCollection, StacItem } from '../stac/item.js';
import type { Matchable } from './search.js';

/** One served item: what the matcher reads, and its JSON text as UTF-8 bytes (copied into pages as is). */
export interface CatalogItem extends Matchable {
  json: Buffer;
}

export interface CatalogCollection {
  /** The Collection document without its links (added per request). */
  doc: StacCollection;
  items: CatalogItem[];
  /** Items by id (a Map: no prototype keys reachable by a crafted id). */
  byId: Map<string, CatalogItem>;
}

/** Items of one collection to serve, and how to describe them once their extent is known. */
export interface CollectionSource {
  id: string;
  items: Iterable<StacItem> | AsyncIterable<StacItem>;
  /** Builds the Collection document from the items' extent; a plain one is made otherwise. */
  describe?: (extent: StacCollection['extent'], count: number) => StacCollection;
}

export interface Catalog {
  baseUrl: string;
  collections: Map<string, CatalogCollection>;
}

const SERVER_RELS = new Set(['self', 'parent', 'collection', 'root']);

function serverLinks(baseUrl: string, collectionId: string, id: string): Link[] {
  const collectionUrl = `${baseUrl}/collections/${encodeURIComponent(collectionId)}`;
  return [
    { rel: 'self', href: `${collectionUrl}/items/${encodeURIComponent(id)}`, type: 'application/geo+json' },
    { rel: 'parent', href: collectionUrl, type: 'application/json' },
    { rel: 'collection', href: collectionUrl, type: 'application/json' },
    { rel: 'root', href: `${baseUrl}/`, type: 'application/json' },
  ];
}

function bbox4(b: number[] | undefined): [number, number, number, number] | null {
  if (!b || (b.length !== 4 && b.length !== 6)) return null;
  const half = b.length / 2;
  return [b[0]!, b[1]!, b[half]!, b[half + 1]!];
}

/** Pre-serialises an item for this server: its collection set, its own links pointing here. */
export function catalogItem(item: StacItem, collectionId: string, baseUrl: string): CatalogItem {
  const own = (item.links ?? []).filter((l) => !SERVER_RELS.has(l.rel));
  const served: StacItem = {
    ...item,
    collection: collectionId,
    links: [...serverLinks(baseUrl, collectionId, item.id), ...own],
  };
  const { start, end } = itemTimeRange(item);
  return { id: item.id, start, end, bbox: bbox4(item.bbox), json: Buffer.from(JSON.stringify(served)) };
}

function plainCollection(id: string, extent: StacCollection['extent'], count: number): StacCollection {
  return {
    type: 'Collection',
    stac_version: '1.1.0',
    id,
    description: `${count} items served by the stac-ingest-bench local STAC API.`,
    license: 'other',
    extent,
    links: [],
  };
}

/** Reads every source once and builds the catalog. Duplicate item ids in a collection are an error. */
export async function buildCatalog(sources: readonly CollectionSource[], baseUrl: string): Promise<Catalog> {
  const base = baseUrl.replace(/\/+$/, '');
  const collections = new Map<string, CatalogCollection>();
  for (const source of sources) {
    if (collections.has(source.id)) throw new Error(`collection '${source.id}' is given twice`);
    const acc = new ExtentAccumulator();
    const items: CatalogItem[] = [];
    const byId = new Map<string, CatalogItem>();
    for await (const item of source.items) {
      if (typeof item?.id !== 'string') throw new Error(`an item of collection '${source.id}' has no id`);
      if (byId.has(item.id)) throw new Error(`item id '${item.id}' appears twice in '${source.id}'`);
      acc.add(item);
      const served = catalogItem(item, source.id, base);
      items.push(served);
      byId.set(item.id, served);
    }
    const extent = acc.extent();
    const doc = source.describe?.(extent, items.length) ?? plainCollection(source.id, extent, items.length);
    collections.set(source.id, { doc: { ...doc, id: source.id, links: [] }, items, byId });
  }
  return { baseUrl: base, collections };
}

/** A collection of generated items (the fixtures' profiles): same seed, same items. */
export function generatedSource(opts: {
  id: string;
  count: number;
  profile?: ItemProfile;
  seed?: number;
}): CollectionSource {
  const gen = {
    profile: opts.profile ?? 'small',
    count: opts.count,
    seed: opts.seed ?? 42,
    collectionId: opts.id,
  };
  return {
    id: opts.id,
    items: generateItems(gen),
    describe: (extent) => collectionFor(gen, extent),
  };
}

/**
 * Groups a stream of items (e.g. any file source the ingest library reads) into collections by
 * their `collection` field; items without one go to `fallbackId`.
 */
export async function sourcesFromItems(
  items: AsyncIterable<StacItem>,
  fallbackId: string,
): Promise<CollectionSource[]> {
  const groups = new Map<string, StacItem[]>();
  for await (const item of items) {
    const id = typeof item.collection === 'string' && item.collection ? item.collection : fallbackId;
    const group = groups.get(id);
    if (group) group.push(item);
    else groups.set(id, [item]);
  }
  return [...groups].map(([id, list]) => ({ id, items: list }));
}
