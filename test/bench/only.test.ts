import { describe, expect, it } from 'vitest';
import { selectCases, selects, unknownNames } from '../../src/bench/only.js';

const row = (
  group: string,
  scenario: string,
  strategy: string,
  kind = 'ingest',
  variant: string | null = null,
) => ({
  group,
  name: `${scenario} ${strategy} ${kind}`,
  meta: { scenario, strategy, kind, variant },
});

const cases = [
  row('directory', 'directory', 'sequential'),
  row('directory', 'directory', 'concurrent'),
  row('directory', 'directory', 'read-only', 'floor'),
  row('ndjson', 'ndjson', 'sequential'),
  row('ndjson', 'ndjson', 'parse-only', 'floor'),
  row('pipeline', 'pipeline', 'caller', 'ingest', 'ingest=concurrent:10'),
  row('pipeline', 'pipeline', 'sharded'),
];

describe('--only', () => {
  it('keeps every case when nothing is named', () => {
    expect(selectCases(cases, [])).toEqual(cases);
  });

  it('keeps the named scenarios with their floors', () => {
    expect(selectCases(cases, ['directory']).map((c) => c.name)).toEqual([
      'directory sequential ingest',
      'directory concurrent ingest',
      'directory read-only floor',
    ]);
  });

  it("keeps a strategy's rows in every scenario, a pipeline row fed by it, and the floors of groups left with rows", () => {
    expect(selectCases(cases, ['concurrent']).map((c) => c.name)).toEqual([
      'directory concurrent ingest',
      'directory read-only floor',
      'pipeline caller ingest',
    ]);
  });

  it('needs both a scenario and a strategy to match when both are named', () => {
    expect(selectCases(cases, ['ndjson', 'concurrent'])).toEqual([]);
    expect(selects(['ndjson', 'concurrent'], 'ndjson', ['sequential'])).toBe(false);
    expect(selects(['ndjson'], 'ndjson', ['sequential'])).toBe(true);
  });

  it('lists the names it does not know', () => {
    expect(unknownNames(['directory', 'filter', 'api-search'])).toEqual(['filter']);
  });
});
