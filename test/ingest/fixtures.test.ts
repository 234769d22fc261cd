import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeWorkerPool } from '../../src/ingest/index.js';
import { SourceError, STRATEGIES } from '../../src/ingest/types.js';
import { collect, ids } from '../support/ingest-data.js';

const BAD = join(process.cwd(), 'fixtures', 'bad');

afterAll(() => closeWorkerPool());

describe('the committed hostile fixtures (fixtures/bad)', () => {
  for (const strategy of STRATEGIES) {
    it(`an items directory yields its three good Items and one failure per bad file (${strategy})`, async () => {
      const { items, failures } = await collect(join(BAD, 'items'), { strategy, concurrency: 2 });
      expect(ids(items)).toEqual(['bad-fixture-good-1', 'bad-fixture-good-2', 'bad-fixture-good-3']);
      const reasons = Object.fromEntries(
        failures.failures.map((f) => [f.source.slice(join(BAD, 'items').length + 1), f.reason]),
      );
      expect(Object.keys(reasons).sort()).toEqual([
        'binary.json',
        'empty.json',
        'not-an-item.json',
        'number.json',
        'truncated.json',
      ]);
      expect(reasons['binary.json']).toBe('binary content, not JSON');
      expect(reasons['empty.json']).toBe('empty file');
      expect(reasons['not-an-item.json']).toBe('a STAC Catalog/Collection, not an Item');
      expect(reasons['number.json']).toBe('not a STAC Item (got a number)');
      expect(reasons['truncated.json']).toMatch(/^invalid JSON: /);
    });

    it(`an NDJSON file with BOM, CRLF, blank and bad lines yields its good Items (${strategy})`, async () => {
      const { items, failures } = await collect(join(BAD, 'lines.ndjson'), { strategy });
      expect(ids(items)).toEqual(['bad-fixture-good-5', 'bad-fixture-good-6', 'bad-fixture-good-7']);
      expect(failures.failures.map((f) => f.reason).sort()).toEqual([
        expect.stringMatching(/^invalid JSON/),
        'not a STAC Item (got an array)',
      ]);
    });
  }

  it('a file that only pretends to be Parquet is a SourceError naming it', async () => {
    const path = join(BAD, 'not-parquet.parquet');
    await expect(collect(path)).rejects.toThrow(SourceError);
    await expect(collect(path)).rejects.toThrow(`${path}: not a readable Parquet file`);
  });
});
