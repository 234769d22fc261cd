/**
 * `update`: sets or deletes properties, rewrites asset hrefs under a new base URL, and sets the
 * `self`, `root`, `parent` and `collection` links for the stac-manager layout
 * (`{base}/{collection}/items/{id}.json`, `{base}/{collection}/collection.json`, which is also the
 * root: the sink writes no catalog above it).
 *
 * It never changes the Item it is given: it returns a new Item object with new `properties`,
 * `assets` and `links` where it changed them, sharing every unchanged part (geometry, untouched
 * assets) with the input, and sharing the property values given in the options between Items. So
 * an ingest that hands out shared objects is safe, and a later stage must treat an Item as
 * read-only or copy what it changes, as this one does.
 */
import { collectionOf, collectionPath, itemPath } from '../output/layout.js';
import type { Asset, Link, StacItem } from '../stac/item.js';
import type { Transform, TransformOptions, TransformResult } from './types.js';

const LINK_RELS = new Set(['self', 'root', 'parent', 'collection']);
const SCHEME = /^[a-z][a-z\d+.-]*:/i;

/** An absolute http(s) URL without its trailing `/`; a TypeError naming the option otherwise. */
function baseOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`update: ${name} must be an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`update: ${name} must be an http(s) URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The path of the layout as a URL path: each segment percent-encoded. */
function urlPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function updateTransform(options: TransformOptions = {}): Transform {
  const properties = options.properties ? Object.entries(options.properties) : null;
  const assetBase = baseOption('assetBaseUrl', options.assetBaseUrl);
  const assetFrom = baseOption('assetFrom', options.assetFrom);
  if (assetFrom !== undefined && assetBase === undefined) {
    throw new TypeError('update: assetFrom needs assetBaseUrl');
  }
  const base = baseOption('baseUrl', options.baseUrl);
  const fallback = options.collectionId;

  /** The new href of an asset, or the same string when it is left alone. */
  const rewrite = (href: string): string => {
    if (assetFrom !== undefined && (href === assetFrom || href.startsWith(`${assetFrom}/`))) {
      return `${assetBase}${href.slice(assetFrom.length)}`;
    }
    if (SCHEME.test(href) || href.startsWith('//')) return href;
    // Relative: resolved under the base as a folder (a leading `./` or `/` stays under it).
    return new URL(href.replace(/^(\.\/|\/)+/, ''), `${assetBase}/`).href;
  };

  return {
    name: 'update',
    apply(item: StacItem): TransformResult {
      const out: StacItem = { ...item };
      if (properties) {
        const props = { ...item.properties };
        for (const [key, value] of properties) {
          if (value === null) delete props[key];
          else props[key] = value;
        }
        out.properties = props;
      }
      if (assetBase !== undefined && item.assets && typeof item.assets === 'object') {
        const assets: Record<string, Asset> = {};
        for (const [key, asset] of Object.entries(item.assets)) {
          const href = asset && typeof asset.href === 'string' ? rewrite(asset.href) : undefined;
          assets[key] = href === undefined || href === asset.href ? asset : { ...asset, href };
        }
        out.assets = assets;
      }
      if (base !== undefined) {
        const collection = collectionOf(item, fallback);
        const collectionUrl = `${base}/${urlPath(collectionPath(collection))}`;
        const kept = Array.isArray(item.links) ? item.links.filter((l) => !LINK_RELS.has(l?.rel)) : [];
        const links: Link[] = [
          {
            rel: 'self',
            href: `${base}/${urlPath(itemPath(collection, item.id))}`,
            type: 'application/geo+json',
          },
          { rel: 'root', href: collectionUrl, type: 'application/json' },
          { rel: 'parent', href: collectionUrl, type: 'application/json' },
          { rel: 'collection', href: collectionUrl, type: 'application/json' },
          ...kept,
        ];
        out.links = links;
      }
      return { item: out };
    },
  };
}
