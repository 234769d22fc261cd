import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateItem } from '../../src/fixtures/profiles.js';
import { itemToRow, rowToItem } from '../../src/stac/geoparquet.js';
import type { ItemProfile, StacItem } from '../../src/stac/item.js';
import { validateItem } from '../../src/stac/validate.js';

const DIR = join(process.cwd(), 'fixtures', 'items');
const good = JSON.parse(await readFile(join(DIR, 'small-seed42-0.json'), 'utf8')) as StacItem;
const names = (await readdir(DIR)).filter((n) => n.endsWith('.json')).sort();

// biome-ignore lint/suspicious/noExplicitAny: the tests break arbitrary nested fields of an Item
type Loose = Record<string, any>;

/** A copy of the good item with one change made by `edit`. */
function broken(edit: (item: Loose) => void): unknown {
  const copy = structuredClone(good) as Loose;
  edit(copy);
  return copy;
}

describe('the committed fixture items', () => {
  it.each(names)('%s is a valid Item that survives the geoparquet row mapping', async (name) => {
    const item = JSON.parse(await readFile(join(DIR, name), 'utf8')) as StacItem;
    expect(validateItem(item)).toEqual({ valid: true, errors: [] });
    expect(rowToItem(itemToRow(item))).toStrictEqual(item);
  });

  it.each(names.filter((n) => n.includes('-seed')))(
    '%s is what the generator makes today (else bump GENERATOR_VERSION)',
    async (name) => {
      const [, profile, seed, index] = /^(.+)-seed(\d+)-(\d+)\.json$/.exec(name)!;
      const text = await readFile(join(DIR, name), 'utf8');
      expect(text).toBe(
        `${JSON.stringify(generateItem(profile as ItemProfile, Number(seed), Number(index)), null, 2)}\n`,
      );
    },
  );
});

describe('validateItem', () => {
  it.each([
    ['a missing id', (i: Loose) => delete i.id, /^id: required/],
    ['a wrong type', (i: Loose) => (i.type = 'Collection'), /^type: expected "Feature"/],
    ['a missing stac_version', (i: Loose) => delete i.stac_version, /^stac_version/],
    ['a missing geometry key', (i: Loose) => delete i.geometry, /^geometry: required/],
    [
      'an unknown geometry type',
      (i: Loose) => (i.geometry = { type: 'Circle', coordinates: [0, 0] }),
      /^geometry: expected a GeoJSON/,
    ],
    ['an unclosed polygon ring', (i: Loose) => i.geometry.coordinates[0].pop(), /ring 0 must be closed/],
    [
      'a non-numeric coordinate',
      (i: Loose) => (i.geometry.coordinates[0][1] = ['a', 1]),
      /expected a position/,
    ],
    ['a bbox with 3 numbers', (i: Loose) => (i.bbox = [1, 2, 3]), /^bbox: expected 4 or 6 numbers/],
    ['a missing bbox with a geometry', (i: Loose) => delete i.bbox, /^bbox: required when geometry/],
    ['a bbox with south above north', (i: Loose) => (i.bbox = [0, 10, 1, 5]), /south is greater than north/],
    ['no properties', (i: Loose) => delete i.properties, /^properties: expected an object/],
    ['no datetime key', (i: Loose) => delete i.properties.datetime, /datetime: required/],
    [
      'a datetime that is not RFC 3339',
      (i: Loose) => (i.properties.datetime = '2023-06-01'),
      /not an RFC 3339/,
    ],
    ['an impossible date', (i: Loose) => (i.properties.datetime = '2023-13-45T00:00:00Z'), /not an RFC 3339/],
    [
      'a null datetime without a range',
      (i: Loose) => (i.properties.datetime = null),
      /start_datetime and end_datetime are required/,
    ],
    [
      'a range that ends before it starts',
      (i: Loose) =>
        Object.assign(i.properties, {
          datetime: null,
          start_datetime: '2023-06-02T00:00:00Z',
          end_datetime: '2023-06-01T00:00:00Z',
        }),
      /start_datetime is after end_datetime/,
    ],
    ['links that are not an array', (i: Loose) => (i.links = {}), /^links: expected an array/],
    ['a link without href', (i: Loose) => delete i.links[0].href, /^links\[0\]: expected/],
    ['an asset without href', (i: Loose) => delete i.assets.thumbnail.href, /^assets\.thumbnail: expected/],
    ['assets that are a list', (i: Loose) => (i.assets = []), /^assets: expected an object/],
    ['stac_extensions with a number', (i: Loose) => (i.stac_extensions = [1]), /^stac_extensions/],
  ])('reports %s', (_what, edit, message) => {
    const result = validateItem(broken(edit));
    expect(result.valid).toBe(false);
    expect(
      result.errors.some((e) => message.test(e)),
      result.errors.join('; '),
    ).toBe(true);
  });

  it('reports every problem at once and never throws on junk', () => {
    expect(
      validateItem(broken((i) => Object.assign(i, { id: '', links: null, assets: null }))).errors,
    ).toHaveLength(3);
    for (const junk of [null, 42, 'item', [], undefined]) expect(validateItem(junk).valid).toBe(false);
  });

  it('accepts a null geometry without a bbox, and a datetime with an offset', () => {
    const item = broken((i) => {
      i.geometry = null;
      delete i.bbox;
      i.properties.datetime = '2023-06-01T12:00:00+02:00';
    });
    expect(validateItem(item)).toEqual({ valid: true, errors: [] });
  });
});
