/**
 * runPipeline: source -> [transforms] -> serialize -> write, with the `caller` placement: an ingest
 * strategy hands Items to this thread, which transforms, serializes and writes each one. Writes
 * overlap (at most WRITES_IN_FLIGHT at once); when that many are pending the loop waits, so the
 * ingest is not pulled and its own backpressure holds the reading back.
 *
 * Stage times (performance.now() around each stage on this thread): `read_parse` is the time spent
 * in the ingest's `next()` (waiting for an Item, and decoding or parsing it here when the strategy
 * does that on this thread); `transform` and `serialize` are synchronous time; `write` is the time
 * this thread waited for write I/O (a full window, the final drain, close and finish).
 *
 * A sink error or an abort stops the ingest, aborts the writer (no partial Item file: temp files
 * are removed) and throws a PipelineError naming the path and saying how many Items were written.
 */
import { stat } from 'node:fs/promises';
import { IngestError } from '../ingest/errors.js';
import { ingest } from '../ingest/index.js';
import { isUrl } from '../ingest/io/reading.js';
import { FailureCollector, SourceError } from '../ingest/types.js';
import { finishSink, itemLabel, openSinkWriter, prepareSink, type SinkOptions } from '../output/index.js';
import { SinkError } from '../output/types.js';
import type { StacItem } from '../stac/item.js';
import { loadTransforms } from '../transform/index.js';
import { sourceCollection } from './collection.js';
import type { PipelineOptions, PipelineReport, StageSeconds } from './types.js';

export type { PipelineOptions, PipelineReport, StageSeconds } from './types.js';

/** Writes pending at once: enough to overlap write I/O, few enough to bound memory. */
export const WRITES_IN_FLIGHT = 16;

/** A run that stopped: the path and reason, the Items written before it, and the figures so far. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    message: string,
    readonly written: number,
    readonly report: Omit<PipelineReport, 'sink'>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  if (options.placement !== 'caller') {
    throw new TypeError(`placement must be 'caller', got '${String(options.placement)}'`);
  }
  const transforms = await loadTransforms(options.transforms, {
    ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
    ...options.transformOptions,
  });
  // A source that is not there is reported before the output is touched.
  if (!isUrl(options.source) && !(await stat(options.source).catch(() => null))) {
    throw new SourceError(options.source, 'no such file or directory');
  }
  const failures = options.failures ?? new FailureCollector();
  const collection = await sourceCollection(options.source);
  const sinkOptions: SinkOptions = {
    collection,
    ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
  };
  await prepareSink(options.to, { ...sinkOptions, inputs: [options.source] });
  const writer = await openSinkWriter(options.to, sinkOptions);

  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const stages: StageSeconds = { read_parse: 0, transform: 0, serialize: 0, write: 0 };
  const counts = { items_in: 0, written: 0, invalid: 0, duplicates: 0 };
  let failed: unknown = null;
  const report = (): Omit<PipelineReport, 'sink'> => ({
    items_in: counts.items_in,
    written: counts.written,
    invalid: counts.invalid,
    duplicates: counts.duplicates,
    failures: failures.count,
    stage_seconds: seconds(stages),
  });

  // Writes pending, and the loop's wake-up when one settles (only the loop ever waits).
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const settled = (): void => {
    inFlight--;
    const w = wake;
    wake = null;
    w?.();
  };
  const below = async (n: number): Promise<void> => {
    while (inFlight >= n) await new Promise<void>((resolve) => (wake = resolve));
  };
  const write = (item: StacItem, bytes: Uint8Array): void => {
    inFlight++;
    writer.write(item, bytes).then(
      (result) => {
        if (result === 'written') {
          counts.written++;
          options.onProgress?.(counts.written);
        } else counts.duplicates++;
        settled();
      },
      (e) => {
        failed ??= e;
        stop.abort(e);
        settled();
      },
    );
  };

  const items = ingest(options.source, {
    ...options.ingestOptions,
    strategy: options.ingest.strategy,
    concurrency: options.ingest.concurrency,
    ...(options.ingest.variant !== undefined ? { variant: options.ingest.variant } : {}),
    ...(options.format !== undefined ? { format: options.format } : {}),
    ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
    failures,
    signal: stop.signal,
  })[Symbol.asyncIterator]();

  try {
    let t = performance.now();
    while (failed === null) {
      const step = await items.next();
      let now = performance.now();
      stages.read_parse += now - t;
      if (step.done) break;
      const index = counts.items_in++;
      let item: StacItem | null = step.value;
      for (const transform of transforms) {
        const result = transform.apply(item);
        if ('failure' in result) {
          counts.invalid++;
          failures.add(`${options.source} ${itemLabel(step.value, index)}`, result.failure);
          item = null;
          break;
        }
        item = result.item;
      }
      t = performance.now();
      stages.transform += t - now;
      if (item === null) continue;
      const refused = writer.refuse(item);
      if (refused !== null) {
        failures.add(`${options.source} ${itemLabel(item, index)}`, `not written: ${refused}`);
        continue;
      }
      const bytes = writer.serialize(item);
      now = performance.now();
      stages.serialize += now - t;
      write(item, bytes);
      if (inFlight >= WRITES_IN_FLIGHT) await below(WRITES_IN_FLIGHT);
      t = performance.now();
      stages.write += t - now;
    }
    const drained = performance.now();
    await below(1);
    if (failed === null && stop.signal.aborted) failed = stop.signal.reason ?? new Error('aborted');
    if (failed !== null) throw failed;
    const part = await writer.close();
    const sink = await finishSink(options.to, [part], sinkOptions);
    stages.write += performance.now() - drained;
    return { ...report(), written: sink.written, duplicates: sink.duplicates, sink };
  } catch (e) {
    // A failed write aborted the ingest: its error, not the abort it caused, is the reason.
    const cause = failed ?? e;
    stop.abort(cause);
    await items.return?.().catch(() => undefined);
    await below(1);
    await writer.abort().catch(() => undefined);
    throw stopped(options, cause, report());
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The error a stopped run throws: the path and the reason, and how many Items were written. */
function stopped(
  options: PipelineOptions,
  cause: unknown,
  figures: Omit<PipelineReport, 'sink'>,
): PipelineError {
  const written = `${figures.written} ${figures.written === 1 ? 'Item was' : 'Items were'} written before it stopped`;
  const aborted = options.signal?.aborted === true && !(cause instanceof SinkError);
  const reason = options.signal?.reason;
  const why = aborted
    ? `${options.to.path}: the run was aborted${reason instanceof Error && reason.name !== 'AbortError' ? ` (${reason.message})` : ''}`
    : cause instanceof SinkError || cause instanceof IngestError
      ? cause.message
      : `${options.source}: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new PipelineError(`${why}; ${written}`, figures.written, figures, { cause });
}

function seconds(stages: StageSeconds): StageSeconds {
  return {
    read_parse: stages.read_parse / 1000,
    transform: stages.transform / 1000,
    serialize: stages.serialize / 1000,
    write: stages.write / 1000,
  };
}
