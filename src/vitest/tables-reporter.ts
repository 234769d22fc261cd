/**
 * vitest's benchmark reporter without its closing "BENCH Summary": that summary ranks each
 * `describe` block's benches by mean time, floors included, so it names a floor (a bound on what
 * the ingest could reach, not a way to ingest) as the winner. The per-bench tables stay; the
 * project's own summary and findings follow the run (src/report/summary.ts).
 */
import { BenchmarkReporter } from 'vitest/node';

export class TablesReporter extends BenchmarkReporter {
  override reportBenchmarkSummary(): void {}
}
