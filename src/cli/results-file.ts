/** Reads a results file back: a missing path is the user's mistake, a bad file is a failed input. */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { ACCEPTED_SCHEMA_VERSIONS, type ResultsFile } from '../profiling/result.js';
import { validateResults } from '../profiling/schema.js';

/**
 * Parses and validates `path`. Throws a UsageError when the file does not exist (exit 2), an Error
 * naming the path and the first problem when it is not JSON or not a results file (exit 1).
 */
export async function readResults(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected a results .json file`);
    throw new Error(`${path}: cannot read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  const version = (json as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version === 'number' && !ACCEPTED_SCHEMA_VERSIONS.includes(version)) {
    throw new Error(
      `${path}: schema_version ${version} is not supported (this version reads ${ACCEPTED_SCHEMA_VERSIONS.join(', ')})`,
    );
  }
  const { valid, errors } = validateResults(json);
  if (!valid) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
    throw new Error(`${path}: not a results file: ${errors[0]}${more}`);
  }
  return json as ResultsFile;
}
