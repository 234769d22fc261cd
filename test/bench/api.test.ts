import { describe, expect, it } from 'vitest';
import { LARGE_ID, localCollections, SMALL_ID } from '../../src/bench/api.js';
import { DEFAULT_SETTINGS, mergeSettings } from '../../src/bench/settings.js';

const api = (largeItems: number) => mergeSettings({ api: { ...DEFAULT_SETTINGS.api, largeItems } }).api;

describe('localCollections', () => {
  it('serves the small collection and one of --test-size items', () => {
    const large = DEFAULT_SETTINGS.api.smallItems * 3;
    expect(localCollections(api(large))).toEqual([
      { id: SMALL_ID, items: DEFAULT_SETTINGS.api.smallItems },
      { id: LARGE_ID, items: large },
    ]);
  });

  it('serves one collection when --test-size is the small collection size (one dataset, one set of keys)', () => {
    const same = DEFAULT_SETTINGS.api.smallItems;
    expect(localCollections(api(same))).toEqual([{ id: LARGE_ID, items: same }]);
  });

  it('keeps a --test-size below the small collection as a second dataset', () => {
    const below = DEFAULT_SETTINGS.api.smallItems - 1;
    expect(localCollections(api(below)).map((c) => c.items)).toEqual([
      DEFAULT_SETTINGS.api.smallItems,
      below,
    ]);
  });
});
