/** Reading a pipeline's output back, and comparing Items by content. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/index.js';
import type { SinkKind } from '../../src/output/index.js';
import { pipelineWorkers } from '../../src/pipeline/index.js';
import type { StacItem } from '../../src/stac/item.js';

/** The same JSON value with its object keys sorted, as a hash: equal content, equal hash. */
export function canonicalHash(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(sort(value)))
    .digest('hex');
}

/**
 * The Items of an output, read back (an items directory: the items folder of every collection; a
 * stac-geoparquet file or dataset folder: by the project's own ingest).
 */
export async function readOutput(kind: SinkKind, path: string): Promise<StacItem[]> {
  if (kind === 'parquet') {
    const files = (await stat(path)).isDirectory()
      ? (await readdir(path)).filter((f) => f.endsWith('.parquet')).map((f) => join(path, f))
      : [path];
    const out: StacItem[] = [];
    for (const file of files) for await (const item of ingest(file)) out.push(item);
    return out;
  }
  if (kind === 'ndjson') {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  }
  const out: StacItem[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(path, entry.name, 'items');
    for (const name of await readdir(folder))
      out.push(JSON.parse(await readFile(join(folder, name), 'utf8')));
  }
  return out;
}

/** Each Item of an output as `id hash`, sorted: equal lists, the same Items with the same content. */
export function contentList(items: readonly StacItem[]): string[] {
  return items.map((i) => `${i.id} ${canonicalHash(i)}`).sort();
}

/** An `onProgress` that terminates the sharded placement's second worker once `after` Items are written (once). */
export function killSecondWorkerAfter(after: number): (written: number) => void {
  let killed = false;
  return (written) => {
    if (killed || written < after) return;
    killed = true;
    void pipelineWorkers(2)[1]!.terminate();
  };
}
