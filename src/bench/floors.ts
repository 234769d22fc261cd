/**
 * Floor workloads (rows of kind `floor`): what the ingest cannot beat on the same data.
 * - read-only: every byte of the source read, nothing parsed, with the fastest method measured
 *   here: blocking open/read/close into a reused buffer, one thread (no thread-pool round trips,
 *   no promises). Every source is read so now, a large FeatureCollection included: it is streamed in
 *   chunks into reused buffers (feature-stream.ts). Reading into fresh memory would cost first-touch
 *   page faults, which only the `whole-file` variant still pays.
 * - parse-only: the same documents' bytes already in memory (loaded before the measured region),
 *   each decoded to text and `JSON.parse`d lazily, one at a time, on one thread, at the grain and
 *   with the decoding the ingest uses: one per file, per NDJSON line, per feature of a
 *   FeatureCollection (the ingest parses large collections feature by feature, so a whole-document
 *   parse would be no floor). Spread over the cores, it is the CPU floor of any strategy that parses.
 * - decode-only (Parquet): the default reader (parquet-wasm) decoding the file already in memory
 *   into rows, a row group at a time in record batches (the grain the ingest converts at), no Items
 *   built.
 * The bench measures each floor between the rows it bounds (src/vitest/measured-scenario.ts).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableFromIPC } from 'apache-arrow';
import { tableToRows } from '../ingest/decode/arrow-rows.js';
import { scanFeatureCollection } from '../ingest/decode/feature-scan.js';
import { lineSlices } from '../ingest/decode/ndjson.js';
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

/**
 * Documents held as the ingest has them just before parsing: bytes in memory, each document a
 * [start, end) range of them, decoded as latin1 when every byte is ASCII (as feature and line slices
 * are) and as UTF-8 otherwise.
 */
export interface HeldDocuments {
  bytes: Buffer;
  ranges: Int32Array;
  ascii: boolean;
}

/** The documents to parse, as bytes: one per file, per NDJSON line, per feature of a collection. */
export function loadDocuments(format: FileFormat, files: string[]): HeldDocuments[] {
  if (format === 'ndjson') {
    return files.map((f) => {
      const slices = lineSlices(f, readFileSync(f), 0, 0);
      return { bytes: slices.bytes, ranges: slices.ranges, ascii: slices.ascii };
    });
  }
  if (format === 'feature-collection') return files.map(featureDocuments);
  // One file, one document: the ingest decodes a small file straight to UTF-8 text.
  const parts = files.map((f) => readFileSync(f));
  const ranges = new Int32Array(parts.length * 2);
  let at = 0;
  parts.forEach((part, i) => {
    ranges[2 * i] = at;
    at += part.length;
    ranges[2 * i + 1] = at;
  });
  return [{ bytes: Buffer.concat(parts), ranges, ascii: false }];
}

/** The features of a FeatureCollection file (the whole text when it cannot be split). */
function featureDocuments(file: string): HeldDocuments {
  const bytes = readFileSync(file);
  const slices = scanFeatureCollection(bytes, file);
  if (slices) return { bytes, ranges: slices.ranges, ascii: slices.ascii };
  return { bytes, ranges: Int32Array.of(0, bytes.length), ascii: false };
}

/**
 * Decodes and parses every document, one at a time (no document's text outlives its parse);
 * returns the number of Items found (features of a FeatureCollection).
 */
export function parseOnly(held: readonly HeldDocuments[]): number {
  let items = 0;
  for (const { bytes, ranges, ascii } of held) {
    const encoding = ascii ? 'latin1' : 'utf8';
    for (let i = 0; i < ranges.length; i += 2) {
      const value = JSON.parse(bytes.toString(encoding, ranges[i], ranges[i + 1])) as {
        type?: string;
        features?: unknown[];
      };
      if (value.type === 'Feature') items++;
      else if (Array.isArray(value.features)) items += value.features.length;
    }
  }
  return items;
}

/**
 * Decodes a Parquet file held in memory the way the default reader does (parquet-wasm, one row group
 * at a time, record batches of ROW_CHUNK rows converted to rows); returns the number of rows.
 */
export async function decodeOnly(fileBytes: Uint8Array): Promise<number> {
  const wasm = await import('parquet-wasm');
  const file = await wasm.ParquetFile.fromFile(new Blob([fileBytes]));
  const groups = file.metadata().numRowGroups();
  let rows = 0;
  for (let g = 0; g < groups; g++) {
    const table = tableFromIPC((await file.read({ rowGroups: [g], batchSize: ROW_CHUNK })).intoIPCStream());
    for (const batch of table.batches) rows += tableToRows(new Table(batch)).length;
  }
  return rows;
}
