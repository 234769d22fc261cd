/**
 * The documented shapes of the export formats, as JSON Schemas the tests validate against:
 * Bencher Metric Format (a benchmark name -> a measure -> `value`, optional `lower_value` and
 * `upper_value`, all numbers) and github-action-benchmark's custom tools (an array of `name`,
 * `unit`, `value`, optional `range` and `extra`, both strings). Stricter than the formats'
 * own schemas in one way: no field beyond the documented ones.
 */
import { Ajv } from 'ajv';

const metric = {
  type: 'object',
  properties: {
    value: { type: 'number' },
    lower_value: { type: 'number' },
    upper_value: { type: 'number' },
  },
  required: ['value'],
  additionalProperties: false,
};

export const BMF_SCHEMA = {
  type: 'object',
  minProperties: 1,
  patternProperties: {
    '.+': { type: 'object', minProperties: 1, patternProperties: { '.+': metric } },
  },
  additionalProperties: false,
};

export const ACTION_BENCHMARK_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      unit: { type: 'string', minLength: 1 },
      value: { type: 'number' },
      range: { type: 'string' },
      extra: { type: 'string' },
    },
    required: ['name', 'unit', 'value'],
    additionalProperties: false,
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const bmf = ajv.compile(BMF_SCHEMA);
const action = ajv.compile(ACTION_BENCHMARK_SCHEMA);

/** The schema's complaints about `doc` as BMF (empty when it fits). */
export function bmfProblems(doc: unknown): string[] {
  return bmf(doc) ? [] : (bmf.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

/** The schema's complaints about `doc` as a github-action-benchmark custom array. */
export function actionBenchmarkProblems(doc: unknown): string[] {
  return action(doc) ? [] : (action.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
