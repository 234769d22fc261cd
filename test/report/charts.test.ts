import { describe, expect, it } from 'vitest';
import { planCharts } from '../../src/report/charts.js';
import { niceStep, renderLineChart } from '../../src/report/svg.js';
import { resultsFile, row } from '../support/analysis-fixtures.js';
import { reportFixture } from '../support/report-fixture.js';
import { assertWellFormed } from '../support/svg-check.js';

describe('SVG charts', () => {
  const charts = planCharts(reportFixture(), 'run');

  it('are well-formed standalone SVG documents with a size and a view box', () => {
    expect(charts.length).toBe(6);
    for (const c of charts) {
      assertWellFormed(c.svg);
      expect(c.svg).toMatch(
        /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/,
      );
    }
  });

  it('draw one series per strategy, with a legend entry each', () => {
    const dir = charts.find((c) => c.fileName === 'run_directory-10000_throughput.svg')!;
    const series = [...dir.svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
    expect(series).toEqual(['sequential', 'concurrent', 'worker-threads']);
    const legend = dir.svg.slice(dir.svg.indexOf('class="legend"'));
    for (const s of series) expect(legend).toContain(`>${s}</text>`);
  });

  it('make a variant its own series and leave failed rows and floors out', () => {
    const parquet = charts.find((c) => c.fileName === 'run_parquet-10000_memory.svg')!;
    expect([...parquet.svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'sequential / hyparquet',
      'sequential / arrow',
    ]);
    const dir = charts.find((c) => c.fileName === 'run_directory-10000_throughput.svg')!;
    // Floors are drawn as guide lines, never as a series.
    expect([...dir.svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1])).not.toContain('read-only');
    // concurrent has rows at 5 and 10 but 10 failed: one marker, no line
    const concurrent = dir.svg.slice(
      dir.svg.indexOf('data-series="concurrent"'),
      dir.svg.indexOf('data-series="worker-threads"'),
    );
    expect(concurrent).not.toContain('<polyline');
    expect(concurrent.match(/<rect /g)).toHaveLength(1);
  });

  it('label the axes, the ticks at each measured level, and the title', () => {
    const api = charts.find((c) => c.fileName === 'run_api-search-10000_throughput.svg')!;
    expect(api.svg).toContain('throughput (items/s)</text>');
    expect(api.svg).toContain('concurrency (in flight / workers) — log scale</text>');
    for (const level of ['1', '5', '10']) expect(api.svg).toContain(`text-anchor="middle">${level}</text>`);
    expect(api.svg).toContain('<title>api-search: throughput (10,000 small items)</title>');
    expect(api.svg).toContain('>10,000</text>');
  });

  it('escape labels that contain XML characters', () => {
    const svg = renderLineChart({
      title: 'a <b> & "c"',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ label: 'r&d <1>', points: [{ x: 1, y: 2 }] }],
    });
    assertWellFormed(svg);
    expect(svg).toContain('r&amp;d &lt;1&gt;');
  });

  it('draw nothing for a scenario with no rows that ran', () => {
    const file = resultsFile([row({ scenario: 'ndjson', strategy: 'sequential', error: 'broken' })]);
    expect(planCharts(file, 'x')).toEqual([]);
  });

  it('are checked by a well-formedness test that does reject broken XML', () => {
    expect(() => assertWellFormed('<svg><g></svg>')).toThrow(/unbalanced/);
    expect(() => assertWellFormed('<svg a=1/>')).toThrow(/malformed/);
    expect(() => assertWellFormed('<svg>a & b</svg>')).toThrow(/bad text/);
    expect(() => assertWellFormed('<svg/><svg/>')).toThrow(/2 roots/);
  });

  it('choose round tick steps', () => {
    expect(niceStep(9200)).toBe(2000);
    expect(niceStep(52)).toBe(20);
    expect(niceStep(0.7)).toBe(0.2);
    expect(niceStep(0)).toBe(1);
  });
});
