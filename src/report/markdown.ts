/**
 * The Markdown report: a pure rendering of a results file. The conditions first, then per
 * scenario and dataset a table (floors and speedups included, failed rows as `error: msg`; a
 * pipeline also its stage breakdown), then the findings in plain words, then (a scenario measured at several sizes) how cost grows with
 * size, then the charts (SVG files beside the report).
 */
import {
  baselineFor,
  describePipeline,
  groupRows,
  ingestStrategyOf,
  itemSizeText,
  jsonItemSizes,
  type RowGroup,
  requestsPer1000,
} from '../profiling/analysis.js';
import { fmtInt, fmtNum, fmtRatio, fmtSig, mdCell } from '../profiling/format.js';
import { breakdownOf, callerSeconds, STAGE_LABEL } from '../profiling/pipeline-stages.js';
import {
  type BenchmarkResult,
  type DatasetInfo,
  type Finding,
  type ResultsFile,
  STAGES,
} from '../profiling/result.js';
import { GROWTH_EXPONENT, scalingOf, scalingTitle } from '../profiling/scaling.js';
import { relativeSpread } from '../profiling/spread.js';
import { type ChartFile, planCharts } from './charts.js';

export interface MarkdownOptions {
  /** The results file's name without `.json`; names the chart files. Default `benchmark`. */
  baseName?: string;
  /** The charts to link (default: planned from the file and `baseName`). */
  charts?: ChartFile[];
}

export const TABLE_HEADER =
  '| Strategy | Concurrency | Time (s) | Throughput (items/s) | Peak memory (MB) | CPU (s) | ELU |';

const SCENARIO_TITLE: Record<string, string> = {
  directory: 'Items directory (one JSON file per item)',
  'feature-collection': 'FeatureCollection file',
  ndjson: 'NDJSON file',
  catalog: 'Static catalog (links followed)',
  parquet: 'stac-geoparquet file',
  'api-search': 'STAC API search',
  pipeline: "Pipeline (caller placement: every stage after ingest on the caller's thread)",
};

/** `5 measured run(s) per bench after 1 warm-up(s)`, with a word on what few samples can tell. */
function samplesText(cfg: Record<string, unknown>): string {
  const text = `${String(cfg.samples)} measured run(s) per bench after ${String(cfg.warmups)} warm-up(s)`;
  if (typeof cfg.samples !== 'number' || cfg.samples >= 3) return text;
  return cfg.samples === 1
    ? `${text}: one run per bench cannot judge noise, so the findings neither claim nor deny differences`
    : `${text}: below 3 the advice is weaker (the noise is pooled over each scenario's rows)`;
}

/** How many runs the pipeline rows took (their settings may differ from the run's). */
function pipelineRuns(cfg: Record<string, unknown>): string {
  const p = (cfg.pipeline ?? {}) as { samples?: unknown; warmups?: unknown };
  const samples = typeof p.samples === 'number' ? p.samples : cfg.samples;
  const warmups = typeof p.warmups === 'number' ? p.warmups : cfg.warmups;
  return `Pipeline rows and floors: ${String(samples)} measured run(s) after ${String(warmups)} warm-up(s) each.`;
}

