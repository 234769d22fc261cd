/** Sinks: prepare the output once, open one writer or several, finish once on the caller's thread. */
import type { SinkOptions, SinkPart, SinkSummary, SinkTarget, SinkWriter } from './types.js';

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

/** Checks and creates the output (refuses an input, a non-empty folder the tool did not make ...). */
export async function prepareSink(
  _target: SinkTarget,
  _options: SinkOptions & { inputs: readonly string[] },
): Promise<void> {
  throw new Error('prepareSink: not built yet');
}

export async function openSinkWriter(
  _target: SinkTarget,
  _options: SinkOptions,
  _shard?: number,
): Promise<SinkWriter> {
  throw new Error('openSinkWriter: not built yet');
}

/** Writes collection.json (directory) or joins the parts (ndjson), renaming into place. */
export async function finishSink(
  _target: SinkTarget,
  _parts: readonly SinkPart[],
  _options: SinkOptions,
): Promise<SinkSummary> {
  throw new Error('finishSink: not built yet');
}
