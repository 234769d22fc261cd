/**
 * The `variant` string (a CLI and results token: `parse-in-worker+whole-file`) parsed once, at the
 * library's edge, into typed options. Tokens are case-insensitive and joined with `+`; `key=value`
 * tokens carry settings for layers above the ingest (e.g. a pipeline's `ingest=worker-threads:2`).
 */

import type { Transfer } from './decode/documents.js';
import { PARQUET_READERS, type ParquetReaderName } from './decode/parquet-readers.js';

export interface Variant {
  /** worker-threads: how Items cross to the caller (`bytes` by default: workers read, the caller parses). */
  handover: Transfer;
  /** NDJSON / Parquet: the file as one job; a FeatureCollection: one JSON.parse of the whole file. */
  wholeFile: boolean;
  /** Parquet: the reader (default: the measured winner). */
  parquetReader?: ParquetReaderName;
  /** STAC API: the search method to use when the API offers both. */
  method?: 'GET' | 'POST';
  /** `key=value` tokens, for the layers that define them. */
  settings: Record<string, string>;
}

/** The plain tokens the library understands. */
export const VARIANT_TOKENS: readonly string[] = [
  'parse-in-worker',
  'clone',
  'whole-file',
  ...PARQUET_READERS,
  'get',
  'post',
];

/** Parses a variant string; an unknown token is a TypeError naming it and the known ones. */
export function parseVariant(variant: string | null | undefined): Variant {
  const out: Variant = { handover: 'bytes', wholeFile: false, settings: {} };
  for (const raw of (variant ?? '').split('+')) {
    const token = raw.trim().toLowerCase();
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq > 0) {
      out.settings[token.slice(0, eq)] = token.slice(eq + 1);
      continue;
    }
    if (token === 'clone') out.handover = 'clone';
    else if (token === 'parse-in-worker') {
      if (out.handover !== 'clone') out.handover = 'json';
    } else if (token === 'whole-file') out.wholeFile = true;
    else if (token === 'get' || token === 'post') out.method = token === 'get' ? 'GET' : 'POST';
    else if ((PARQUET_READERS as readonly string[]).includes(token))
      out.parquetReader = token as ParquetReaderName;
    else {
      throw new TypeError(
        `variant '${raw.trim()}' is unknown (known: ${VARIANT_TOKENS.join(', ')}, or key=value; join several with +)`,
      );
    }
  }
  return out;
}
