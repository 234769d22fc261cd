/**
 * Parquet benchmarks (scenario `parquet`): stac-geoparquet into full STAC Items (rows rebuilt with
 * rowToItem, not rows). The readers side by side as variants of `sequential` — parquet-wasm +
 * apache-arrow, hyparquet and @dsnp/parquetjs, by row group and as one whole-file read — then the
 * ingest path's default reader under each strategy and level, and the floors: read-only (the file's
 * bytes) and decode-only (the default reader decoding the in-memory file into rows, no Items).
 * The two slow readers run fewer measured samples (recorded per row) to keep the run short.
 */
import { readFileSync } from 'node:fs';
import { Table, tableFromIPC } from 'apache-arrow';
import { describe, inject } from 'vitest';
import { readOnlyFloor, runIngest } from '../src/bench/runs.js';
import { tableToRows } from '../src/ingest/decode/arrow-rows.js';
import { DEFAULT_PARQUET_READER, ROW_CHUNK } from '../src/ingest/decode/parquet-readers.js';
import type { IngestOptions } from '../src/ingest/types.js';
import type { DatasetInfo } from '../src/profiling/result.js';
import { measuredBench } from '../src/vitest/measured-bench.js';

const settings = inject('settings');
const data = inject('dataPaths').parquet;

let fileBytes: Uint8Array | null = null;

describe.runIf(data)('parquet', () => {
  if (!data) return;
  const dataset: DatasetInfo = {
    format: 'parquet',
    items: data.items,
    item_bytes_avg: data.itemBytesAvg,
    profile: settings.profile,
    page_size: null,
    latency_ms: null,
  };
  const common = {
    scenario: 'parquet' as const,
    dataset,
    samples: settings.samples,
    warmups: settings.warmups,
  };
  const slow = { samples: Math.min(settings.samples, 2), warmups: Math.min(settings.warmups, 1) };
  const at = (strategy: IngestOptions['strategy'], concurrency: number, variant?: string, fewer = false) => {
    const name = `parquet ${strategy}${variant ? ` ${variant}` : ''} x${concurrency}`;
    measuredBench(name, () => runIngest(data.path, { strategy, concurrency, variant }), {
      ...common,
      ...(fewer ? slow : {}),
      strategy: strategy!,
      concurrency,
      variant: variant ?? null,
    });
  };

  // The readers side by side (sequential: one row group after another, or the whole file at once).
  at('sequential', 1); // the default reader (parquet-wasm), by row group
  at('sequential', 1, `${DEFAULT_PARQUET_READER}+whole-file`);
  at('sequential', 1, 'hyparquet', true);
  at('sequential', 1, 'hyparquet+whole-file', true);
  at('sequential', 1, 'parquetjs', true);

  // The ingest path (default reader) under every strategy.
  for (const c of settings.concurrency) at('concurrent', c);
  for (const w of settings.workers) at('worker-threads', w);

  readOnlyFloor('parquet floor read-only', [data.path], data.items, common);
  measuredBench(
    'parquet floor decode-only',
    async () => {
      fileBytes ??= new Uint8Array(readFileSync(data.path));
      const wasm = await import('parquet-wasm');
      // Decoded, then converted to rows a record batch at a time, the grain the ingest converts at.
      const table = tableFromIPC(wasm.readParquet(fileBytes, { batchSize: ROW_CHUNK }).intoIPCStream());
      let items = 0;
      for (const batch of table.batches) items += tableToRows(new Table(batch)).length;
      return { items };
    },
    {
      ...common,
      kind: 'floor',
      strategy: 'parse-only',
      variant: 'parquet-wasm-decode-in-memory',
      concurrency: 1,
    },
  );
});
