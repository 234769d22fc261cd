import { describe, expect, it } from 'vitest';
import {
  ExtentAccumulator,
  generateItem,
  generateItems,
  makeCollection,
  PROFILE_SIZE_RANGE,
} from '../src/fixtures/profiles.js';
import { ITEM_PROFILES, type StacItem } from '../src/stac/item.js';
import { validateItem } from '../src/stac/validate.js';

const take = (profile: 'small' | 'sentinel-2', count: number, seed = 7): StacItem[] => [
  ...generateItems({ profile, count, seed }),
];

describe.each(ITEM_PROFILES)('the %s profile', (profile) => {
  const items = take(profile, 300);

  it('yields valid STAC 1.1 Items with unique ids', () => {
    for (const item of items) expect(validateItem(item), item.id).toEqual({ valid: true, errors: [] });
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(items.every((i) => i.stac_version === '1.1.0')).toBe(true);
  });

  it('keeps every pretty-printed Item within the profile size range', () => {
    const { min, max } = PROFILE_SIZE_RANGE[profile];
    for (const item of items) {
      const size = Buffer.byteLength(JSON.stringify(item, null, 2));
      expect(size).toBeGreaterThanOrEqual(min);
      expect(size).toBeLessThanOrEqual(max);
    }
  });

  it('gives each Item a polygon whose bbox is exactly its extent', () => {
    for (const item of items) {
      expect(item.geometry?.type).toBe('Polygon');
      const ring = (item.geometry as { coordinates: number[][][] }).coordinates[0]!;
      const xs = ring.map((p) => p[0]!);
      const ys = ring.map((p) => p[1]!);
      expect(item.bbox).toEqual([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    }
  });

  it('gives the same Items for the same seed and different ones for another seed', () => {
    expect(JSON.stringify(take(profile, 50))).toBe(JSON.stringify(items.slice(0, 50)));
    const other = take(profile, 50, 8);
    expect(other.map((i) => i.id)).not.toEqual(items.slice(0, 50).map((i) => i.id));
  });

  it('builds Item i the same way whether generated alone or in a stream', () => {
    expect(generateItem(profile, 7, 123)).toEqual(items[123]);
  });
});

describe('generated datetimes', () => {
  const items = take('small', 3000, 11);

  it('are clustered: the busiest month holds several times the Items of the quietest', () => {
    const months = new Map<string, number>();
    for (const item of items) {
      const t = item.properties.datetime ?? item.properties.start_datetime!;
      months.set(t.slice(0, 7), (months.get(t.slice(0, 7)) ?? 0) + 1);
    }
    const counts = [...months.values()];
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(5 * Math.max(1, Math.min(...counts)));
  });

  it('fall on a few-day revisit cycle per tile', () => {
    const byTile = new Map<string, number[]>();
    for (const item of items) {
      if (item.properties.datetime === null) continue;
      const tile = item.id.split('_')[1]!;
      const day = Math.floor(Date.parse(item.properties.datetime) / 86_400_000);
      byTile.set(tile, [...(byTile.get(tile) ?? []), day]);
    }
    for (const days of byTile.values()) {
      const residues = new Set(days.map((d) => (d - days[0]! + 5000) % 5));
      expect(residues.size).toBe(1);
    }
  });

  it('include a small share of Items with a null datetime and a start/end range', () => {
    const ranged = items.filter((i) => i.properties.datetime === null);
    expect(ranged.length).toBeGreaterThan(items.length * 0.005);
    expect(ranged.length).toBeLessThan(items.length * 0.03);
    for (const item of ranged) {
      expect(Date.parse(item.properties.start_datetime!)).toBeLessThan(
        Date.parse(item.properties.end_datetime!),
      );
    }
  });
});

describe('makeCollection', () => {
  it('computes an extent that contains every Item', () => {
    const opts = { profile: 'sentinel-2' as const, count: 200, seed: 3 };
    const collection = makeCollection(opts);
    const [[w, s, e, n]] = collection.extent.spatial.bbox as [[number, number, number, number]];
    const [[start, end]] = collection.extent.temporal.interval as [[string, string]];
    for (const item of generateItems(opts)) {
      const [x0, y0, x1, y1] = item.bbox!;
      expect(x0! >= w && y0! >= s && x1! <= e && y1! <= n).toBe(true);
      const p = item.properties;
      for (const t of [p.datetime, p.start_datetime, p.end_datetime]) {
        if (t) expect(Date.parse(t) >= Date.parse(start) && Date.parse(t) <= Date.parse(end)).toBe(true);
      }
    }
    expect(collection.id).toBe('sentinel-2-l2a');
  });

  it('orders datetimes by instant, not by text, when Items use other offsets', () => {
    const acc = new ExtentAccumulator();
    const at = (datetime: string) =>
      ({ ...generateItem('small', 1, 0), properties: { datetime } }) as StacItem;
    acc.add(at('2020-01-01T12:00:00+05:00')); // 07:00Z, the earliest
    acc.add(at('2020-01-01T08:00:00.5Z'));
    acc.add(at('2020-01-01T09:00:00Z'));
    expect(acc.extent().temporal.interval).toEqual([['2020-01-01T12:00:00+05:00', '2020-01-01T09:00:00Z']]);
    expect(new ExtentAccumulator().extent().temporal.interval).toEqual([[null, null]]);
  });

  it('rejects a negative count and an unknown profile with a clear error', () => {
    expect(() => [...generateItems({ profile: 'small', count: -1, seed: 1 })]).toThrow(/count must be/);
    expect(() => [...generateItems({ profile: 'huge' as never, count: 1, seed: 1 })]).toThrow(
      /profile must be/,
    );
  });
});
