import { describe, expect, it } from 'vitest';
import { planCharts } from '../../src/report/charts.js';
import { niceStep, renderLineChart } from '../../src/report/svg.js';
import { resultsFile, row } from '../support/analysis-fixtures.js';
import { reportFixture } from '../support/report-fixture.js';

/**
 * A small XML well-formedness check: one root, every tag closed in order, attribute values quoted,
 * no stray `<`, `>` or `&` in text.
 */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt === -1 ? body.length : lt);
    if (/[>]|&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bad text: ${text}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(',')}`);
  if (roots !== 1) throw new Error(`${roots} roots`);
}

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
