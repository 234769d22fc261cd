import { link, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtomicWriteStream, writeFileAtomic } from '../../src/output/atomic.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Yields one chunk, then fails: a write interrupted half-way. */
async function* failsHalfWay(): AsyncGenerator<string> {
  yield 'half of the new';
  throw new Error('interrupted');
}

describe('writeFileAtomic', () => {
  it('replaces the file with the new content and leaves nothing else in the folder', async () => {
    const path = join(dir, 'run.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['run.json']);
  });

  it('leaves the previous file whole and no temporary file when the write is interrupted', async () => {
    const path = join(dir, 'run.json');
    await writeFile(path, 'the good old content');
    await expect(writeFileAtomic(path, failsHalfWay())).rejects.toThrow('interrupted');
    expect(await readFile(path, 'utf8')).toBe('the good old content');
    expect(await readdir(dir)).toEqual(['run.json']);
  });

  it('never writes into the existing file: a hard link to the previous one keeps its content', async () => {
    const path = join(dir, 'run.json');
    await writeFile(path, 'old');
    await link(path, join(dir, 'copy.json'));
    await writeFileAtomic(path, 'new');
    expect(await readFile(join(dir, 'copy.json'), 'utf8')).toBe('old');
  });
});

describe('createAtomicWriteStream', () => {
  it('keeps the destination as it was until commit, then replaces it whole', async () => {
    const path = join(dir, 'out.ndjson');
    await writeFile(path, 'old\n');
    const target = createAtomicWriteStream(path);
    target.stream.write('new 1\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(await readFile(path, 'utf8')).toBe('old\n');
    target.stream.write('new 2\n');
    await target.commit();
    expect(await readFile(path, 'utf8')).toBe('new 1\nnew 2\n');
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });

  it('leaves the destination untouched and removes its temporary file on abort', async () => {
    const path = join(dir, 'out.ndjson');
    await writeFile(path, 'old\n');
    const target = createAtomicWriteStream(path);
    target.stream.write('partial');
    await target.abort();
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });
});
