/**
 * What the stac-geoparquet sink keeps alive. The pipeline keeps up to 16 writes pending, and its
 * loop need not yield to I/O while Items are at hand, so a file may stay unopened and many row
 * groups' bytes may wait for the disk at once: only their bytes may stay, never their rows.
 * `open` is wrapped so a test can hold the file's opening and its writes at a gate.
 */
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateItems } from '../../src/fixtures/profiles.js';
import { openParquet } from '../../src/ingest/decode/parquet-readers.js';
import { finishSink, openSinkWriter, prepareSink, type SinkTarget } from '../../src/output/index.js';
import { ROW_GROUP_ROWS } from '../../src/output/parquet.js';
import type { StacItem } from '../../src/stac/item.js';
import { tempDir } from '../support/ingest-data.js';

const gate = vi.hoisted(() => ({
  opening: null as Promise<void> | null,
  writing: null as Promise<void> | null,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
    if (gate.opening) await gate.opening;
    const handle = await fs.open(...args);
    const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<unknown>;
    (handle as unknown as { write: unknown }).write = async (...a: unknown[]) => {
      if (gate.writing) await gate.writing;
      return write(...a);
    };
    return handle;
  };
  return { ...fs, default: { ...fs, open }, open };
});

let root: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, remove } = await tempDir());
});
afterAll(() => remove());

/** V8's full collection, exposed at run time. */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A gate: `wait` until `open()`. */
function closedGate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

let n = 0;
async function newTarget(): Promise<SinkTarget> {
  const target: SinkTarget = { kind: 'parquet', path: join(root, `out-${++n}.parquet`) };
  await prepareSink(target, { inputs: [] });
  return target;
}

describe('the stac-geoparquet sink, holding memory', () => {
  const groups = 6;
  const items = [...generateItems({ profile: 'small', count: ROW_GROUP_ROWS * groups, seed: 9 })];

  /**
   * Writes `batch` in the stage loop's order (refuse, serialize, write), without waiting for a
   * write, watching each Item's row; then ends the task (a WeakRef keeps its target alive until the
   * task that made it ends), collects garbage and counts the rows still alive.
   */
  async function rowsAliveAfter(
    writer: Awaited<ReturnType<typeof openSinkWriter>>,
    batch: readonly StacItem[],
  ): Promise<{ alive: number; pending: Promise<unknown>[] }> {
    const gc = garbageCollector();
    const held = writer as unknown as { heldRow: object };
    const watched: WeakRef<object>[] = [];
    const pending = batch.map((item) => {
      expect(writer.refuse(item)).toBeNull();
      const bytes = writer.serialize(item);
      watched.push(new WeakRef(held.heldRow));
      return writer.write(item, bytes);
    });
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    return { alive: watched.filter((w) => w.deref() !== undefined).length, pending };
  }

  it('lets go of a row group once it is encoded, while its bytes still wait for the disk', async () => {
    const target = await newTarget();
    const writer = await openSinkWriter(target, {});
    for (const item of items.slice(0, ROW_GROUP_ROWS)) await writer.write(item, writer.serialize(item));
    const disk = closedGate();
    gate.writing = disk.wait;
    try {
      const { alive, pending } = await rowsAliveAfter(writer, items.slice(ROW_GROUP_ROWS));
      expect(alive).toBe(0);
      disk.open();
      await Promise.all(pending);
    } finally {
      gate.writing = null;
    }
    await finishSink(target, [await writer.close()], {});
    expect((await openParquet(target.path)).rowGroupRows).toHaveLength(groups);
  });

  it('lets go of row groups written before its file is open', async () => {
    const target = await newTarget();
    const opening = closedGate();
    gate.opening = opening.wait;
    let pending: Promise<unknown>[] = [];
    try {
      const writer = await openSinkWriter(target, {});
      const found = await rowsAliveAfter(writer, items);
      pending = found.pending;
      expect(found.alive).toBe(0);
      opening.open();
      await Promise.all(pending);
      await finishSink(target, [await writer.close()], {});
    } finally {
      gate.opening = null;
      opening.open();
    }
    expect((await openParquet(target.path)).rowGroupRows).toHaveLength(groups);
  });
});
