import { describe, expect, it } from 'vitest';
import type { StacItem } from '../../src/stac/item.js';
import { loadTransforms, type Transform, type TransformResult } from '../../src/transform/index.js';
import { makeItem } from '../support/ingest-data.js';

function itemOf(result: TransformResult): StacItem {
  if ('failure' in result) throw new Error(`unexpected failure: ${result.failure}`);
  return result.item;
}

async function one(name: string, options = {}): Promise<Transform> {
  const [t] = await loadTransforms([name], options);
  return t!;
}

describe('loadTransforms', () => {
  it('loads the transforms named, in the order given', async () => {
    const names = (await loadTransforms(['validate', 'update'])).map((t) => t.name);
    expect(names).toEqual(['validate', 'update']);
  });

  it('refuses an unknown name with a RangeError listing the known ones', async () => {
    await expect(loadTransforms(['update', 'reproject'])).rejects.toThrow(
      new RangeError("unknown transform 'reproject'; known: update, validate"),
    );
  });
});

describe('the update transform', () => {
  it('sets and deletes properties without changing the Item it was given', async () => {
    const update = await one('update', { properties: { 'proc:level': 'L2', 'eo:cloud_cover': null } });
    const input = makeItem(4);
    const before = structuredClone(input);
    const out = itemOf(update.apply(input));
    expect(out.properties).toEqual({ datetime: input.properties.datetime, 'proc:level': 'L2' });
    expect(input).toEqual(before);
  });

  it('rewrites relative asset hrefs and those under assetFrom, and leaves other absolute ones', async () => {
    const update = await one('update', {
      assetBaseUrl: 'https://new.example.org/data/',
      assetFrom: 'https://old.example.com/bucket',
    });
    const input: StacItem = {
      ...makeItem(1),
      assets: {
        rel: { href: 'B01.tif' },
        dot: { href: './sub/B02.tif' },
        moved: { href: 'https://old.example.com/bucket/x/B03.tif', roles: ['data'] },
        lookalike: { href: 'https://old.example.com/bucketeer/B04.tif' },
        elsewhere: { href: 'https://cdn.example.net/B05.tif' },
      },
    };
    const before = structuredClone(input);
    const out = itemOf(update.apply(input));
    expect(Object.fromEntries(Object.entries(out.assets).map(([k, a]) => [k, a.href]))).toEqual({
      rel: 'https://new.example.org/data/B01.tif',
      dot: 'https://new.example.org/data/sub/B02.tif',
      moved: 'https://new.example.org/data/x/B03.tif',
      lookalike: 'https://old.example.com/bucketeer/B04.tif',
      elsewhere: 'https://cdn.example.net/B05.tif',
    });
    expect(out.assets.moved!.roles).toEqual(['data']);
    expect(input).toEqual(before);
  });

  it('sets self, root, parent and collection links for the output layout and keeps the other links', async () => {
    const update = await one('update', { baseUrl: 'https://stac.example.org/catalog/' });
    const input: StacItem = {
      ...makeItem(2),
      links: [
        { rel: 'self', href: 'https://old/self.json' },
        { rel: 'license', href: 'https://example.com/license' },
      ],
    };
    const out = itemOf(update.apply(input));
    const col = 'https://stac.example.org/catalog/test/collection.json';
    expect(out.links.map((l) => [l.rel, l.href])).toEqual([
      ['self', `https://stac.example.org/catalog/test/items/${input.id}.json`],
      ['root', col],
      ['parent', col],
      ['collection', col],
      ['license', 'https://example.com/license'],
    ]);
    expect(input.links).toHaveLength(2);
  });

  it('refuses a base URL that is not an absolute http(s) URL', async () => {
    await expect(loadTransforms(['update'], { baseUrl: 'catalog/' })).rejects.toThrow(TypeError);
    await expect(loadTransforms(['update'], { assetBaseUrl: 'file:///data' })).rejects.toThrow(/http\(s\)/);
  });
});

describe('the validate transform', () => {
  it('passes a valid Item through unchanged', async () => {
    const validate = await one('validate');
    const item = makeItem(3);
    expect(itemOf(validate.apply(item))).toBe(item);
  });

  it('fails an invalid Item naming the rule it broke, without quoting its values', async () => {
    const validate = await one('validate');
    const item = makeItem(3);
    item.properties.datetime = 'yesterday <script>';
    delete (item as Partial<StacItem>).links;
    const result = validate.apply(item);
    expect(result).toEqual({
      failure: 'validate: properties.datetime: not an RFC 3339 date-time (and 1 more)',
    });
  });
});
