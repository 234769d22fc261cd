/**
 * The workload of each case (src/bench/cases.ts): one run as a RunOutcome. The measured work is
 * exactly the ingest, or the floor; what a floor needs in memory is loaded before its first run.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiReport, ingestApi, newApiReport } from '../ingest/api/index.js';
import { newPace, type PaceState } from '../ingest/api/pace.js';
import { ingest, newIngestStats } from '../ingest/index.js';
import { FailureCollector, type HttpStats } from '../ingest/types.js';
import { uvThreadpoolSize } from '../profiling/environment.js';
import type { StacItem } from '../stac/item.js';
import type { RunOutcome, Workload } from '../vitest/measured-bench.js';
import { type CollectionPages, fetchPages } from './api-floor.js';
import type { ApiCase, ApiIngestOptions, FileCase, FileIngestOptions } from './cases.js';
import { decodeOnly, type HeldDocuments, loadDocuments, parseOnly, readOnly, sourceFiles } from './floors.js';
import { writeWith } from './parquet-writers.js';
import type { BenchSettings } from './settings.js';

/** The first `count` Items of a source, read with the library's default path. */
async function readItems(path: string, count: number): Promise<{ items: StacItem[] }> {
  const items: StacItem[] = [];
  for await (const item of ingest(path, { maxItems: count })) items.push(item);
  return { items };
}

/** Ingests `path` once, counting items and failures. */
export async function runIngest(path: string, options: FileIngestOptions): Promise<RunOutcome> {
  const failures = new FailureCollector();
  const stats = newIngestStats();
  let items = 0;
  for await (const _item of ingest(path, { ...options, failures, stats })) items++;
  return { items, failures: failures.count, workerElu: stats.workerElu };
}

/**
 * The workload of a file case. A floor loads what it needs in memory before each series of its runs
 * and drops it after (it is measured between the rows it bounds, which must not carry it).
 */
export function fileRun(c: FileCase): Workload {
  const work = c.work;
  const items = c.meta.dataset.items;
  switch (work.run) {
    case 'ingest':
      return { run: () => runIngest(work.source, work.options) };
    case 'read-only': {
      const files = sourceFiles(work.format, work.source);
      return { run: async () => ({ items: readOnly(files) > 0 ? items : 0 }) };
    }
    case 'parse-only': {
      const files = sourceFiles(work.format, work.source);
      let docs: HeldDocuments[] | null = null;
      return {
        load: () => {
          docs = loadDocuments(work.format, files);
        },
        run: async () => ({ items: parseOnly(docs ?? loadDocuments(work.format, files)) }),
        unload: () => {
          docs = null;
        },
      };
    }
    case 'write': {
      let held: StacItem[] | null = null;
      let n = 0;
      const target = join(tmpdir(), `stac-bench-write-${process.pid}-${work.writer}.parquet`);
      return {
        load: async () => {
          held = (await readItems(work.source, work.items)).items;
        },
        run: async () => {
          const items = held ?? (await readItems(work.source, work.items)).items;
          // A new path per run: no writer gets to overwrite a file another run left.
          const path = `${target}.${n++}`;
          try {
            await writeWith(work.writer, items, path);
          } finally {
            await rm(path, { force: true });
          }
          return { items: items.length };
        },
        unload: () => {
          held = null;
        },
      };
    }
    case 'decode-only': {
      let bytes: Uint8Array | null = null;
      return {
        load: () => {
          bytes = new Uint8Array(readFileSync(work.source));
        },
        run: async () => ({ items: await decodeOnly(bytes ?? new Uint8Array(readFileSync(work.source))) }),
        unload: () => {
          bytes = null;
        },
      };
    }
  }
}

/** One request-rate schedule per bench process and cap: --max-rps holds across runs and rows. */
const paces = new Map<number, PaceState>();
export function paceFor(maxRps: number): PaceState {
  let pace = paces.get(maxRps);
  if (!pace) {
    pace = newPace(maxRps);
    paces.set(maxRps, pace);
  }
  return pace;
}

/** Searches the API once; the run's report (how the search was split) goes into `reports`. */
async function runSearch(
  url: string,
  options: ApiIngestOptions,
  reports: Map<string, ApiReport>,
): Promise<RunOutcome> {
  const http: HttpStats = { requests: 0, retries: 0, peak_in_flight: 0 };
  const report = newApiReport();
  const failures = new FailureCollector();
  const stats = newIngestStats();
  const { maxRps, ...search } = options;
  const pace = maxRps === undefined ? undefined : paceFor(maxRps);
  let items = 0;
  for await (const _item of ingestApi(url, { ...search, pace, http, failures, stats, report })) items++;
  reports.set(`${options.collectionId} ${options.strategy} x${options.concurrency}`, report);
  return {
    items,
    http,
    failures: failures.count,
    workerElu: stats.workerElu,
    duplicatesDropped: report.duplicatesDropped,
  };
}

/**
 * The run of an api-search case; the searches' last reports are kept in `reports` by row. A pages
 * floor fetches the pages collected for its collection in `pages` (before the measured runs); it
 * reports the collection's Items, which it does not parse, once every page has arrived whole.
 */
export function apiRun(
  c: ApiCase,
  reports: Map<string, ApiReport>,
  pages: ReadonlyMap<string, CollectionPages> = new Map(),
): () => Promise<RunOutcome> {
  const work = c.work;
  if (work.run === 'ingest') return () => runSearch(work.url, work.options, reports);
  const collection = pages.get(work.collectionId);
  if (!collection) throw new Error(`${c.name}: the pages of ${work.collectionId} were not collected`);
  return async () => {
    const got = await fetchPages(collection.urls, work.inFlight);
    // The server's pages do not change: other bytes mean another page arrived, or part of one.
    if (got.bytes !== collection.bytes)
      throw new Error(`${c.name}: fetched ${got.bytes} bytes, the pages held ${collection.bytes}`);
    return {
      items: collection.items,
      http: { requests: got.requests, retries: 0, peak_in_flight: got.peakInFlight },
    };
  };
}

/** One line on how a search was split: partitions, items per partition, probes, duplicates. */
export function describeReport(name: string, r: ApiReport): string {
  const items = r.partitions.map((p) => p.items).sort((a, b) => a - b);
  const mid = items[Math.floor(items.length / 2)] ?? 0;
  return (
    `${name}: ${r.method} ${r.partitions.length} partition(s), items per partition ` +
    `min ${items[0] ?? 0} / median ${mid} / max ${items.at(-1) ?? 0}, ${r.probes} probes, ` +
    `${r.duplicatesDropped} duplicates dropped`
  );
}

/**
 * A run for another libuv pool size (settings.uvSweep) must have been started with it: the size is
 * fixed when a process first uses the pool, long before a bench file runs.
 */
export function checkUvSweep(settings: BenchSettings, env: NodeJS.ProcessEnv = process.env): void {
  const sweep = settings.uvSweep;
  if (sweep === null) return;
  const actual = uvThreadpoolSize(env);
  if (actual !== sweep) throw new Error(`UV_THREADPOOL_SIZE is ${actual} in this process, expected ${sweep}`);
}
