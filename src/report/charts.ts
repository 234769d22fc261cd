/**
 * The report's charts: for each scenario and dataset, throughput and peak memory against
 * concurrency, one series per strategy (and variant); the throughput charts draw the file floors
 * as labelled horizontal lines and the API's pages floors (a ceiling per level) as a dashed series.
 * Pure: file names and SVG text, no I/O.
 */
import { groupRows, type RowGroup } from '../profiling/analysis.js';
import { floorsOf } from '../profiling/bottleneck.js';
import { fmtInt } from '../profiling/format.js';
import type { BenchmarkResult, ResultsFile } from '../profiling/result.js';
import { pooledNoise, type RunNoise, runsOf, t95 } from '../profiling/spread.js';
import { type Guide, type LineChart, type Point, renderLineChart, type Series } from './svg.js';

export type ChartMetric = 'throughput' | 'memory';

export interface ChartFile {
  /** File name beside the report, e.g. `benchmark_directory-10000_throughput.svg`. */
  fileName: string;
  scenario: string;
  items: number;
  metric: ChartMetric;
  title: string;
  svg: string;
}

/** `sequential`, `concurrent`, `worker-threads / hyparquet`. */
export function seriesLabel(r: BenchmarkResult): string {
  return r.variant ? `${r.strategy} / ${r.variant}` : r.strategy;
}

function point(r: BenchmarkResult, metric: ChartMetric, noise: RunNoise | null): Point | null {
  if (metric === 'memory')
    return r.peak_memory_mb === null ? null : { x: r.concurrency, y: r.peak_memory_mb };
  const tp = r.throughput_items_per_sec;
  if (tp === null) return null;
  if (!noise) return { x: r.concurrency, y: tp };
  // The bars are the margins the findings judge with: the scenario's pooled noise of one run over
  // this row's run count, on the log scale (so symmetric in ratio, never unbounded).
  const m = Math.exp((t95(noise.df) * noise.sd) / Math.sqrt(Math.max(1, runsOf(r))));
  return { x: r.concurrency, y: tp, lo: tp / m, hi: tp * m };
}

/** One series per strategy (and variant) of the group's ingest rows that ran, in first-seen order. */
export function seriesOf(group: RowGroup, metric: ChartMetric): Series[] {
  const byLabel = new Map<string, Series>();
  const noise = pooledNoise([...group.ingest, ...group.floors]);
  for (const r of group.ingest) {
    const p = point(r, metric, noise);
    if (!p) continue;
    const label = seriesLabel(r);
    let s = byLabel.get(label);
    if (!s) {
      s = { label, points: [] };
      byLabel.set(label, s);
    }
    s.points.push(p);
  }
  return [...byLabel.values()];
}

/** The group's one-level floors as horizontal lines: what one thread reads or parses alone. */
export function floorGuides(group: RowGroup): Guide[] {
  const floors = floorsOf(group.floors);
  const named: ['read' | 'parse', string][] = [
    ['read', 'floor: reading alone, 1 thread'],
    ['parse', 'floor: parsing alone, 1 thread'],
  ];
  const out: Guide[] = [];
  for (const [kind, label] of named) {
    const tp = floors[kind]?.throughput_items_per_sec;
    if (tp && tp > 0) out.push({ label: `${label}: ${fmtInt(tp)}/s`, y: tp });
  }
  return out;
}

/** The API's pages floors as one dashed series: what the server and network allow at each level. */
export function ceilingSeries(group: RowGroup): Series[] {
  const points = [...floorsOf(group.floors).pages.values()]
    .filter((r) => (r.throughput_items_per_sec ?? 0) > 0)
    .map((r) => ({ x: r.concurrency, y: r.throughput_items_per_sec! }));
  return points.length ? [{ label: 'floor: pages, bodies discarded', points, dashed: true }] : [];
}

function chartFor(group: RowGroup, metric: ChartMetric): LineChart {
  const what = metric === 'throughput' ? 'throughput' : 'peak memory';
  const d = group.dataset;
  return {
    title: `${group.scenario}: ${what} (${fmtInt(d.items)} ${d.profile} items)`,
    xLabel: 'concurrency (in flight / workers)',
    yLabel: metric === 'throughput' ? 'throughput (items/s)' : 'peak memory (MB)',
    series:
      metric === 'throughput'
        ? [...seriesOf(group, metric), ...ceilingSeries(group)]
        : seriesOf(group, metric),
    guides: metric === 'throughput' ? floorGuides(group) : [],
  };
}

/** Every chart of a results file; `baseName` is the results file's name without `.json`. */
export function planCharts(file: ResultsFile, baseName: string): ChartFile[] {
  const out: ChartFile[] = [];
  const used = new Set<string>();
  for (const group of groupRows(file.results)) {
    if (group.ingest.length === 0) continue;
    for (const metric of ['throughput', 'memory'] as const) {
      const chart = chartFor(group, metric);
      if (chart.series.length === 0) continue;
      let stem = `${baseName}_${group.scenario}-${group.dataset.items}`;
      for (let i = 2; used.has(`${stem}_${metric}`); i++)
        stem = `${baseName}_${group.scenario}-${group.dataset.items}-${i}`;
      used.add(`${stem}_${metric}`);
      out.push({
        fileName: `${stem}_${metric}.svg`,
        scenario: group.scenario,
        items: group.dataset.items,
        metric,
        title: chart.title,
        svg: renderLineChart(chart),
      });
    }
  }
  return out;
}
