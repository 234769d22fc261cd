/**
 * Validates a results file against the committed JSON Schema (schema/results.schema.json), plus the
 * one rule a schema cannot say: every result's `key` is unique (`compare` matches rows by key).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const RESULTS_SCHEMA_URL = new URL('../../schema/results.schema.json', import.meta.url);

export interface ValidationOutcome {
  valid: boolean;
  /** One line per problem: `<JSON pointer>: <message>`; empty when valid. */
  errors: string[];
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_URL, 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Checks any parsed JSON value; never throws for bad input. */
export function validateResults(json: unknown): ValidationOutcome {
  const validate = validator();
  const errors: string[] = [];
  if (!validate(json)) errors.push(...formatErrors(validate.errors ?? []));
  errors.push(...duplicateKeys(json));
  return { valid: errors.length === 0, errors };
}

function formatErrors(errors: ErrorObject[]): string[] {
  // allErrors reports the failing branch of an if/then as an extra generic line; keep the specific ones.
  const specific = errors.filter((e) => e.keyword !== 'if');
  return specific.map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra(e)}`);
}

function extra(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return ` ('${String(e.params.additionalProperty)}')`;
  if (e.keyword === 'enum') return ` (${(e.params.allowedValues as unknown[]).join(', ')})`;
  return '';
}

function duplicateKeys(json: unknown): string[] {
  const results = (json as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  const seen = new Map<string, number>();
  const errors: string[] = [];
  results.forEach((r, i) => {
    const key = (r as { key?: unknown } | null)?.key;
    if (typeof key !== 'string') return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else errors.push(`/results/${i}/key: duplicate key '${key}' (also /results/${first})`);
  });
  return errors;
}
