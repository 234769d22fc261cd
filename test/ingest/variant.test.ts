import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVariant } from '../../src/ingest/variant.js';
import { collect, makeItems, tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

describe('the variant string', () => {
  it('is parsed once into typed options, whatever the case of its tokens', () => {
    expect(parseVariant('Whole-File+Clone+HYPARQUET+Post')).toEqual({
      handover: 'clone',
      wholeFile: true,
      parquetReader: 'hyparquet',
      method: 'POST',
      settings: {},
    });
    expect(parseVariant(undefined)).toEqual({ handover: 'bytes', wholeFile: false, settings: {} });
    expect(parseVariant('parse-in-worker').handover).toBe('json');
  });

  it('carries key=value tokens for the layers that define them', () => {
    expect(parseVariant('ingest=worker-threads:2+whole-file').settings).toEqual({
      ingest: 'worker-threads:2',
    });
  });

  it('names an unknown token and the known ones', () => {
    expect(() => parseVariant('whole-file+fast')).toThrow(
      /variant 'fast' is unknown \(known: parse-in-worker/,
    );
  });

  it('applies a token written in capitals: Whole-File reads an NDJSON file as one job', async () => {
    const path = join(root, 'big.ndjson');
    await writeFile(
      path,
      `${makeItems(3000)
        .map((i) => JSON.stringify({ ...i, pad: 'x'.repeat(400) }))
        .join('\n')}\n`,
    );
    const ranged = await collect(path);
    const whole = await collect(path, { variant: 'Whole-File' });
    expect(ranged.stats.jobs).toBeGreaterThan(1);
    expect(whole.stats.jobs).toBe(1);
    expect(whole.items.length).toBe(3000);
  });
});
