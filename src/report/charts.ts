/**
 * The report's charts: for each scenario and dataset, throughput and peak memory against
 * concurrency, one series per strategy (and variant); the throughput charts draw the file floors
 * as labelled horizontal lines and the API's pages floors (a ceiling per level) as a dashed series.
 * A scenario measured at several sizes also gets one scaling chart: throughput above, peak memory
 * below, against items (log x), one series per strategy's fastest setting. A pipeline's rows also
 * get a stage breakdown: one stacked bar per row, its seconds per run in each stage. Pure: file
 * names and SVG text, no I/O.
 */
import { describeLevel, groupRows, type RowGroup } from '../profiling/analysis.js';
import { floorsOf } from '../profiling/bottleneck.js';
import { fmtInt } from '../profiling/format.js';
import { breakdownOf, ingestSettingOf, STAGE_LABEL } from '../profiling/pipeline-stages.js';
import { type BenchmarkResult, type ResultsFile, STAGES } from '../profiling/result.js';
import { type Scaling, scalingOf } from '../profiling/scaling.js';
import { pooledNoise, type RunNoise, runsOf, t95 } from '../profiling/spread.js';
import {
  type Guide,
  type LineChart,
  type Point,
  renderChartStack,
  renderLineChart,
  renderStackedBars,
  type Series,
  type StackedBarChart,
} from './svg.js';

/**
 * `scaling`: throughput and peak memory against items, in one file (items: the largest size);
 * `stages`: a pipeline's seconds per stage, per row.
 */
export type ChartMetric = 'throughput' | 'memory' | 'scaling' | 'stages';

export interface ChartFile {
  /** File name beside the report, e.g. `benchmark_directory-10000_throughput.svg`. */
  fileName: string;
  scenario: string;
  items: number;
  metric: ChartMetric;
  title: string;
  svg: string;
}

/**
 * `sequential`, `concurrent`, `worker-threads / hyparquet`; a pipeline row by the ingest strategy
 * feeding it (`caller / ingest worker-threads`), its levels along the x axis.
 */
export function seriesLabel(r: BenchmarkResult): string {
  const ingest = ingestSettingOf(r);
  if (ingest) return `${r.strategy} / ingest ${ingest.strategy}`;
  return r.variant ? `${r.strategy} / ${r.variant}` : r.strategy;
}

type Figure = 'throughput' | 'memory';

function point(r: BenchmarkResult, metric: Figure, noise: RunNoise | null, x = r.concurrency): Point | null {
  if (metric === 'memory') return r.peak_memory_mb === null ? null : { x, y: r.peak_memory_mb };
  const tp = r.throughput_items_per_sec;
  if (tp === null) return null;
  if (!noise) return { x, y: tp };
  // The bars are the margins the findings judge with: the scenario's pooled noise of one run over
  // this row's run count, on the log scale (so symmetric in ratio, never unbounded).
  const m = Math.exp((t95(noise.df) * noise.sd) / Math.sqrt(Math.max(1, runsOf(r))));
  return { x, y: tp, lo: tp / m, hi: tp * m };
}

/** One series per strategy (and variant) of the group's ingest rows that ran, in first-seen order. */
export function seriesOf(group: RowGroup, metric: Figure): Series[] {
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

function chartFor(group: RowGroup, metric: Figure): LineChart {
  const what = metric === 'throughput' ? 'throughput' : 'peak memory';
  const d = group.dataset;
  return {
    title: `${group.scenario}: ${what} (${fmtInt(d.items)} ${d.profile} items)`,
    xLabel:
      group.scenario === 'pipeline'
        ? 'ingest level (in flight / workers)'
        : 'concurrency (in flight / workers)',
    yLabel: metric === 'throughput' ? 'throughput (items/s)' : 'peak memory (MB)',
    series:
      metric === 'throughput'
        ? [...seriesOf(group, metric), ...ceilingSeries(group)]
        : seriesOf(group, metric),
    guides: metric === 'throughput' ? floorGuides(group) : [],
  };
}

/**
 * One series per strategy's fastest setting at the largest size (scaling.ts), its figure at each
 * size; the throughput bars are each size's pooled noise, as in the other charts.
 */
export function scalingSeries(s: Scaling, metric: Figure): Series[] {
  return s.strategies.map((t) => ({
    label: describeLevel(t.rows.at(-1)!),
    points: t.rows
      .map((r) => {
        const group = s.groups.find((g) => g.ingest.includes(r))!;
        return point(r, metric, pooledNoise([...group.ingest, ...group.floors]), r.dataset.items);
      })
      .filter((p): p is Point => p !== null),
  }));
}

/** The two panels of a scenario's scaling chart: throughput, then peak memory, against items. */
export function scalingCharts(s: Scaling): LineChart[] {
  const profile = s.groups[0]!.dataset.profile;
  const panel = (metric: Figure, what: string, yLabel: string): LineChart => ({
    title: `${s.scenario}: ${what} against items (${profile} items)`,
    xLabel: 'items',
    yLabel,
    series: scalingSeries(s, metric),
    xLog: true,
  });
  return [
    panel('throughput', 'throughput', 'throughput (items/s)'),
    panel('memory', 'peak memory', 'peak memory (MB)'),
  ];
}

/** The stage breakdown of a pipeline group: one bar per row with stage times, seconds per run. */
export function stagesChart(group: RowGroup): StackedBarChart | null {
  const bars = group.ingest.flatMap((r) => {
    const b = breakdownOf(r);
    if (!b) return [];
    const ingest = ingestSettingOf(r);
    const label = ingest ? `${ingest.strategy} x${ingest.level}` : `${r.strategy} x${r.concurrency}`;
    return [{ label, values: [...STAGES.map((s) => b.seconds[s]), b.other] }];
  });
  if (bars.length === 0) return null;
  const d = group.dataset;
  const placement = group.ingest[0]!.strategy;
  return {
    title: `${group.scenario}: time per run by stage (${fmtInt(d.items)} ${d.profile} items, ${placement} placement)`,
    xLabel: 'seconds per run (bars: the ingest strategy and level feeding the pipeline)',
    segments: [...STAGES.map((s) => STAGE_LABEL[s]), 'other'],
    bars,
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
    const stages = group.scenario === 'pipeline' ? stagesChart(group) : null;
    if (stages) {
      let stem = `${baseName}_${group.scenario}-${group.dataset.items}`;
      for (let i = 2; used.has(`${stem}_stages`); i++)
        stem = `${baseName}_${group.scenario}-${group.dataset.items}-${i}`;
      used.add(`${stem}_stages`);
      out.push({
        fileName: `${stem}_stages.svg`,
        scenario: group.scenario,
        items: group.dataset.items,
        metric: 'stages',
        title: stages.title,
        svg: renderStackedBars(stages),
      });
    }
  }
  for (const s of scalingOf(file.results)) {
    let stem = `${baseName}_${s.scenario}_scaling`;
    for (let i = 2; used.has(stem); i++) stem = `${baseName}_${s.scenario}_scaling-${i}`;
    used.add(stem);
    const title = `${s.scenario}: throughput and peak memory against items`;
    out.push({
      fileName: `${stem}.svg`,
      scenario: s.scenario,
      items: s.groups.at(-1)!.dataset.items,
      metric: 'scaling',
      title,
      svg: renderChartStack(title, scalingCharts(s)),
    });
  }
  return out;
}
