import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKER, prepareSink, SinkError } from '../../src/output/index.js';
import { tempDir } from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

let n = 0;
async function caseDir(): Promise<string> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir);
  return dir;
}

const folder = (path: string) => ({ kind: 'directory' as const, path });

describe('prepareSink', () => {
  it('creates a new folder with the marker file', async () => {
    const dir = await caseDir();
    await prepareSink(folder(join(dir, 'a', 'b')), { inputs: [] });
    expect(await readdir(join(dir, 'a', 'b'))).toEqual([MARKER]);
  });

  it('refuses a non-empty folder the tool did not make, and leaves it as it was', async () => {
    const dir = await caseDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(prepareSink(folder(dir), { inputs: [] })).rejects.toThrow(
      new SinkError(
        dir,
        'is a folder benchmark-ingest did not make and not empty; choose a new or empty one',
      ),
    );
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('replaces the content of a folder the tool made, temp files of an interrupted run included', async () => {
    const dir = await caseDir();
    await prepareSink(folder(dir), { inputs: [] });
    await mkdir(join(dir, 'c', 'items'), { recursive: true });
    await writeFile(join(dir, 'c', 'items', 'old.json'), '{}');
    await writeFile(join(dir, 'c', 'items', '.tmp-1-0-abc-3'), '{"half');
    await prepareSink(folder(dir), { inputs: [] });
    expect(await readdir(dir)).toEqual([MARKER]);
  });

  it('refuses a symlink in place of the folder', async () => {
    const dir = await caseDir();
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    await expect(prepareSink(folder(join(dir, 'link')), { inputs: [] })).rejects.toThrow(/is a symlink/);
  });

  it.each([
    [
      'the input folder itself',
      (d: string) => ({ input: join(d, 'in'), out: join(d, 'in') }),
      /is the input/,
    ],
    [
      'a folder inside the input',
      (d: string) => ({ input: join(d, 'in'), out: join(d, 'in', 'out') }),
      /inside the input folder/,
    ],
    ['a folder holding the input', (d: string) => ({ input: join(d, 'in'), out: d }), /holds the input/],
  ])('refuses %s, naming the path', async (_what, paths, reason) => {
    const dir = await caseDir();
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'in', 'a.json'), '{}');
    const { input, out } = paths(dir);
    await expect(prepareSink(folder(out), { inputs: [input] })).rejects.toThrow(reason);
    await expect(prepareSink(folder(out), { inputs: [input] })).rejects.toThrow(out);
    expect(await readFile(join(dir, 'in', 'a.json'), 'utf8')).toBe('{}');
  });

  it('refuses an NDJSON output that is the input file', async () => {
    const dir = await caseDir();
    await writeFile(join(dir, 'in.ndjson'), '{}\n');
    await expect(
      prepareSink({ kind: 'ndjson', path: join(dir, 'in.ndjson') }, { inputs: [join(dir, 'in.ndjson')] }),
    ).rejects.toThrow(/is the input/);
  });

  it('refuses a folder that cannot be written, naming the path', async () => {
    await expect(prepareSink(folder('/proc/stac-out'), { inputs: [] })).rejects.toThrow(
      /^\/proc\/stac-out: /,
    );
    await expect(prepareSink({ kind: 'ndjson', path: '/proc/out.ndjson' }, { inputs: [] })).rejects.toThrow(
      /^\/proc\/out.ndjson: cannot write/,
    );
  });
});
