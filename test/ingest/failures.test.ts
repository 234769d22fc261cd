import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_MIN_BYTES } from '../../src/ingest/decode/feature-scan.js';
import { closeWorkerPool, ingest } from '../../src/ingest/index.js';
import { SourceError, STRATEGIES } from '../../src/ingest/types.js';
import {
  collect,
  HOSTILE_FILES,
  ids,
  makeItem,
  makeItems,
  tempDir,
  writeHostileFiles,
  writeItemsDir,
} from '../support/ingest-data.js';

let root: string;
let remove: () => Promise<void>;
let hostile: string;
const good = makeItems(40);
const run = promisify(execFile);

beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
  hostile = join(root, 'hostile');
  await writeItemsDir(hostile, good);
  await writeHostileFiles(hostile);
});
afterAll(async () => {
  await closeWorkerPool();
  await remove();
});

describe('bad files among good ones', () => {
  for (const strategy of STRATEGIES) {
    it(`are counted as failures with their path and reason, and every good file is ingested (${strategy})`, async () => {
      const { items, failures } = await collect(hostile, { strategy, concurrency: 3, batchSize: 4 });
      expect(ids(items)).toEqual(ids(good));
      const bySource = new Map(failures.failures.map((f) => [f.source, f.reason]));
      expect(failures.count).toBe(Object.keys(HOSTILE_FILES).length);
      for (const [name, { reason }] of Object.entries(HOSTILE_FILES)) {
        expect(bySource.get(join(hostile, name)), name).toMatch(reason);
      }
    });
  }

  it('counts an unreadable file as a failure with its path', async (ctx) => {
    const asRoot = process.getuid?.() === 0;
    // Where `nobody` cannot even load the project (a checkout under a private home), nothing can be shown.
    if (asRoot && !(await nobodyCanRunNode())) ctx.skip();
    const dir = join(root, 'unreadable');
    await writeItemsDir(dir, makeItems(2));
    await chmod(join(dir, 'item-00001.json'), 0o000);
    // root reads every file whatever its mode: then the ingest runs in a child process as `nobody`.
    const { items, failures } = asRoot ? await collectAsNobody(root, dir) : await collect(dir).then(plain);
    expect(items).toEqual(['item-00000']);
    expect(failures).toEqual([
      { source: join(dir, 'item-00001.json'), reason: 'permission denied (EACCES)' },
    ]);
  });

  it('passes duplicate ids through: nothing is deduplicated, nothing dropped', async () => {
    const dir = join(root, 'duplicates');
    await mkdir(dir);
    await writeFile(join(dir, 'a.json'), JSON.stringify(makeItem(1)));
    await writeFile(join(dir, 'b.json'), JSON.stringify(makeItem(1)));
    await writeFile(join(dir, 'c.json'), JSON.stringify([makeItem(1), makeItem(2)]));
    for (const strategy of STRATEGIES) {
      expect(ids((await collect(dir, { strategy })).items)).toEqual([
        'item-00001',
        'item-00001',
        'item-00001',
        'item-00002',
      ]);
    }
  });
});

describe('a FeatureCollection large enough to be read feature by feature (over 1 MiB)', () => {
  // ~1.2 MB: above SCAN_MIN_BYTES, so each feature is parsed on its own.
  const many = makeItems(3_000, 1_000);
  const text = (extra: string) =>
    `{"type":"FeatureCollection","features":[${many.map((it) => JSON.stringify(it)).join(',')}${extra}]}`;

  it('yields every Item and counts a broken or non-Item feature by its index, under every strategy', async () => {
    const file = join(root, 'large-fc.json');
    await writeFile(file, text(',{"id": tru},{"type":"Polygon"}'));
    expect(Buffer.byteLength(text(''))).toBeGreaterThan(SCAN_MIN_BYTES);
    for (const strategy of STRATEGIES) {
      const { items, failures } = await collect(file, { strategy, concurrency: 2 });
      expect(ids(items), strategy).toEqual(ids(many));
      expect(failures.failures.map((f) => f.source).sort(), strategy).toEqual([
        `${file}#features[3000]`,
        `${file}#features[3001]`,
      ]);
    }
  });

  it('is counted as one invalid-JSON failure when it is truncated, as any broken file', async () => {
    const dir = join(root, 'large-fc-dir');
    await writeItemsDir(dir, makeItems(3));
    const cut = text('');
    await writeFile(join(dir, 'large.json'), cut.slice(0, cut.length - 500));
    for (const strategy of STRATEGIES) {
      const { items, failures } = await collect(dir, { strategy, concurrency: 2, batchSize: 2 });
      expect(ids(items), strategy).toEqual(ids(makeItems(3)));
      expect(failures.failures, strategy).toEqual([
        { source: join(dir, 'large.json'), reason: expect.stringMatching(/^invalid JSON/) },
      ]);
    }
  });

  it('with variant whole-file is parsed in one piece: the same Items, and one broken feature fails the file', async () => {
    const good = join(root, 'large-fc-whole.json');
    await writeFile(good, text(''));
    const broken = join(root, 'large-fc-whole-broken.json');
    await writeFile(broken, text(',{"id": tru}'));
    for (const strategy of STRATEGIES) {
      const whole = await collect(good, { strategy, variant: 'whole-file' });
      expect(ids(whole.items), strategy).toEqual(ids(many));
      await expect(collect(broken, { strategy, variant: 'whole-file' }), strategy).rejects.toThrow(
        /invalid JSON/,
      );
    }
  });

  it('stops early with maxItems, as any source', async () => {
    const file = join(root, 'large-fc-max.json');
    await writeFile(file, text(''));
    for (const strategy of STRATEGIES) {
      expect((await collect(file, { strategy, maxItems: 7 })).items, strategy).toHaveLength(7);
    }
  });
});

