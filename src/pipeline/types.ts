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

/** Where the stages after ingest run (docs/architecture.md, "Pipelines"). */
export const PLACEMENTS = ['caller', 'sharded'] as const;
export type Placement = (typeof PLACEMENTS)[number];

interface PipelineBase {
  source: string;
  format?: SourceFormat;
  collectionId?: string;
  /**
   * More options for the ingest (remote limits, maxItems, batchSize ...); the fields of the
   * placement win. `sharded` uses maxItems, batchSize and the variant's Parquet reader.
   */
  ingestOptions?: IngestOptions;
  transforms: readonly string[];
  transformOptions?: TransformOptions;
  to: SinkTarget;
  signal?: AbortSignal;
  failures?: FailureCollector;
  onProgress?: (written: number) => void;
}

/** `caller`: an ingest strategy and level hand Items to the caller's thread, which does the rest. */
export interface CallerPipeline extends PipelineBase {
  placement: 'caller';
  ingest: { strategy: StrategyName; concurrency: number; variant?: string };
}

/** `sharded`: `workers` workers each read, parse, transform, serialize and write their shares. */
export interface ShardedPipeline extends PipelineBase {
  placement: 'sharded';
  workers: number;
}

export type PipelineOptions = CallerPipeline | ShardedPipeline;

export interface PipelineReport {
  items_in: number;
  written: number;
  invalid: number;
  duplicates: number;
  failures: number;
  /**
   * caller: read_parse = time the caller waited for / spent in the ingest's next Item (read+parse
   * as seen by that thread); transform and serialize = synchronous time; write = awaited write I/O.
   * sharded: each stage summed over the workers (each worker's own time: its reads and parsing,
   * not its waits for a share), plus the caller's finishSink in write.
   */
  stage_seconds: StageSeconds;
  sink: SinkSummary;
}
