import { describe, expect, it } from 'vitest';
import { analyze, groupRows } from '../../src/profiling/analysis.js';
import { planCharts, seriesOf } from '../../src/report/charts.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderLineChart } from '../../src/report/svg.js';
import { CONFIG, ENVIRONMENT, resultsFile, row } from '../support/analysis-fixtures.js';

const fileRows = [
  row({ strategy: 'sequential', tp: 2500 }),
  row({ strategy: 'worker-threads', concurrency: 2, tp: 4700 }),
  row({ kind: 'floor', strategy: 'read-only', tp: 6000 }),
  row({ kind: 'floor', strategy: 'parse-only', tp: 60_000 }),
];

describe('the report tells small truths', () => {
  it('does not print the API settings in a report without API rows', () => {
    const md = renderMarkdown(resultsFile(fileRows));
    expect(md).toMatch(/\| Settings \| `testSize` 10000/);
    expect(md).not.toContain('`api`');
    const api = resultsFile([row({ scenario: 'api-search', strategy: 'sequential' })]);
    expect(renderMarkdown(api)).toContain('`api` {"catalogUrl":null');
  });

  it('says advice is weaker below 3 samples, and cannot judge noise with 1', () => {
    const two = renderMarkdown(resultsFile(fileRows, { config: { ...CONFIG, samples: 2 } }));
    expect(two).toContain(
      '| Samples | 2 measured run(s) per bench after 1 warm-up(s): below 3 the advice is weaker',
    );
    const one = renderMarkdown(resultsFile(fileRows, { config: { ...CONFIG, samples: 1 } }));
    expect(one).toContain('one run per bench cannot judge noise');
    expect(renderMarkdown(resultsFile(fileRows))).not.toContain('advice is weaker');
  });

  it('shows requests per 1,000 Items and duplicates dropped for API rows', () => {
    const http = {
      requests: 110,
      retries: 0,
      peak_in_flight: 5,
      requests_per_1000_items: 11,
      duplicates_dropped: 3,
    };
    const rows = [row({ scenario: 'api-search', strategy: 'concurrent', concurrency: 5, http })];
    const md = renderMarkdown(resultsFile(rows, analyze(rows, CONFIG, ENVIRONMENT)));
    expect(md).toContain('| Requests (peak in flight) | Requests / 1,000 Items | Duplicates dropped |');
    expect(md).toContain('| 110 (5) | 11.0 | 3 |');
  });

  it("shows the local server's CPU per run for API rows that measured it, and no such column otherwise", () => {
    const api = { scenario: 'api-search' as const };
    const rows = [
      row({ ...api, strategy: 'sequential', tp: 1000, serverCpuCores: 0.25 }),
      row({ ...api, kind: 'floor', strategy: 'pages', variant: 'bodies-discarded', tp: 1200 }),
    ];
    const md = renderMarkdown(resultsFile(rows, analyze(rows, CONFIG, ENVIRONMENT)));
    expect(md).toContain('| Server CPU (s) |');
    expect(md).toMatch(/\| sequential \| 1 \|.* \| 2\.50 \|$/m);
    expect(md).toMatch(/\| \*floor: pages\* \(bodies-discarded\) \| 1 \|.* \| — \|$/m);
    expect(renderMarkdown(resultsFile(fileRows))).not.toContain('Server CPU (s)');
  });
});

describe('the throughput charts', () => {
  it("draw an API's pages floors as one dashed series over their levels, and no guide line for them", () => {
    const api = { scenario: 'api-search' as const };
    const rows = [
      row({ ...api, strategy: 'sequential', tp: 1000 }),
      row({ ...api, strategy: 'concurrent', concurrency: 5, tp: 4000 }),
      ...[1, 5].map((c) =>
        row({
          ...api,
          kind: 'floor',
          strategy: 'pages',
          variant: 'bodies-discarded',
          concurrency: c,
          tp: 1500 * c,
        }),
      ),
    ];
    const [throughput, memory] = planCharts(resultsFile(rows), 'run');
    const svg = throughput!.svg;
    const from = svg.indexOf('data-series="floor: pages, bodies discarded"');
    const floor = svg.slice(from, svg.indexOf('</g>', from));
    expect(floor).toMatch(/<polyline [^>]*stroke-dasharray/);
    expect(floor.match(/<circle |<rect |<polygon /g)).toHaveLength(2);
    expect(svg).not.toContain('class="guide"');
    expect(memory!.svg).not.toContain('floor: pages');
  });

  it("draw the scenario's floors as labelled dashed lines, and name a floor far above the points", () => {
    const [throughput, memory] = planCharts(resultsFile(fileRows), 'run');
    const guides = throughput!.svg.match(/<line class="guide"[^>]*>/g) ?? [];
    expect(guides).toHaveLength(1);
    expect(guides[0]).toContain('stroke-dasharray');
    const legend = throughput!.svg.slice(throughput!.svg.indexOf('class="legend"'));
    const labels = [...legend.matchAll(/<text [^>]*>(.*?)<\/text>/g)].map((m) =>
      m[1]!
        .replace(/<tspan[^>]*>/g, ' ')
        .replace(/<\/tspan>/g, '')
        .trim(),
    );
    expect(labels).toContain('floor: reading alone, 1 thread: 6,000/s');
    // 60,000/s is over twice the highest point: drawing it would flatten the series.
    expect(labels).toContain('floor: parsing alone, 1 thread: 60,000/s (off the chart, above)');
    expect(memory!.svg).not.toContain('class="guide"');
  });

  it('bar the margins the findings judge with: pooled, so a 2-sample row is not ±12.7 t wide', () => {
    const rows = [1, 5, 10].map((c, i) =>
      row({ strategy: 'concurrent', concurrency: c, tp: 1000 * (i + 1), samples: 2, rme: 80 }),
    );
    const [series] = seriesOf(groupRows(rows)[0]!, 'throughput');
    for (const p of series!.points) {
      expect(p.hi! / p.y).toBeLessThan(1.5);
      expect(p.y / p.lo!).toBeLessThan(1.5);
      expect(p.hi! / p.y).toBeGreaterThan(1);
    }
    const single = rows.map((r) => ({ ...r, samples: 1 }));
    expect(seriesOf(groupRows(single)[0]!, 'throughput')[0]!.points[0]!.hi).toBeUndefined();
  });

  it('keep legend labels whole, however long: wrapped at spaces, every line inside the chart', () => {
    const label = 'worker-threads / parse-in-worker-with-a-very-long-transfer-name';
    const svg = renderLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ label, points: [{ x: 1, y: 2 }] }],
    });
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    const legend = svg.slice(svg.indexOf('class="legend"'));
    const lines = [...legend.matchAll(/<tspan x="([\d.]+)"[^>]*>([^<]*)<\/tspan>/g)];
    expect(lines.map((m) => m[2]).join(' ')).toBe(label);
    // At 12 px Helvetica a character is at most ~7 px wide on average.
    for (const [, x, text] of lines) expect(Number(x) + text!.length * 7).toBeLessThanOrEqual(width);
  });
});
