import { describe, expect, it } from 'vitest';
import {
  checkedTexts,
  isFailure,
  parseAll,
  parseSlice,
  scanFeatureCollection,
  sliceCount,
} from '../../../src/ingest/decode/feature-scan.js';

const feature = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  stac_version: '1.1.0',
  id,
  geometry: null,
  properties: { datetime: '2024-01-01T00:00:00Z', ...extra },
  links: [],
  assets: {},
});

const scan = (text: string) => scanFeatureCollection(Buffer.from(text), 'fc.json');

describe('scanFeatureCollection', () => {
  it('finds every feature of a FeatureCollection, whatever the member order and spacing', () => {
    const features = [feature('a'), feature('b'), feature('c')];
    for (const text of [
      JSON.stringify({ type: 'FeatureCollection', features }),
      JSON.stringify({ features, type: 'FeatureCollection', links: [{ rel: 'self' }] }, null, 2),
      `\ufeff \r\n${JSON.stringify({ type: 'FeatureCollection', numberMatched: 3, features })}\n`,
    ]) {
      const slices = scan(text);
      expect(slices).not.toBeNull();
      expect(parseAll(slices!).items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    }
  });

  it('handles strings holding brackets, quotes, escaped backslashes and non-ASCII text', () => {
    const tricky = feature('x', {
      title: 'a "quoted" } ] { [ value \\',
      note: 'Zürich – 東京',
      path: 'C:\\\\',
    });
    const slices = scan(JSON.stringify({ type: 'FeatureCollection', features: [tricky, feature('y')] }));
    expect(slices?.ascii).toBe(false);
    const { items } = parseAll(slices!);
    expect(items).toEqual([tricky, feature('y')]);
  });

  it('yields nothing for an empty features array', () => {
    const slices = scan('{"type":"FeatureCollection","features":[]}');
    expect(slices).not.toBeNull();
    expect(sliceCount(slices!)).toBe(0);
  });

  it('declines documents it cannot split, so they are parsed whole', () => {
    const fc = (features: string) => `{"type":"FeatureCollection","features":${features}}`;
    expect(scan('[{"type":"Feature"}]')).toBeNull(); // an array, not a collection
    expect(scan(JSON.stringify(feature('a')))).toBeNull(); // a single Item: no features
    expect(scan(fc('[1, 2]'))).toBeNull(); // elements that are not objects
    expect(scan(fc('[{"id": "a"'))).toBeNull(); // truncated
    expect(scan(`${fc('[]')} trailing`)).toBeNull(); // something after the document
    expect(scan('{"type":"Catalog","features":[{"id":"a"}]}')).toBeNull(); // not a FeatureCollection
    expect(scan('{"type":"FeatureCollection",,"features":[]}')).toBeNull(); // broken around features
    expect(scan('{"type":"FeatureCollection","features":[{"id":"a"}],"features":[]}')).toBeNull(); // twice
  });

  it('reports a feature that is not valid JSON or not an Item by its index, and keeps the others', () => {
    const text = `{"type":"FeatureCollection","features":[${JSON.stringify(feature('a'))},{"id": tru},{"type":"Polygon"},${JSON.stringify(feature('d'))}]}`;
    const slices = scan(text)!;
    const first = parseSlice(slices, 1);
    expect(isFailure(first) && first.source).toBe('fc.json#features[1]');
    const { items, failures } = parseAll(slices);
    expect(items.map((i) => i.id)).toEqual(['a', 'd']);
    expect(failures.map((f) => f.source)).toEqual(['fc.json#features[1]', 'fc.json#features[2]']);
    expect(failures[0]!.reason).toMatch(/^invalid JSON/);
    expect(failures[1]!.reason).toMatch(/not a STAC Item/);
    const checked = checkedTexts(slices);
    expect(checked.texts.map((t) => (JSON.parse(t) as { id: string }).id)).toEqual(['a', 'd']);
    expect(checked.failures).toHaveLength(2);
  });
});