function conditions(file: ResultsFile): string[] {
  const env = file.environment;
  const cfg = file.config;
  const packages = Object.entries(env.package_versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  // A file-only run did not use the API: its settings would only mislead.
  const api = file.results.some((r) => r.scenario === 'api-search');
  const pipeline = file.results.some((r) => r.scenario === 'pipeline');
  const settings = Object.entries(cfg)
    .filter(
      ([k]) => k !== 'samples' && k !== 'warmups' && (api || k !== 'api') && (pipeline || k !== 'pipeline'),
    )
    .map(([k, v]) => `\`${k}\` ${mdCell(JSON.stringify(v))}`)
    .join(', ');
  return [
    '## Conditions',
    '',
    '| | |',
    '|---|---|',
    `| Machine | ${env.cpus} × ${mdCell(env.cpu_model)}, ${fmtInt(env.total_memory_mb)} MB RAM |`,
    `| Runtime | Node ${env.node} (${env.platform}/${env.arch}), UV_THREADPOOL_SIZE=${env.uv_threadpool_size} |`,
    `| Commit | ${env.git_commit ? env.git_commit.slice(0, 12) : 'unknown'} |`,
    `| Packages | ${packages || '—'} |`,
    `| Samples | ${mdCell(samplesText(cfg))} |`,
    '| File reads | from a warm page cache (the cache is not cleared between runs) |',
    `| Settings | ${settings || '—'} |`,
    '',
    'Time: mean of the measured runs, ± the relative margin of error of the samples (95%). Throughput: items',
    'per second of mean time. Peak memory: the highest resident set size of the whole process during one',
    'run, minus the RSS just before it. CPU: user + system time of the process per run (it may exceed the',
    "time: workers, GC threads). ELU: the main thread's event-loop utilisation (0 idle, 1 saturated), with",
    "the workers' mean in brackets. Floors: the same data read without parsing or parsed without reading,",
    'and for the local STAC API its pages fetched at each level with their bodies discarded — ceilings the',
    "strategies are measured against. Server CPU: CPU time of the local STAC API's process per run (it",
    'shares the cores). Findings call two settings different only beyond the noise of one run pooled over',
    'every row of the scenario.',
    ...(pipeline
      ? [
          '',
          "Pipeline rows: the strategy is the placement (`caller`: every stage after ingest on the caller's",
          'thread), the concurrency the ingest level, the variant the ingest strategy and level feeding it. Their',
          'floors: the same Items transformed in memory (transform-only) and, serialized beforehand, written',
          'into the same sink (write-only). Each measured run writes into a fresh folder, removed after it.',
          pipelineRuns(cfg),
        ]
      : []),
  ];
}

function timeCell(r: BenchmarkResult): string {
  const e = relativeSpread(r);
  const t = fmtSig(r.duration_seconds);
  return e === null ? t : `${t} ± ${fmtNum(e * 100, 1)}%`;
}

function eluCell(r: BenchmarkResult): string {
  const main = fmtNum(r.event_loop_utilization, 2);
  return r.worker_elu === null ? main : `${main} (workers ${fmtNum(r.worker_elu, 2)})`;
}

function strategyCell(r: BenchmarkResult): string {
  const v = r.variant ? ` (${mdCell(r.variant)})` : '';
  return r.kind === 'floor' ? `*floor: ${mdCell(r.strategy)}*${v}` : `${mdCell(r.strategy)}${v}`;
}

interface Extra {
  failures: boolean;
  http: boolean;
  duplicates: boolean;
  serverCpu: boolean;
}

function rowLine(r: BenchmarkResult, group: RowGroup, extra: Extra): string {
  const cells = [strategyCell(r), String(r.concurrency)];
  if (r.error) {
    cells.push(`error: ${mdCell(r.error)}`, '—', '—', '—', '—', '—');
  } else {
    const base =
      r.kind === 'ingest' && ingestStrategyOf(r) !== 'sequential' ? baselineFor(r, group) : undefined;
    const speedup =
      base?.throughput_items_per_sec && r.throughput_items_per_sec !== null
        ? `${fmtRatio(r.throughput_items_per_sec / base.throughput_items_per_sec)}×`
        : '—';
    cells.push(
      timeCell(r),
      fmtInt(r.throughput_items_per_sec),
      fmtNum(r.peak_memory_mb, 1),
      fmtNum(r.cpu_seconds, 2),
      eluCell(r),
      speedup,
    );
  }
  if (extra.failures) cells.push(fmtInt(r.failures));
  if (extra.http) {
    cells.push(r.http ? `${fmtInt(r.http.requests)} (${r.http.peak_in_flight})` : '—');
    cells.push(fmtNum(requestsPer1000(r), 1));
  }
  if (extra.duplicates) cells.push(fmtInt(r.http?.duplicates_dropped));
  if (extra.serverCpu) cells.push(fmtNum(r.server_cpu_seconds, 2));
  return `| ${cells.join(' | ')} |`;
}

/**
 * The page size and latency of an API dataset: the local API's settings, or for a real API (profile
 * `real`) what the probe before the run saw: its page size and the median round trip it measured.
 */
export function apiConditions(d: DatasetInfo): string {
  const page = `${d.page_size === null ? '?' : fmtInt(d.page_size)} per page`;
  if (d.profile !== 'real') return `${page}, ${d.latency_ms === null ? '?' : d.latency_ms} ms latency`;
  if (d.page_size === null && d.latency_ms === null) return 'page size and latency not measured';
  const rtt = d.latency_ms === null ? 'round trip not measured' : `${d.latency_ms} ms median round trip`;
  return `${page}, ${rtt}`;
}

function groupTitle(group: RowGroup, jsonSizes: ReadonlyMap<string, number>): string {
  const d = group.dataset;
  const sizeText = itemSizeText(d, jsonSizes);
  const size = sizeText ? ` (${sizeText})` : '';
  const api = group.scenario === 'api-search' ? `, ${apiConditions(d)}` : '';
  const p = group.scenario === 'pipeline' ? [...group.ingest, ...group.failed].find((r) => r.pipeline) : null;
  const pipe = p?.pipeline ? `, ${describePipeline(p.pipeline)}` : '';
  return `### ${SCENARIO_TITLE[group.scenario] ?? group.scenario}: ${fmtInt(d.items)} ${d.profile} items${size}${api}${pipe}`;
}

function table(group: RowGroup, file: ResultsFile, jsonSizes: ReadonlyMap<string, number>): string[] {
  const members = new Set([...group.ingest, ...group.floors, ...group.failed]);
  const rows = file.results.filter((r) => members.has(r));
  const ordered = [...rows.filter((r) => r.kind === 'ingest'), ...rows.filter((r) => r.kind === 'floor')];
  const extra: Extra = {
    failures: ordered.some((r) => r.failures > 0),
    http: ordered.some((r) => r.http !== null),
    duplicates: ordered.some((r) => typeof r.http?.duplicates_dropped === 'number'),
    serverCpu: ordered.some((r) => typeof r.server_cpu_seconds === 'number'),
  };
  let header = `${TABLE_HEADER} Speedup |`;
  let rule = '|---|--:|--:|--:|--:|--:|--:|--:|';
  if (extra.failures) {
    header += ' Failures |';
    rule += '--:|';
  }
  if (extra.http) {
    header += ' Requests (peak in flight) | Requests / 1,000 Items |';
    rule += '--:|--:|';
  }
  if (extra.duplicates) {
    header += ' Duplicates dropped |';
    rule += '--:|';
  }
  if (extra.serverCpu) {
    header += ' Server CPU (s) |';
    rule += '--:|';
  }
  return [groupTitle(group, jsonSizes), '', header, rule, ...ordered.map((r) => rowLine(r, group, extra))];
}

/** `0.412 (37%)`: a stage's seconds per run and its share of the run. */
function stageCell(seconds: number, share: number): string {
  return `${fmtSig(seconds)} (${fmtInt(share * 100)}%)`;
}

/**
 * A pipeline's stage breakdown: per row that ran, the seconds per run of each stage and their share
 * of the run's time, the rest as other, and the caller's own time per Item.
 */
export function stageTable(group: RowGroup): string[] {
  const rows = group.ingest.filter((r) => breakdownOf(r) !== null);
  if (rows.length === 0) return [];
  const out = [
    "Where each run's time went, seconds per run (share of the run): read+parse is the caller's wait for",
    "and work on the ingest's next Item, transform and serialize its synchronous work, write the awaited",
    'write I/O, other what no stage accounts for (preparing and finishing the sink). Caller µs / Item:',
    "read+parse, transform and serialize per Item, one thread's time (its inverse is the placement's ceiling).",
    '',
    `| Setting | ${STAGES.map((s) => STAGE_LABEL[s]).join(' | ')} | Other | Caller µs / Item |`,
    `|---|${STAGES.map(() => '--:').join('|')}|--:|--:|`,
  ];
  for (const r of rows) {
    const b = breakdownOf(r)!;
    const perItem = r.items_processed ? ((callerSeconds(r) ?? 0) / r.items_processed) * 1e6 : null;
    const cells = [
      strategyCell(r),
      ...STAGES.map((s) => stageCell(b.seconds[s], b.shares[s])),
      stageCell(b.other, b.other / b.wall),
      fmtNum(perItem, 1),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out;
}

/** The headline (scenario, size, bottleneck, advice), then the finding's own sentence with its conditions. */
function findingLine(f: Finding): string {
  const items = typeof f.conditions.items === 'number' ? `, ${fmtInt(f.conditions.items)} items` : '';
  const stage = f.pipeline ? ` (stage **${STAGE_LABEL[f.pipeline.bottleneck_stage]}**)` : '';
  const where = f.pipeline ? ` (${f.pipeline.placement} placement)` : '';
  return (
    `- **${f.scenario}${items}**: bottleneck **${f.bottleneck}**${stage}, use ` +
    `**${f.best_strategy} at ${f.recommended_concurrency}**${where}. ${f.summary}`
  );
}

/** The scaling section: one finding and one chart per scenario measured at two sizes or more. */
function scalingLines(file: ResultsFile, charts: ChartFile[]): string[] {
  const scalings = scalingOf(file.results);
  if (scalings.length === 0) return [];
  const out = [
    '## Scaling',
    '',
    'How throughput and peak memory change with the number of items, for each scenario measured at',
    "several sizes. A throughput change is judged with the noise pooled over both sizes' rows, a rank",
    "change with each size's own noise. Peak memory is *bounded* when it grows well below the input:",
    `under ~${fmtNum(10 ** GROWTH_EXPONENT, 1)}x per 10x items (a slope below ${GROWTH_EXPONENT} on a log-log fit, the scenario's memory`,
    'noise added to every figure first, so figures within the noise read as flat); otherwise it *grows',
    'with the input*.',
    '',
  ];
  const unused = charts.filter((c) => c.metric === 'scaling');
  for (const s of scalings) {
    out.push(`- **${scalingTitle(s)}**: ${s.summary}`, '');
    const items = s.groups.at(-1)!.dataset.items;
    const chart = unused.find((c) => c.scenario === s.scenario && c.items === items);
    if (chart) {
      unused.splice(unused.indexOf(chart), 1);
      out.push(`![${chart.title}](${encodeURI(chart.fileName)})`, '');
    }
  }
  return out;
}

function chartLines(allCharts: ChartFile[]): string[] {
  const charts = allCharts.filter((c) => c.metric !== 'scaling');
  if (charts.length === 0) return [];
  const out = ['## Charts', ''];
  const seen = new Set<string>();
  for (const c of charts) {
    const id = `${c.scenario}-${c.items}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(`### ${c.scenario}: ${fmtInt(c.items)} items`, '');
    }
    out.push(`![${c.title}](${encodeURI(c.fileName)})`, '');
  }
  return out;
}

/** The whole report. */
export function renderMarkdown(file: ResultsFile, options: MarkdownOptions = {}): string {
  const charts = options.charts ?? planCharts(file, options.baseName ?? 'benchmark');
  const groups = groupRows(file.results);
  const failed = file.results.filter((r) => r.error !== null);
  const lines = ['# STAC ingest benchmark', '', `Generated ${file.generated_at}.`, '', ...conditions(file)];
  lines.push('', '## Results', '');
  if (groups.length === 0) lines.push('No benchmark rows were recorded.', '');
  const jsonSizes = jsonItemSizes(file.results);
  for (const g of groups) {
    lines.push(...table(g, file, jsonSizes), '');
    const stages = g.scenario === 'pipeline' ? stageTable(g) : [];
    if (stages.length > 0) lines.push(...stages, '');
  }
  if (failed.length > 0) {
    lines.push(
      `${failed.length} bench(es) failed and are shown as \`error: …\`: their figures are missing, not zero.`,
      '',
    );
  }
  lines.push('## Findings', '');
  if (file.findings.length === 0) lines.push('No findings: no scenario has a row that ran.', '');
  else lines.push(...file.findings.map(findingLine), '');
  lines.push(...scalingLines(file, charts));
  lines.push(...chartLines(charts));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
