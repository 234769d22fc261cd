/** One fixed results file for the report tests: every kind of row the renderer must handle. */
import { analyze } from '../../src/profiling/analysis.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { CONFIG, ENVIRONMENT, resultsFile, row } from './analysis-fixtures.js';

const api = { scenario: 'api-search' as const };
const http = (requests: number, peak: number) => ({ requests, retries: 0, peak_in_flight: peak });
// Parquet's item_bytes_avg is compressed bytes per row, far below an Item's JSON size.
const parquet = { scenario: 'parquet' as const, dataset: { item_bytes_avg: 257 } };

export function reportFixture(): ResultsFile {
  const results = [
    row({ strategy: 'sequential', tp: 2500, elu: 0.96, cpuCores: 1.05, mem: 40.25 }),
    row({ strategy: 'concurrent', concurrency: 5, tp: 2600, elu: 0.97, cpuCores: 1.1, mem: 48, failures: 2 }),
    row({ strategy: 'concurrent', concurrency: 10, error: 'EMFILE: too many open files | 3 times' }),
    row({
      strategy: 'worker-threads',
      concurrency: 1,
      tp: 2400,
      elu: 0.3,
      workerElu: 0.97,
      cpuCores: 1.1,
      mem: 70,
    }),
    row({
      strategy: 'worker-threads',
      concurrency: 2,
      tp: 4700,
      elu: 0.45,
      workerElu: 0.95,
      cpuCores: 1.9,
      mem: 95,
    }),
    row({ kind: 'floor', strategy: 'read-only', tp: 40_000, elu: 0.4, mem: 5 }),
    row({ kind: 'floor', strategy: 'parse-only', tp: 6000, elu: 1, samples: 1, mem: 12 }),
    row({ ...parquet, strategy: 'sequential', variant: 'hyparquet', tp: 11_000, mem: 60 }),
    row({ ...parquet, strategy: 'sequential', variant: 'arrow', tp: 6000, mem: 45 }),
    row({
      ...api,
      strategy: 'sequential',
      tp: 1600,
      elu: 0.12,
      cpuCores: 0.15,
      mem: 30,
      http: http(100, 1),
      serverCpuCores: 0.1,
    }),
    row({
      ...api,
      strategy: 'concurrent',
      concurrency: 5,
      tp: 7000,
      elu: 0.4,
      cpuCores: 0.5,
      mem: 40,
      http: http(100, 5),
      serverCpuCores: 0.3,
    }),
    row({
      ...api,
      strategy: 'concurrent',
      concurrency: 10,
      tp: 9200,
      elu: 0.55,
      cpuCores: 0.7,
      mem: 52,
      rme: 7,
      http: http(100, 10),
      serverCpuCores: 0.45,
    }),
    ...[
      [1, 1900, 0.1],
      [5, 9000, 0.35],
      [10, 19_000, 0.6],
    ].map(([concurrency, tp, serverCpuCores]) =>
      row({
        ...api,
        kind: 'floor',
        strategy: 'pages',
        variant: 'bodies-discarded',
        concurrency,
        tp,
        serverCpuCores,
      }),
    ),
  ];
  return resultsFile(results, analyze(results, CONFIG, ENVIRONMENT));
}
