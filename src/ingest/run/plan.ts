/** The plan of one source: the jobs a strategy runs, and how finished jobs lead to more (catalog links). */
import type { IngestFailure, SourceFormat } from '../types.js';
import type { Job, JobResult } from './jobs.js';

/** What a strategy runs for one source. */
export interface Plan {
  format: SourceFormat;
  jobs: Job[];
  /**
   * Jobs discovered from a finished job (catalog links); may throw a SourceError for a fatal result.
   * Links it refuses are added to `result.failures`.
   */
  follow(job: Job, result: JobResult): Job[];
  /** Inputs found unreadable while planning (directory entries that are not regular files). */
  failures?: IngestFailure[];
}
