import { describe, expect, it } from 'vitest';
import { parseByFeature, parseJsonBytes, SPLIT_MIN_BYTES } from '../../../src/ingest/api/json-bytes.js';

/** A feature padded so that a page of `n` of them passes the split threshold. */
function feature(i: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'Feature',
    id: `item-${i}`,
    properties: { datetime: '2020-01-01T00:00:00Z', note: 'x'.repeat(1200), ...extra },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    },
    links: [],
    assets: {},
  };
}

function page(
  features: unknown[],
  before: Record<string, unknown> = {},
  after: Record<string, unknown> = {},
) {
  return { ...before, type: 'FeatureCollection', features, ...after };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');
const same = (text: string) => expect(parseJsonBytes(bytes(text))).toEqual(JSON.parse(text));

describe('parseJsonBytes', () => {
  const many = Array.from({ length: 80 }, (_, i) => feature(i));

  it('parses a large FeatureCollection feature by feature into the value JSON.parse gives', () => {
    const text = JSON.stringify(
      page(many, { numberMatched: 80 }, { links: [{ rel: 'next', href: 'x?a=[1]' }] }),
    );
    expect(text.length).toBeGreaterThan(SPLIT_MIN_BYTES);
    const doc = parseJsonBytes(bytes(text)) as { features: unknown[]; links: unknown[] };
    expect(doc).toEqual(JSON.parse(text));
    expect(Object.keys(doc)).toEqual(Object.keys(JSON.parse(text)));
    expect(doc.features).toHaveLength(80);
    expect(parseByFeature(bytes(text))).toEqual(doc); // the split path, not the fallback
  });

  it('gives the value JSON.parse gives for escaped quotes, backslashes, brackets and commas inside strings, multi-byte characters and pretty-printing', () => {
    const tricky = [
      feature(1, { a: 'quote \\" then ] and }, [ {' }),
      feature(2, { b: 'ends with a backslash \\\\', c: '\\\\\\"' }),
      feature(3, { d: 'Zürich — 東京 🌍', e: '"features": [1, 2]' }),
      feature(4, { f: [[], {}, [[{}]]], g: null }),
    ];
    same(JSON.stringify(page([...tricky, ...many])));
    same(JSON.stringify(page([...tricky, ...many]), null, 2));
    same(
      `\r\n {\t"features" :\n[ ${many.map((f) => JSON.stringify(f)).join(' ,\n ')} ] ,"type":"FeatureCollection" }  `,
    );
  });

  it('parses features placed first, an empty features array and a features key nested deeper like JSON.parse', () => {
    same(JSON.stringify({ features: many, type: 'FeatureCollection', links: [] }));
    same(JSON.stringify({ padding: 'y'.repeat(SPLIT_MIN_BYTES), features: [] }));
    same(JSON.stringify({ padding: 'y'.repeat(SPLIT_MIN_BYTES), features: [] }).replace('[]', '[   ]'));
    same(JSON.stringify({ context: { features: many }, features: 'not an array', type: 'features' }));
    same(JSON.stringify({ type: 'features', other: many }));
    same(JSON.stringify(many));
  });

  it('leaves a repeated features key to JSON.parse, where the last one wins', () => {
    const text = `{"features":${JSON.stringify(many)},"type":"FeatureCollection","features":[]}`;
    expect(parseJsonBytes(bytes(text))).toEqual({ type: 'FeatureCollection', features: [] });
    expect(parseByFeature(bytes(text))).toBeNull();
    expect(parseByFeature(bytes(JSON.stringify(many)))).toBeNull();
    expect(parseByFeature(bytes(JSON.stringify({ features: 'none' })))).toBeNull();
  });

  it("throws JSON.parse's SyntaxError for a malformed large document", () => {
    const good = JSON.stringify(page(many));
    const broken = [
      good.replace('},{', '} {'), // a missing comma between features
      good.replace(/\]\}$/, ',]}'), // a trailing comma
      good.slice(0, good.length - 2000), // truncated
      good.replace('"type":"FeatureCollection"', '"type":"FeatureCollection'), // unterminated string
      good.replace('"features":[', '"features":[,'), // an empty first element
    ];
    for (const text of broken)
      expect(() => parseJsonBytes(bytes(text)), text.slice(-40)).toThrow(SyntaxError);
  });

  it('skips a leading byte-order mark, in small and large documents', () => {
    for (const doc of [{ a: 1 }, page(many)]) {
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(JSON.stringify(doc))]);
      expect(parseJsonBytes(withBom)).toEqual(doc);
    }
  });

  it('parses a small document and a Uint8Array view with an offset', () => {
    same('{"features":[{"id":"a"}],"n":1}');
    same('[1,"two",null]');
    const big = bytes(`xx${JSON.stringify(page(many))}`);
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, big.length - 2);
    expect(parseJsonBytes(view)).toEqual(page(many));
  });
});
