/**
 * Floor workloads (rows of kind `floor`): what the ingest cannot beat on the same data.
 * - read-only: every byte of the source read, nothing parsed, with the fastest method measured
 *   here: blocking open/read/close into a reused buffer, one thread (no thread-pool round trips,
 *   no promises). Every source is read so now, a large FeatureCollection included: it is streamed in
 *   chunks into reused buffers (feature-stream.ts). Reading into fresh memory would cost first-touch
 *   page faults, which only the `whole-file` variant still pays.
 * - parse-only: `JSON.parse` of the same documents already in memory (loaded before the measured
 *   region), one thread, at the grain the ingest parses them: one per file, per NDJSON line, per
 *   feature of a FeatureCollection (the ingest parses large collections feature by feature, so a
 *   whole-document parse would be no floor). Spread over the cores, it is the CPU floor of any
 *   strategy that parses.
 * - decode-only (Parquet): parquet-wasm decoding the file already in memory into rows, a record
 *   batch at a time (the grain the ingest converts at), no Items built.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableFromIPC } from 'apache-arrow';
import { tableToRows } from '../ingest/decode/arrow-rows.js';
import { scanFeatureCollection } from '../ingest/decode/feature-scan.js';
import { ROW_CHUNK } from '../ingest/decode/parquet-readers.js';
import type { FileFormat } from '../ingest/types.js';

/** The files a source consists of (a catalog: every .json file under its folder). */
export function sourceFiles(format: FileFormat, path: string): string[] {
  if (format === 'directory') {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => join(path, e.name))
      .sort();
  }
  if (format === 'catalog') return walkJson(path.endsWith('.json') ? join(path, '..') : path);
  return [path];
}

function walkJson(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walkJson(p));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

let scratch = Buffer.allocUnsafe(1 << 16);

/** Reads every byte of `files` (bytes read is returned so the work cannot be optimised away). */
export function readOnly(files: string[]): number {
  let bytes = 0;
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      let n: number;
      do {
        n = readSync(fd, scratch, 0, scratch.length, null);
        bytes += n;
        if (n === scratch.length && scratch.length < 1 << 24)
          scratch = Buffer.allocUnsafe(scratch.length * 4);
      } while (n > 0);
    } finally {
      closeSync(fd);
    }
  }
  return bytes;
}

/** The documents to parse, in memory: one per file, or one per NDJSON line. */
export function loadDocuments(format: FileFormat, files: string[]): string[] {
  if (format === 'feature-collection') return files.flatMap(featureTexts);
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  if (format !== 'ndjson') return texts;
  return texts.flatMap((t) => t.split('\n')).filter((line) => line.trim() !== '');
}

/** The text of each feature of a FeatureCollection file (the whole text when it cannot be split). */
function featureTexts(file: string): string[] {
  const bytes = readFileSync(file);
  const slices = scanFeatureCollection(bytes, file);
  if (!slices) return [bytes.toString('utf8')];
  const out: string[] = [];
  for (let i = 0; i < slices.ranges.length; i += 2) {
    out.push(bytes.toString('utf8', slices.ranges[i], slices.ranges[i + 1]));
  }
  return out;
}

/** Parses every document; returns the number of Items found (features of a FeatureCollection). */
export function parseOnly(docs: string[]): number {
  let items = 0;
  for (const doc of docs) {
    const value = JSON.parse(doc) as { type?: string; features?: unknown[] };
    if (value.type === 'Feature') items++;
    else if (Array.isArray(value.features)) items += value.features.length;
  }
  return items;
}

/** Decodes a Parquet file held in memory into rows; returns the number of rows. */
export async function decodeOnly(fileBytes: Uint8Array): Promise<number> {
  const wasm = await import('parquet-wasm');
  const table = tableFromIPC(wasm.readParquet(fileBytes, { batchSize: ROW_CHUNK }).intoIPCStream());
  let rows = 0;
  for (const batch of table.batches) rows += tableToRows(new Table(batch)).length;
  return rows;
}
