/** How a pipeline run that stopped is reported: the path and reason, and what was written before. */
import { IngestError } from '../ingest/errors.js';
import { SinkError } from '../output/types.js';
import type { PipelineReport } from './types.js';

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

/**
 * The error a stopped run throws. `cause` is what stopped it: a SinkError or IngestError already
 * names its path; anything else is named by the source. `signal` aborted means the user stopped it.
 */
export function stoppedError(
  source: string,
  to: string,
  signal: AbortSignal | undefined,
  cause: unknown,
  figures: Omit<PipelineReport, 'sink'>,
): PipelineError {
  const written = `${figures.written} ${figures.written === 1 ? 'Item was' : 'Items were'} written before it stopped`;
  const aborted = signal?.aborted === true && !(cause instanceof SinkError);
  const reason = signal?.reason;
  const why = aborted
    ? `${to}: the run was aborted${reason instanceof Error && reason.name !== 'AbortError' ? ` (${reason.message})` : ''}`
    : cause instanceof SinkError || cause instanceof IngestError || cause instanceof NamedError
      ? cause.message
      : `${source}: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new PipelineError(`${why}; ${written}`, figures.written, figures, { cause });
}

/** An error whose message already names what it concerns (a share, a worker): shown as it is. */
export class NamedError extends Error {
  override readonly name = 'NamedError';
}
