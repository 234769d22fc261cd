/** The pipeline contract: source -> [transforms] -> sink, and what a run reports per stage. */
import type { FailureCollector, IngestOptions, SourceFormat, StrategyName } from '../ingest/types.js';
import type { SinkSummary, SinkTarget } from '../output/types.js';
import type { TransformOptions } from '../transform/types.js';

/** Seconds per stage of one run (see docs/architecture.md for what each covers). */
export interface StageSeconds {
  read_parse: number;
  transform: number;
  serialize: number;
  write: number;
}

export interface PipelineOptions {
  source: string;
  format?: SourceFormat;
  collectionId?: string;
  /** Where the stages after ingest run: 'caller' ('sharded' in part 2). */
  placement: 'caller';
  ingest: { strategy: StrategyName; concurrency: number; variant?: string };
  /** More options for the ingest (remote limits, maxItems, batchSize ...); the fields above win. */
  ingestOptions?: IngestOptions;
  transforms: readonly string[];
  transformOptions?: TransformOptions;
  to: SinkTarget;
  signal?: AbortSignal;
  failures?: FailureCollector;
  onProgress?: (written: number) => void;
}

export interface PipelineReport {
  items_in: number;
  written: number;
  invalid: number;
  duplicates: number;
  failures: number;
  /**
   * caller: read_parse = time the caller waited for / spent in the ingest's next Item (read+parse
   * as seen by that thread); transform and serialize = synchronous time; write = awaited write I/O.
   */
  stage_seconds: StageSeconds;
  sink: SinkSummary;
}