describe('a source that cannot be ingested at all', () => {
  const expectSourceError = async (source: string, reason: RegExp, options = {}) => {
    const error = await collect(source, options).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).source).toBe(source);
    expect((error as SourceError).message).toMatch(reason);
    expect((error as SourceError).message.startsWith(source)).toBe(true);
  };

  it('is a missing path: a SourceError naming it', async () => {
    await expectSourceError(join(root, 'nope'), /no such file or directory/);
  });

  it('is an empty directory', async () => {
    const dir = join(root, 'empty-dir');
    await mkdir(dir);
    await expectSourceError(dir, /empty directory/);
  });

  it('is a directory without any .json file', async () => {
    const dir = join(root, 'no-json');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await expectSourceError(dir, /no \.json files/);
  });

  it('is a file of unknown format', async () => {
    const path = join(root, 'data.csv');
    await writeFile(path, 'a,b\n1,2\n');
    await expectSourceError(path, /unknown format '\.csv'/);
  });

  it('is an empty, truncated or non-item JSON file given as the source', async () => {
    const cases: [string, string, RegExp][] = [
      ['empty.json', '', /empty file/],
      ['truncated.json', '{"type":"FeatureCollection","features":[', /invalid JSON/],
      ['number.json', '7', /not a STAC Item/],
    ];
    for (const [name, content, reason] of cases) {
      const path = join(root, name);
      await writeFile(path, content);
      for (const strategy of STRATEGIES) await expectSourceError(path, reason, { strategy });
    }
  });

  it('is an empty NDJSON file', async () => {
    const path = join(root, 'empty.ndjson');
    await writeFile(path, '');
    await expectSourceError(path, /empty file/);
  });

  it('is a format that does not match the path (a directory read as NDJSON)', async () => {
    await expectSourceError(hostile, /is a directory, not a ndjson file/, { format: 'ndjson' });
  });

  it('is a catalog whose root document is broken', async () => {
    const dir = join(root, 'bad-root');
    await mkdir(dir);
    await writeFile(join(dir, 'catalog.json'), '{"type":"Catalog",');
    await expectSourceError(join(dir, 'catalog.json'), /invalid JSON/);
  });
});

describe('options a caller got wrong', () => {
  it('are a TypeError naming the option', () => {
    expect(() => ingest('x', { concurrency: 0 })).toThrow(/concurrency must be a whole number >= 1, got 0/);
    expect(() => ingest('x', { strategy: 'fast' as never })).toThrow(/strategy must be one of/);
    expect(() => ingest('x', { maxItems: -1 })).toThrow(/maxItems/);
    expect(() => ingest('x', { format: 'csv' as never })).toThrow(/format must be one of/);
    expect(() => ingest('x', { variant: 'clone+parse-on-calller' })).toThrow(
      /variant 'parse-on-calller' is unknown \(known: parse-in-worker, clone, whole-file/,
    );
    expect(() => ingest('x', { variant: 'whole-file+hyparquet' })).not.toThrow();
  });
});

function plain(r: Awaited<ReturnType<typeof collect>>): { items: string[]; failures: unknown[] } {
  return { items: ids(r.items), failures: r.failures.failures };
}

/** Runs the ingest of `dir` in a child process with the uid of `nobody` (65534); returns ids and failures. */
async function collectAsNobody(
  tmpRoot: string,
  dir: string,
): Promise<{ items: string[]; failures: unknown[] }> {
  await chmod(tmpRoot, 0o755);
  await chmod(dir, 0o755);
  const script = `
    const { ingest, FailureCollector } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)});
    const failures = new FailureCollector();
    const items = [];
    for await (const item of ingest(${JSON.stringify(dir)}, { failures })) items.push(item.id);
    console.log(JSON.stringify({ items: items.sort(), failures: failures.failures }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    uid: 65534,
    gid: 65534,
    cwd: process.cwd(),
    env: { ...process.env, TSX_TSCONFIG_PATH: undefined, HOME: tmpRoot },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function nobodyCanRunNode(): Promise<boolean> {
  try {
    await run(process.execPath, ['--import', 'tsx', '-e', '0'], {
      uid: 65534,
      gid: 65534,
      cwd: process.cwd(),
    });
    return true;
  } catch {
    return false;
  }
}
