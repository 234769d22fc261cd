import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/report/summary.js';
import { reportFixture } from '../support/report-fixture.js';

describe('renderSummary (printed after a benchmark run)', () => {
  const text = renderSummary(reportFixture(), { json: 'results/x.json', markdown: 'results/x_report.md' });
  const rows = text.split('\n');

  it('prints one aligned line per row under a header', () => {
    expect(rows[0]).toMatch(
      /^Scenario\s+Items\s+Strategy\s+Conc\.\s+Items\/s\s+Time \(s\)\s+Peak MB\s+CPU \(s\)\s+ELU$/,
    );
    expect(rows.filter((l) => /^(directory|parquet|api-search) /.test(l))).toHaveLength(
      reportFixture().results.length,
    );
    expect(text).toMatch(
      /directory\s+10000\s+worker-threads\s+2\s+4,700 ±5%\s+2\.128\s+95\.0\s+4\.04\s+0\.45/,
    );
    expect(text).toMatch(/directory\s+10000\s+floor: read-only\s+1\s+40,000 ±5%/);
  });

  it('shows a failed bench with its error and lists the failures', () => {
    expect(text).toMatch(
      /directory\s+10000\s+concurrent\s+10\s+error: EMFILE: too many open files \| 3 times/,
    );
    expect(text).toContain('1 bench(es) failed: directory/10000/concurrent/10');
  });

  it('ends with the findings and where the results and report are', () => {
    expect(text).toContain('- api-search [network-bound, use concurrent at 10]: For 10,000 small items');
    expect(rows.filter(Boolean).slice(-2)).toEqual([
      'Results: results/x.json',
      'Report:  results/x_report.md',
    ]);
  });
});
