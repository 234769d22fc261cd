/**
 * File ingest benchmarks: scenarios directory, feature-collection, ndjson and catalog on the
 * settings' data. Per scenario: `sequential` at 1 (the seed's algorithm: readFile then JSON.parse,
 * one file after another), `concurrent` at the async levels, `worker-threads` at the worker levels,
 * the variants worth comparing, and the floors (read-only, parse-only) on the same data.
 * The worker pool stays alive between benches (as in a long-running service): starting a worker
 * costs ~0.3 s here and falls in the warm-up runs. Its workers are unref'd and end with the process.
 *
 * UV_THREADPOOL_SIZE is fixed when a process first uses libuv's thread pool, which vitest has done
 * long before a bench file runs, so another pool size cannot be a variant inside this process. The
 * runner measures it in a separate run per size (`--uv-threadpool`): with `settings.uvSweep` set,
 * this file measures only the directory's `concurrent` rows, as variant `uv-threadpool-N`.
 */
import { describe, inject } from 'vitest';
import { readOnlyFloor, runIngest } from '../src/bench/runs.js';
import { loadDocuments, parseOnly, sourceFiles } from '../src/bench/floors.js';
import type { FileFormat, IngestOptions } from '../src/ingest/types.js';
import type { DatasetInfo, Scenario } from '../src/profiling/result.js';
import { uvThreadpoolSize } from '../src/profiling/environment.js';
import { measuredBench } from '../src/vitest/measured-bench.js';

const settings = inject('settings');
const dataPaths = inject('dataPaths');

const SCENARIOS: FileFormat[] = ['directory', 'feature-collection', 'ndjson', 'catalog'];

/** Documents held in memory for the parse-only floor of one scenario at a time. */
let loaded: { format: FileFormat; docs: string[] } | null = null;
function documents(format: FileFormat, files: string[]): string[] {
  if (loaded?.format !== format) loaded = { format, docs: loadDocuments(format, files) };
  return loaded.docs;
}

/** A run for one other libuv pool size (settings.uvSweep): only the directory's concurrent rows. */
const sweep = settings.uvSweep;
if (sweep !== null) {
  const actual = uvThreadpoolSize(process.env);
  if (actual !== sweep) throw new Error(`UV_THREADPOOL_SIZE is ${actual} in this process, expected ${sweep}`);
}

for (const format of SCENARIOS) {
  const data = dataPaths[format];
  if (!data) continue;
  if (sweep !== null && format !== 'directory') continue;
  const scenario = format as Scenario;
  const dataset: DatasetInfo = {
    format,
    items: data.items,
    item_bytes_avg: data.itemBytesAvg,
    profile: settings.directory ? 'user' : settings.profile,
    page_size: null,
    latency_ms: null,
  };
  const common = { scenario, dataset, samples: settings.samples, warmups: settings.warmups };
  const at = (strategy: IngestOptions['strategy'], concurrency: number, variant?: string) => {
    const name = `${format} ${strategy}${variant ? ` ${variant}` : ''} x${concurrency}`;
    const run = () => {
      if (loaded?.format !== format) loaded = null; // free the previous scenario's documents
      return runIngest(data.path, { strategy, concurrency, variant });
    };
    measuredBench(name, run, {
      ...common,
      strategy: strategy!,
      concurrency,
      variant: variant ?? null,
    });
  };

  if (sweep !== null) {
    describe(scenario, () => {
      for (const c of settings.concurrency) {
        measuredBench(
          `${format} concurrent uv-threadpool-${sweep} x${c}`,
          () => runIngest(data.path, { strategy: 'concurrent', concurrency: c }),
          { ...common, strategy: 'concurrent', concurrency: c, variant: `uv-threadpool-${sweep}` },
        );
      }
    });
    continue;
  }

  describe(scenario, () => {
    at('sequential', 1);
    // A FeatureCollection is one job (one file, read once, its features parsed as the caller pulls):
    // more reads in flight or more workers have nothing to do, so only the smallest levels are measured.
    const oneJob = format === 'feature-collection';
    for (const c of oneJob ? settings.concurrency.slice(0, 1) : settings.concurrency) at('concurrent', c);
    for (const w of oneJob ? settings.workers.slice(0, 1) : settings.workers) at('worker-threads', w);
    if (format === 'directory') {
      // The other hand-overs, at the middle worker level, measured where the most Items cross threads
      // per byte read: workers that parse too, each Item crossing as its JSON text (parse-in-worker)
      // or as a structured clone (clone); the default has workers only read.
      const middle = settings.workers[Math.floor((settings.workers.length - 1) / 2)] ?? 2;
      at('worker-threads', middle, 'parse-in-worker');
      at('worker-threads', middle, 'clone');
    }
    if (format === 'ndjson') {
      // Whole-file parse against the default 1 MiB byte ranges.
      at('sequential', 1, 'whole-file');
      at('concurrent', Math.max(...settings.concurrency), 'whole-file');
      // Workers that parse the lines too (each Item crossing as its JSON text).
      at(
        'worker-threads',
        settings.workers[Math.floor((settings.workers.length - 1) / 2)] ?? 2,
        'parse-in-worker',
      );
    }
    // One JSON.parse of the whole collection against the default feature-by-feature parse.
    if (format === 'feature-collection') at('sequential', 1, 'whole-file');

    const files = sourceFiles(format, data.path);
    readOnlyFloor(`${format} floor read-only`, files, data.items, common);
    measuredBench(
      `${format} floor parse-only`,
      async () => ({ items: parseOnly(documents(format, files)) }),
      { ...common, kind: 'floor', strategy: 'parse-only', variant: 'json-parse-in-memory', concurrency: 1 },
    );
  });
}
