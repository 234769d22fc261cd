import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPage } from '../../src/ingest/api/page.js';
import { FailureCollector } from '../../src/ingest/types.js';
import { isItem, itemProblem } from '../../src/stac/item-check.js';
import { collect, makeItem, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

const noProperties = { type: 'Feature', id: 'bare', geometry: null, links: [], assets: {} };
const notFeature = { type: 'Catalogue', id: 'x', properties: {} };

describe('the one Item check', () => {
  it('wants a Feature with a string id and a properties object', () => {
    expect(isItem(makeItem(1))).toBe(true);
    expect(itemProblem(noProperties)).toBe('not a STAC Item (no properties object)');
    expect(itemProblem(notFeature)).toBe('not a STAC Item (type is "Catalogue")');
    expect(itemProblem({ ...notFeature, type: 'root:x:0:0:root:/root:/bin/bash' })).toBe(
      'not a STAC Item (type is a string)',
    );
  });

  it('is the same for a file and for an API page', async () => {
    const path = join(root, 'fc.json');
    await writeFile(
      path,
      JSON.stringify({ type: 'FeatureCollection', features: [makeItem(1), noProperties, notFeature] }),
    );
    const fromFile = await collect(path);
    const failures = new FailureCollector();
    const page = readPage(
      { url: 'http://127.0.0.1:9/search', method: 'GET' },
      { type: 'FeatureCollection', features: [makeItem(1), noProperties, notFeature], links: [] },
      failures,
    );
    expect(fromFile.items.map((i) => i.id)).toEqual(page.items.map((i) => i.id));
    expect(fromFile.failures.failures.map((f) => f.reason)).toEqual([
      'not a STAC Item (no properties object)',
      'not a STAC Item (type is "Catalogue")',
    ]);
    expect(failures.failures.map((f) => f.reason)).toEqual([
      "feature 'bare': not a STAC Item (no properties object)",
      'feature \'x\': not a STAC Item (type is "Catalogue")',
    ]);
  });
});
