import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/profiling/analysis.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { scalingOf } from '../../src/profiling/scaling.js';
import { planCharts } from '../../src/report/charts.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSummary } from '../../src/report/summary.js';
import { CONFIG, ENVIRONMENT, resultsFile, row } from '../support/analysis-fixtures.js';
import { reportFixture } from '../support/report-fixture.js';

/** Directory at two sizes (and a floor), NDJSON at one: only the directory scales. */
function twoSizes(): ResultsFile {
  const results = [1000, 100_000].flatMap((items) => [
    row({ strategy: 'sequential', items, tp: 4000, mem: 1 }),
    row({ strategy: 'concurrent', concurrency: 5, items, tp: items === 1000 ? 20_000 : 9000, mem: 2 }),
    row({ strategy: 'worker-threads', concurrency: 1, items, tp: items === 1000 ? 10_000 : 48_000, mem: 3 }),
    row({ kind: 'floor', strategy: 'read-only', items, tp: 90_000, mem: 0 }),
  ]);
  results.push(row({ scenario: 'ndjson', strategy: 'sequential', items: 1000, tp: 20_000 }));
  return resultsFile(results, analyze(results, CONFIG, ENVIRONMENT));
}

describe('the scaling chart', () => {
  const charts = planCharts(twoSizes(), 'run');
  const scaling = charts.filter((c) => c.metric === 'scaling');

  it('is one file per scenario measured at two sizes or more', () => {
    expect(scaling.map((c) => c.fileName)).toEqual(['run_directory_scaling.svg']);
    expect(planCharts(reportFixture(), 'run').some((c) => c.metric === 'scaling')).toBe(false);
  });

  it('shows throughput above and peak memory below, against items on a log axis', () => {
    const svg = scaling[0]!.svg;
    expect(svg).toContain('<title>directory: throughput and peak memory against items</title>');
    expect(svg).toMatch(/height="800" viewBox="0 0 \d+ 800"/);
    expect(svg).toContain('<g transform="translate(0 400)">');
    expect(svg).toContain('throughput (items/s)</text>');
    expect(svg).toContain('peak memory (MB)</text>');
    expect(svg.match(/>items — log scale<\/text>/g)).toHaveLength(2);
    for (const tick of ['1,000', '100,000']) expect(svg).toContain(`text-anchor="middle">${tick}</text>`);
  });

  it("draws each strategy's fastest setting at the largest size as a series, in both panels", () => {
    const series = [...scaling[0]!.svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
    const one = ['worker-threads with 1 worker', 'concurrent with 5 in flight', 'sequential'];
    expect(series).toEqual([...one, ...one]);
  });

  it('keeps the other charts of each size', () => {
    expect(charts.map((c) => c.fileName)).toContain('run_directory-1000_throughput.svg');
    expect(charts.map((c) => c.fileName)).toContain('run_directory-100000_memory.svg');
  });
});

describe('the scaling section of the report', () => {
  const file = twoSizes();
  const md = renderMarkdown(file, { baseName: 'run' });

  it('comes after the findings and before the charts, with each finding and its chart', () => {
    const order = ['## Findings', '## Scaling', '## Charts'].map((h) => md.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const [s] = scalingOf(file.results);
    expect(md).toContain(`- **directory, 1,000 → 100,000 items**: ${s!.summary}`);
    expect(md).toContain('![directory: throughput and peak memory against items](run_directory_scaling.svg)');
    // Listed in the scaling section only, not again among the per-size charts.
    expect(md.split('run_directory_scaling.svg')).toHaveLength(2);
  });

  it('keeps the findings per scenario and size', () => {
    expect(md).toContain('- **directory, 1,000 items**: bottleneck');
    expect(md).toContain('- **directory, 100,000 items**: bottleneck');
  });

  it('is absent when no scenario was measured at two sizes', () => {
    expect(renderMarkdown(reportFixture())).not.toContain('## Scaling');
    expect(renderMarkdown(resultsFile([]))).not.toContain('## Scaling');
  });

  it('is printed in the summary after a run', () => {
    const text = renderSummary(file);
    const [s] = scalingOf(file.results);
    expect(text).toContain(`Scaling:\n- directory, 1,000 → 100,000 items: ${s!.summary}\n`);
    expect(renderSummary(reportFixture())).not.toContain('Scaling:');
  });
});
