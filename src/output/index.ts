/**
 * Sinks: `prepareSink` once (checks and creates the output), `openSinkWriter` once per writer (the
 * caller's, or one per worker, each with its shard number), `finishSink` once on the caller's
 * thread with every writer's part (collection.json, the NDJSON file or the Parquet output renamed
 * into place).
 */
import { DirectoryWriter, finishDirectory } from './directory.js';
import { finishNdjson, NdjsonWriter } from './ndjson.js';
import { finishParquet, ParquetSinkWriter } from './parquet.js';
import { prepareTarget } from './prepare.js';
import type { SinkKind, SinkOptions, SinkPart, SinkSummary, SinkTarget, SinkWriter } from './types.js';

export { itemLabel, MARKER } from './layout.js';
export type {
  SinkExtent,
  SinkKind,
  SinkOptions,
  SinkPart,
  SinkSummary,
  SinkTarget,
  SinkWriter,
} from './types.js';
export { SinkError } from './types.js';

export const SINK_KINDS: readonly SinkKind[] = ['directory', 'ndjson', 'parquet'];

/**
 * The sink a path names: NDJSON for `.ndjson` / `.jsonl`, stac-geoparquet for `.parquet` /
 * `.geoparquet`, an items directory otherwise.
 */
export function sinkTargetFor(path: string): SinkTarget {
  const kind = /\.(ndjson|jsonl)$/i.test(path)
    ? 'ndjson'
    : /\.(geo)?parquet$/i.test(path)
      ? 'parquet'
      : 'directory';
  return { kind, path };
}

/** Checks and creates the output (see prepare.ts for what is refused); a SinkError names the path. */
export async function prepareSink(
  target: SinkTarget,
  options: SinkOptions & { inputs: readonly string[] },
): Promise<void> {
  await prepareTarget(target, options.inputs);
}

export async function openSinkWriter(
  target: SinkTarget,
  options: SinkOptions,
  shard?: number,
): Promise<SinkWriter> {
  if (target.kind === 'directory') return new DirectoryWriter(target.path, options, shard);
  if (target.kind === 'parquet') return new ParquetSinkWriter(target.path, options, shard);
  return new NdjsonWriter(target.path, options, shard);
}

/**
 * Writes collection.json (directory), joins the parts (ndjson), or puts the Parquet file or dataset
 * folder in place (parquet), renaming into place.
 */
export async function finishSink(
  target: SinkTarget,
  parts: readonly SinkPart[],
  options: SinkOptions,
): Promise<SinkSummary> {
  if (target.kind === 'directory') {
    await finishDirectory(target.path, parts, options);
    return {
      path: target.path,
      kind: target.kind,
      written: parts.reduce((n, p) => n + p.written, 0),
      duplicates: parts.reduce((n, p) => n + p.duplicates, 0),
    };
  }
  const { written, duplicates } =
    target.kind === 'parquet'
      ? await finishParquet(target.path, parts, options)
      : await finishNdjson(target.path, parts);
  return { path: target.path, kind: target.kind, written, duplicates };
}
