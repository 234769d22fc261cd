/** Reads a results file back: a missing path is the user's mistake, a bad file is a ResultsFileError. */
import { readFile } from 'node:fs/promises';
import { ACCEPTED_SCHEMA_VERSIONS, type ResultsFile } from '../profiling/result.js';
import { validateResults } from '../profiling/schema.js';
import { UsageError } from './args.js';

/** The results-file `schema_version`s this build reads (a new format version is added in result.ts). */
export const SCHEMA_VERSIONS: readonly number[] = ACCEPTED_SCHEMA_VERSIONS;

/**
 * A file that is not a results file this build can read. Its message names the path and the
 * problem without quoting the file's content. `compare` makes it a usage error (exit 2); a
 * benchmark that cannot read back its own results fails (exit 1).
 */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/**
 * Parses and validates `path`. Throws a UsageError when the file does not exist (exit 2), a
 * ResultsFileError naming the path and the first problem otherwise.
 */
export async function readResults(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected a results .json file`);
    throw new ResultsFileError(`${path}: cannot read (${code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(`${path}: ${jsonProblem(text, e as Error)}`);
  }
  const version = (json as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version === 'number' && !SCHEMA_VERSIONS.includes(version)) {
    throw new ResultsFileError(
      `${path}: schema_version ${version} is not supported (this version reads ${SCHEMA_VERSIONS.join(', ')})`,
    );
  }
  const { valid, errors } = validateResults(json);
  if (!valid) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
    throw new ResultsFileError(`${path}: not a results file: ${errors[0]}${more}`);
  }
  return json as ResultsFile;
}

/** What is wrong with text JSON.parse refused; V8's message may quote the text, so it is not shown. */
function jsonProblem(text: string, e: Error): string {
  if (text.trim() === '') return 'empty file, expected results JSON';
  const at = /at position (\d+)/.exec(e.message);
  const cut =
    /end of JSON input|Unterminated/.test(e.message) ||
    (at !== null && Number(at[1]) >= text.trimEnd().length);
  if (cut) return 'not valid JSON: it ends early (truncated?)';
  return at ? `not valid JSON (at character ${at[1]})` : 'not valid JSON';
}
