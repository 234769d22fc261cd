/**
 * runPipeline: source -> [transforms] -> serialize -> write, in one of two placements:
 * - `caller`: an ingest strategy hands Items to this thread, which transforms, serializes and
 *   writes each one (drive.ts: the loop, its write window and its stage times);
 * - `sharded` (sharded.ts): N workers each read, parse, transform, serialize and write their
 *   shares of the source with their own sink writer; this thread plans, gathers and finishes.
 *
 * Stage times for `caller`: `read_parse` is the time spent in the ingest's `next()` (waiting for an
 * Item, and decoding or parsing it here when the strategy does that on this thread); `transform`
 * and `serialize` are synchronous time; `write` is the time this thread waited for write I/O (a
 * full window, the final drain, close and finish).
 *
 * A sink error or an abort stops the ingest, aborts the writer (no partial Item file: temp files
 * are removed) and throws a PipelineError naming the path and saying how many Items were written.
 */
import { stat } from 'node:fs/promises';
import { ingest } from '../ingest/index.js';
import { isUrl } from '../ingest/io/reading.js';
import { FailureCollector, SourceError } from '../ingest/types.js';
import { finishSink, openSinkWriter, prepareSink, type SinkOptions } from '../output/index.js';
import { loadTransforms } from '../transform/index.js';
import { sourceCollection } from './collection.js';
import { Driver } from './drive.js';
import { stoppedError } from './errors.js';
import { runSharded } from './sharded.js';
import type { PipelineOptions, PipelineReport } from './types.js';

export { WRITES_IN_FLIGHT, WriteWindow } from './drive.js';
export { PipelineError } from './errors.js';
export { closePipelinePool, PIPELINE_WORKER_HEAP_MB, pipelineWorkers } from './sharded.js';
export type { PipelineOptions, PipelineReport, Placement, StageSeconds } from './types.js';
export { PLACEMENTS } from './types.js';

export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  const placement: unknown = options.placement;
  if (placement !== 'caller' && placement !== 'sharded') {
    throw new TypeError(`placement must be 'caller' or 'sharded', got '${String(placement)}'`);
  }
  if (options.placement === 'sharded') {
    const workers = options.workers;
    if (!(Number.isInteger(workers) && workers >= 1)) {
      throw new TypeError(`workers must be a whole number >= 1, got ${workers}`);
    }
  }
  const transformOptions = {
    ...(options.collectionId !== undefined ? { collectionId: options.collectionId } : {}),
    ...options.transformOptions,
  };
  const transforms = await loadTransforms(options.transforms, transformOptions);
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
  if (options.placement === 'sharded') {
    return runSharded(options, { failures, sinkOptions, transformOptions });
  }
  await prepareSink(options.to, { ...sinkOptions, inputs: [options.source] });
  const writer = await openSinkWriter(options.to, sinkOptions);

  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const driver = new Driver({
    transforms,
    writer,
    source: options.source,
    failures,
    stop,
    onWritten: options.onProgress,
  });
  const report = (): Omit<PipelineReport, 'sink'> => ({
    ...driver.counts,
    failures: failures.count,
    stage_seconds: driver.seconds(),
  });

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
    await driver.run(items);
    const finishing = performance.now();
    const part = await writer.close();
    const sink = await finishSink(options.to, [part], sinkOptions);
    driver.ms.write += performance.now() - finishing;
    return { ...report(), written: sink.written, duplicates: sink.duplicates, sink };
  } catch (e) {
    // A failed write aborted the ingest: its error, not the abort it caused, is the reason.
    const cause = driver.failed ?? e;
    stop.abort(cause);
    await items.return?.().catch(() => undefined);
    await driver.settle();
    await writer.abort().catch(() => undefined);
    throw stoppedError(options.source, options.to.path, options.signal, cause, report());
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
