import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerateArgs } from '../../src/cli/commands/generate.js';
import { parseIngestArgs, progressText, totalOf } from '../../src/cli/commands/ingest.js';
import { sniffFormat } from '../../src/ingest/sources.js';
import { lines, runCli } from '../support/cli-helpers.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('sniffFormat: the format of a file whose name does not say', () => {
  it('recognises Parquet by its magic bytes', () => {
    expect(sniffFormat(bytes('PAR1\0\0'))).toBe('parquet');
  });

  it('tells one JSON value per line (NDJSON) from one document, compact or pretty-printed', () => {
    expect(sniffFormat(bytes('{"id":"a"}\n{"id":"b"}\n'))).toBe('ndjson');
    expect(sniffFormat(bytes('{"type":"FeatureCollection","features":[]}\n'))).toBe('json');
    expect(sniffFormat(bytes('{\n  "type": "FeatureCollection",\n  "features": []\n}\n'))).toBe('json');
    expect(sniffFormat(bytes('\uFEFF[{"id":"a"}]'))).toBe('json');
  });

  it('knows neither text that is not JSON nor an empty file', () => {
    expect(sniffFormat(bytes('id,geometry\n1,POINT(0 0)\n'))).toBeNull();
    expect(sniffFormat(bytes(''))).toBeNull();
  });
});

describe('--format spellings and the sequential strategy', () => {
  it("takes the origin's --format FeatureCollection for feature-collection, in generate and ingest", () => {
    const args = ['--output', 'x', '--count', '1', '--format', 'FeatureCollection'];
    expect(parseGenerateArgs(args).format).toBe('feature-collection');
    expect(parseIngestArgs(['x', '--format', 'FeatureCollection']).options.format).toBe('feature-collection');
  });

  it('shows "at most" the --max-items bound in the progress line when the source does not say how many it holds', () => {
    expect(progressText(1200, 0, 2, totalOf(undefined, 5000))).toBe(
      '1200 of at most 5000 items (24%), 0 failures, 600 items/s, ETA ~6s',
    );
    expect(progressText(1200, 1, 2)).toBe('1200 items, 1 failures, 600 items/s');
  });
});

describe('generate then ingest a file named without an extension', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-formats-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['ndjson', 'items_1k'],
    ['feature-collection', 'fc_items'],
    ['parquet', 'pq_items'],
  ])(
    'keeps the name generate was given (%s) and ingest reads it by its content',
    async (format, name) => {
      const path = join(dir, name);
      const gen = await runCli(['generate', '--format', format, '--count', '30', '--output', path]);
      expect(gen.code, gen.stderr).toBe(0);
      expect((await stat(path)).isFile()).toBe(true);
      const out = join(dir, `${name}.out.ndjson`);
      const r = await runCli(['ingest', path, '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(lines(await readFile(out, 'utf8'))).toHaveLength(30);
    },
    60_000,
  );

  it('says that sequential ignores --concurrency, and the summary does not claim the level', async () => {
    const path = join(dir, 'items_1k');
    const r = await runCli([
      'ingest',
      path,
      '--strategy',
      'sequential',
      '--concurrency',
      '5',
      '--output',
      join(dir, 'seq.ndjson'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--strategy sequential ignores --concurrency 5');
    expect(r.stderr).toMatch(/\(sequential\) in /);
    expect(r.stderr).not.toContain('sequential x5');
  }, 60_000);
});
