import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/profiling/analysis.js';
import { ingestVariant } from '../../src/profiling/pipeline-stages.js';
import type { ResultsFile, StageFigures } from '../../src/profiling/result.js';
import { planCharts } from '../../src/report/charts.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSummary } from '../../src/report/summary.js';
import { CONFIG, ENVIRONMENT, type RowSpec, resultsFile, row } from '../support/analysis-fixtures.js';
import { assertWellFormed } from '../support/svg-check.js';

const shares = (read_parse: number, transform: number, serialize: number, write: number): StageFigures => ({
  read_parse,
  transform,
  serialize,
  write,
});

function pipe(ingest: string, level: number, tp: number, s: StageFigures, over: Partial<RowSpec> = {}) {
  return row({
    scenario: 'pipeline',
    strategy: 'caller',
    variant: ingestVariant(ingest, level),
    concurrency: level,
    tp,
    stageShares: s,
    elu: 0.8,
    ...over,
  });
}

function pipelineFile(): ResultsFile {
  const results = [
    pipe('sequential', 1, 2000, shares(0.5, 0.1, 0.05, 0.3)),
    pipe('concurrent', 10, 2400, shares(0.4, 0.12, 0.06, 0.38)),
    pipe('worker-threads', 1, 3000, shares(0.2, 0.15, 0.08, 0.5)),
    pipe('worker-threads', 2, 3100, shares(0.18, 0.15, 0.08, 0.55)),
    row({
      scenario: 'pipeline',
      strategy: 'caller',
      variant: ingestVariant('concurrent', 5),
      concurrency: 5,
      error: 'SinkError: /tmp/out: disk full',
    }),
    row({
      scenario: 'pipeline',
      kind: 'floor',
      strategy: 'transform-only',
      variant: 'update+validate',
      tp: 40_000,
    }),
    row({ scenario: 'pipeline', kind: 'floor', strategy: 'write-only', variant: 'pre-serialized', tp: 4500 }),
  ];
  const config = {
    ...CONFIG,
    pipeline: { from: 'directory', to: 'directory', transforms: ['update', 'validate'] },
  };
  return resultsFile(results, { config, ...analyze(results, config, ENVIRONMENT) });
}

describe('the report of a pipeline', () => {
  const md = renderMarkdown(pipelineFile(), { baseName: 'run' });

  it('titles its table with the pipeline it measured, one row per ingest setting, floors last', () => {
    expect(md).toContain(
      "### Pipeline (caller placement: every stage after ingest on the caller's thread): 10,000 small items (~1.17 KB each), from an items directory, through update and validate, into an items directory",
    );
    expect(md).toMatch(/\| caller \(ingest=sequential:1\) \| 1 \| 5\.00 ± [\d.]+% \| 2,000 \|.* — \|\n/);
    expect(md).toMatch(
      /\| caller \(ingest=worker-threads:2\) \| 2 \| [\d.]+ ± [\d.]+% \| 3,100 \|.* 1\.55× \|/,
    );
    expect(md).toContain('| caller (ingest=concurrent:5) | 5 | error: SinkError: /tmp/out: disk full |');
    expect(md.indexOf('*floor: write-only*')).toBeGreaterThan(md.indexOf('caller (ingest=worker-threads:2)'));
  });

  it('breaks each row that ran down into its stages: seconds per run, shares, the rest, the caller time per Item', () => {
    expect(md).toContain(
      '| Setting | read+parse | transform | serialize | write | Other | Caller µs / Item |',
    );
    // sequential: 5 s per run; 0.5 / 0.1 / 0.05 / 0.3 of it, 0.25 s other; (2.5 + 0.5 + 0.25) s / 10,000.
    expect(md).toContain(
      '| caller (ingest=sequential:1) | 2.50 (50%) | 0.500 (10%) | 0.250 (5%) | 1.50 (30%) | 0.250 (5%) | 325.0 |',
    );
    expect(md).not.toMatch(/\| caller \(ingest=concurrent:5\) \| [\d.]+ \(/);
  });

  it('names the bottleneck stage and the placement in the finding headline', () => {
    expect(md).toContain(
      '- **pipeline, 10,000 items**: bottleneck **io** (stage **write**), use **worker-threads at 1** (caller placement).',
    );
    expect(md).toContain('the ceiling of the caller placement is');
  });

  it('links a throughput chart with one series per ingest strategy and a stacked chart of the stages', () => {
    expect(md).toContain('](run_pipeline-10000_throughput.svg)');
    expect(md).toContain('](run_pipeline-10000_stages.svg)');
    expect(md).toContain('Pipeline rows: the strategy is the placement');
    expect(md).toContain('Pipeline rows and floors: 5 measured run(s) after 1 warm-up(s) each.');
    expect(md).toContain('`pipeline` {');
  });

  it('leaves the pipeline settings and notes out of a report without pipeline rows', () => {
    const other = resultsFile([row({ strategy: 'sequential' })], {
      config: { ...CONFIG, pipeline: { from: 'directory' } },
    });
    const plain = renderMarkdown(other);
    expect(plain).not.toContain('`pipeline`');
    expect(plain).not.toContain('Pipeline rows');
  });

  it('prints the advice in the console summary', () => {
    expect(renderSummary(pipelineFile())).toMatch(
      /- pipeline \[io-bound, use worker-threads at 1\]: For 10,000/,
    );
  });
});

describe('the charts of a pipeline', () => {
  const charts = planCharts(pipelineFile(), 'run');

  it('draw throughput against the ingest level, one series per ingest strategy', () => {
    const tp = charts.find((c) => c.fileName === 'run_pipeline-10000_throughput.svg')!;
    assertWellFormed(tp.svg);
    const series = [...tp.svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
    expect(series).toEqual([
      'caller / ingest sequential',
      'caller / ingest concurrent',
      'caller / ingest worker-threads',
    ]);
    expect(tp.svg).toContain('ingest level (in flight / workers)');
  });

  it('stack each row’s seconds per stage in one bar, with the stages in the legend', () => {
    const stages = charts.find((c) => c.metric === 'stages')!;
    expect(stages.fileName).toBe('run_pipeline-10000_stages.svg');
    assertWellFormed(stages.svg);
    const bars = [...stages.svg.matchAll(/data-bar="([^"]+)"/g)].map((m) => m[1]);
    expect(bars).toEqual(['sequential x1', 'concurrent x10', 'worker-threads x1', 'worker-threads x2']);
    const first = stages.svg.slice(
      stages.svg.indexOf('data-bar="sequential x1"'),
      stages.svg.indexOf('</g>'),
    );
    expect([...first.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1])).toEqual([
      'read+parse: 2.500',
      'transform: 0.500',
      'serialize: 0.250',
      'write: 1.500',
      'other: 0.250',
    ]);
    const legend = stages.svg.slice(stages.svg.indexOf('class="legend"'));
    for (const s of ['read+parse', 'transform', 'serialize', 'write', 'other'])
      expect(legend).toContain(`>${s}</text>`);
  });

  it('draw no stage chart for scenarios other than pipeline', () => {
    const plain = planCharts(resultsFile([row({ strategy: 'sequential' })]), 'run');
    expect(plain.some((c) => c.metric === 'stages')).toBe(false);
  });
});
