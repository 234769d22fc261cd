/**
 * A hand-written SVG line chart (no dependency): axes with ticks and labels, one polyline with
 * markers per series, optional error bars, labelled horizontal guides (floors and caps), a legend
 * wide enough for its longest label. Renders in browsers and on GitHub (plain SVG 1.1 elements,
 * inline styles, a white background for dark themes).
 */
import { fmtNum, xmlEscape } from '../profiling/format.js';

export interface Point {
  x: number;
  y: number;
  /** Error bar bounds (same unit as y), when the point has a spread. */
  lo?: number;
  hi?: number;
}

export interface Series {
  label: string;
  points: Point[];
  /** Drawn dashed (a floor measured at each level), solid otherwise. */
  dashed?: boolean;
}

/** A horizontal line across the plot at `y`, e.g. a floor: drawn dashed, named in the legend. */
export interface Guide {
  label: string;
  y: number;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  guides?: Guide[];
  /** A logarithmic x axis whatever the span (item counts); default: log from a span of 8x. */
  xLog?: boolean;
}

const H = 400;
const PLOT_W = 422;
const M = { left: 78, top: 44, bottom: 58 };
const PLOT_H = H - M.top - M.bottom;
/** Legend: where its text starts after the swatch, and a width per character that errs wide. */
const LEGEND_PAD = 18;
const LEGEND_TEXT_X = 32;
const CHAR_PX = 7;
/** Guides higher than this multiple of the highest point are named in the legend, not drawn. */
const GUIDE_REACH = 2;
const GUIDE_COLOR = '#666666';

/** Legend labels wrap at spaces to lines of about this many characters (a longer word stays whole). */
const LEGEND_LINE_CHARS = 28;
const LEGEND_ENTRY_PX = 22;
const LEGEND_LINE_PX = 14;

/** A legend label in lines: wrapped at spaces, never cut. */
export function wrapLabel(label: string, max = LEGEND_LINE_CHARS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines;
}

/** The right margin: the legend's widest line must fit whole (a label is never cut). */
function rightMargin(chart: LineChart): number {
  const labels = [...chart.series.map((s) => s.label), ...guideLabels(chart)];
  const widest = Math.max(0, ...labels.flatMap((l) => wrapLabel(l).map((line) => line.length)));
  return Math.max(220, LEGEND_PAD + LEGEND_TEXT_X + widest * CHAR_PX + 12);
}

function drawnGuides(chart: LineChart): Guide[] {
  const top = Math.max(0, ...chart.series.flatMap((s) => s.points.map((p) => p.y)));
  return (chart.guides ?? []).filter((g) => g.y > 0 && (top === 0 || g.y <= GUIDE_REACH * top));
}

function guideLabels(chart: LineChart): string[] {
  const drawn = new Set(drawnGuides(chart));
  return (chart.guides ?? []).map((g) => (drawn.has(g) ? g.label : `${g.label} (off the chart, above)`));
}
/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000'];
const MARKERS = ['circle', 'square', 'diamond', 'triangle'] as const;
/** Series are nudged sideways (a few pixels each) so markers and error bars at one level stay visible. */
const DODGE_PX = 5;

/** A round step (1, 2 or 5 × 10^k) that splits [0, max] into about `count` intervals. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const unit = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return unit * mag;
}

interface Scales {
  x: (v: number) => number;
  y: (v: number) => number;
  xTicks: number[];
  yTicks: number[];
  /** Decimals the y tick labels need (from the tick step). */
  yDigits: number;
  /** The x axis is logarithmic (levels spanning a factor of 8 or more). */
  log: boolean;
  yMax: number;
}

function scales(chart: LineChart): Scales {
  const points = chart.series.flatMap((s) => s.points);
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const xMin = xs[0] ?? 1;
  const xMax = xs.at(-1) ?? 1;
  const log = xMin > 0 && (chart.xLog ?? xMax / xMin >= 8);
  const tx = (v: number) => (log ? Math.log(v) : v);
  const span = tx(xMax) - tx(xMin);
  // Room at both ends for the sideways nudge of the outermost series.
  const pad = 12 + ((chart.series.length - 1) / 2) * DODGE_PX;
  const x = (v: number) =>
    M.left + (span === 0 ? PLOT_W / 2 : ((tx(v) - tx(xMin)) / span) * (PLOT_W - 2 * pad) + pad);
  // Error bars may reach far above the points (few samples): they are cut at 1.5 × the highest point.
  const yTop = Math.max(0, ...points.map((p) => p.y));
  const yMaxData = Math.max(
    yTop,
    ...points.map((p) => Math.min(p.hi ?? p.y, 1.5 * yTop)),
    ...drawnGuides(chart).map((g) => g.y),
  );
  const step = niceStep(yMaxData);
  const yMax = Math.max(step, Math.ceil(yMaxData / step) * step);
  const yTicks: number[] = [];
  for (let v = 0; v <= yMax + step / 2; v += step) yTicks.push(v);
  const y = (v: number) => M.top + PLOT_H - (v / yMax) * PLOT_H;
  const yDigits = Math.max(0, -Math.floor(Math.log10(step)));
  return { x, y, xTicks: xs, yTicks, yDigits, log, yMax };
}

const n = (v: number) => String(Math.round(v * 10) / 10);

function marker(shape: (typeof MARKERS)[number], cx: number, cy: number, color: string): string {
  const fill = `fill="${color}" stroke="#ffffff" stroke-width="1"`;
  if (shape === 'circle') return `<circle cx="${n(cx)}" cy="${n(cy)}" r="4.5" ${fill}/>`;
  if (shape === 'square') return `<rect x="${n(cx - 4)}" y="${n(cy - 4)}" width="8" height="8" ${fill}/>`;
  if (shape === 'diamond')
    return `<polygon points="${n(cx)},${n(cy - 5.5)} ${n(cx + 5.5)},${n(cy)} ${n(cx)},${n(cy + 5.5)} ${n(cx - 5.5)},${n(cy)}" ${fill}/>`;
  return `<polygon points="${n(cx)},${n(cy - 5.5)} ${n(cx + 5.5)},${n(cy + 4.5)} ${n(cx - 5.5)},${n(cy + 4.5)}" ${fill}/>`;
}

function guideMarkup(chart: LineChart, s: Scales): string[] {
  return drawnGuides(chart).map((g) => {
    const y = n(s.y(g.y));
    return `<line class="guide" x1="${M.left}" y1="${y}" x2="${M.left + PLOT_W}" y2="${y}" stroke="${GUIDE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"/>`;
  });
}

function axes(chart: LineChart, s: Scales): string[] {
  const out: string[] = [];
  const bottom = M.top + PLOT_H;
  for (const t of s.yTicks) {
    const y = n(s.y(t));
    out.push(
      `<line x1="${M.left}" y1="${y}" x2="${M.left + PLOT_W}" y2="${y}" stroke="#e5e5e5" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmtNum(t, s.yDigits)}</text>`,
    );
  }
  for (const t of s.xTicks) {
    const x = n(s.x(t));
    out.push(
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333333" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${x}" y="${bottom + 18}" text-anchor="middle">${fmtNum(t, Number.isInteger(t) ? 0 : 2)}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" y1="${bottom}" x2="${M.left + PLOT_W}" y2="${bottom}" stroke="#333333" stroke-width="1"/>`,
  );
  out.push(
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${bottom}" stroke="#333333" stroke-width="1"/>`,
  );
  out.push(
    `<text x="${M.left + PLOT_W / 2}" y="${H - 14}" text-anchor="middle">${xmlEscape(chart.xLabel)}${s.log ? ' — log scale' : ''}</text>`,
  );
  const yMid = M.top + PLOT_H / 2;
  out.push(
    `<text x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})">${xmlEscape(chart.yLabel)}</text>`,
  );
  out.push(
    `<text x="${M.left + PLOT_W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${xmlEscape(chart.title)}</text>`,
  );
  return out;
}

const dash = (series: Series) => (series.dashed ? ' stroke-dasharray="6 4"' : '');

function seriesMarkup(series: Series, i: number, count: number, scales: Scales): string[] {
  const color = PALETTE[i % PALETTE.length]!;
  const shape = MARKERS[i % MARKERS.length]!;
  const dx = (i - (count - 1) / 2) * DODGE_PX;
  const s = { ...scales, x: (v: number) => scales.x(v) + dx };
  const pts = [...series.points].sort((a, b) => a.x - b.x);
  const out = [`<g class="series" data-series="${xmlEscape(series.label)}">`];
  if (pts.length > 1) {
    const d = pts.map((p) => `${n(s.x(p.x))},${n(s.y(p.y))}`).join(' ');
    out.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dash(series)}/>`);
  }
  for (const p of pts) {
    if (p.lo !== undefined && p.hi !== undefined && p.hi > p.lo) {
      const x = n(s.x(p.x));
      out.push(
        `<line x1="${x}" y1="${n(s.y(Math.max(0, p.lo)))}" x2="${x}" y2="${n(s.y(Math.min(p.hi, s.yMax)))}" stroke="${color}" stroke-width="1.5"/>`,
      );
    }
    out.push(marker(shape, s.x(p.x), s.y(p.y), color));
  }
  out.push('</g>');
  return out;
}

/** One legend label, its lines as tspans under each other. */
function legendText(x: number, y: number, label: string): string {
  const wrapped = wrapLabel(label);
  if (wrapped.length === 1) {
    return `<text x="${x}" y="${y}" dominant-baseline="middle">${xmlEscape(label)}</text>`;
  }
  const lines = wrapped.map(
    (line, k) => `<tspan x="${x}" dy="${k === 0 ? 0 : LEGEND_LINE_PX}">${xmlEscape(line)}</tspan>`,
  );
  return `<text x="${x}" y="${y}" dominant-baseline="middle">${lines.join('')}</text>`;
}

function legend(chart: LineChart): string[] {
  const series = chart.series;
  const x = M.left + PLOT_W + LEGEND_PAD;
  const out = ['<g class="legend">'];
  let y = M.top + 8;
  const next = (label: string) => {
    const at = y;
    y += LEGEND_ENTRY_PX + (wrapLabel(label).length - 1) * LEGEND_LINE_PX;
    return at;
  };
  series.forEach((se, i) => {
    const at = next(se.label);
    const color = PALETTE[i % PALETTE.length]!;
    out.push(
      `<line x1="${x}" y1="${at}" x2="${x + 24}" y2="${at}" stroke="${color}" stroke-width="2"${dash(se)}/>`,
    );
    out.push(marker(MARKERS[i % MARKERS.length]!, x + 12, at, color));
    out.push(legendText(x + LEGEND_TEXT_X, at, se.label));
  });
  for (const label of guideLabels(chart)) {
    const at = next(label);
    out.push(
      `<line x1="${x}" y1="${at}" x2="${x + 24}" y2="${at}" stroke="${GUIDE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    out.push(legendText(x + LEGEND_TEXT_X, at, label));
  }
  if (series.some((se) => se.points.some((p) => p.lo !== undefined))) {
    out.push(
      `<text x="${x}" y="${y + 6}" font-size="11" fill="#555555">bars: 95% margin (pooled noise)</text>`,
    );
  }
  out.push('</g>');
  return out;
}

/** One chart's width and its elements (axes, guides, series, legend), drawn from y = 0 to H. */
function panel(chart: LineChart): { width: number; body: string[] } {
  const s = scales(chart);
  return {
    width: M.left + PLOT_W + rightMargin(chart),
    body: [
      ...axes(chart, s),
      ...guideMarkup(chart, s),
      ...chart.series.flatMap((se, i) => seriesMarkup(se, i, chart.series.length, s)),
      ...legend(chart),
    ],
  };
}

function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222222">`,
    `<title>${xmlEscape(title)}</title>`,
    ...body.map((l) => `  ${l}`),
    '</svg>',
    '',
  ].join('\n');
}

/** The chart as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const p = panel(chart);
  return svgDocument(p.width, H, chart.title, [
    `<rect x="0" y="0" width="${p.width}" height="${H}" fill="#ffffff"/>`,
    ...p.body,
  ]);
}

/** Charts stacked in one SVG document, one under the other (e.g. two metrics over one x axis). */
export function renderChartStack(title: string, charts: readonly LineChart[]): string {
  const panels = charts.map(panel);
  const width = Math.max(0, ...panels.map((p) => p.width));
  const height = H * panels.length;
  const body = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`];
  panels.forEach((p, i) => {
    body.push(`<g transform="translate(0 ${H * i})">`, ...p.body.map((l) => `  ${l}`), '</g>');
  });
  return svgDocument(width, height, title, body);
}

/** One horizontal bar of stacked segments (e.g. a row's seconds per stage). */
export interface StackedBar {
  label: string;
  /** One value per segment of the chart, in its order (>= 0). */
  values: number[];
}

/** Horizontal bars, each split into the same named segments: where one run's time went, per row. */
export interface StackedBarChart {
  title: string;
  xLabel: string;
  /** Segment names, in the order they are stacked (left to right) and listed in the legend. */
  segments: string[];
  bars: StackedBar[];
}

const BAR_PX = 22;
const BAR_GAP_PX = 12;

/** The chart as a standalone SVG document: one bar per entry, segments stacked left to right. */
export function renderStackedBars(chart: StackedBarChart): string {
  const left = Math.max(M.left, 16 + Math.max(0, ...chart.bars.map((b) => b.label.length)) * CHAR_PX);
  const plotH = Math.max(1, chart.bars.length) * (BAR_PX + BAR_GAP_PX) + BAR_GAP_PX;
  const height = M.top + plotH + M.bottom;
  const widest = Math.max(0, ...chart.segments.map((s) => s.length));
  const width = left + PLOT_W + Math.max(160, LEGEND_PAD + LEGEND_TEXT_X + widest * CHAR_PX + 12);
  const total = Math.max(0, ...chart.bars.map((b) => b.values.reduce((s, v) => s + Math.max(0, v), 0)));
  const step = niceStep(total);
  const xMax = Math.max(step, Math.ceil(total / step) * step);
  const x = (v: number) => left + (v / xMax) * PLOT_W;
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const bottom = M.top + plotH;
  const body = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`];
  for (let v = 0; v <= xMax + step / 2; v += step) {
    const at = n(x(v));
    body.push(`<line x1="${at}" y1="${M.top}" x2="${at}" y2="${bottom}" stroke="#e5e5e5" stroke-width="1"/>`);
    body.push(`<text x="${at}" y="${bottom + 18}" text-anchor="middle">${fmtNum(v, digits)}</text>`);
  }
  body.push(
    `<line x1="${left}" y1="${bottom}" x2="${left + PLOT_W}" y2="${bottom}" stroke="#333333" stroke-width="1"/>`,
    `<line x1="${left}" y1="${M.top}" x2="${left}" y2="${bottom}" stroke="#333333" stroke-width="1"/>`,
    `<text x="${left + PLOT_W / 2}" y="${height - 14}" text-anchor="middle">${xmlEscape(chart.xLabel)}</text>`,
    `<text x="${left + PLOT_W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${xmlEscape(chart.title)}</text>`,
  );
  chart.bars.forEach((bar, i) => {
    const top = M.top + BAR_GAP_PX + i * (BAR_PX + BAR_GAP_PX);
    body.push(
      `<g class="bar" data-bar="${xmlEscape(bar.label)}">`,
      `  <text x="${left - 8}" y="${n(top + BAR_PX / 2)}" text-anchor="end" dominant-baseline="middle">${xmlEscape(bar.label)}</text>`,
    );
    let at = 0;
    bar.values.forEach((v, k) => {
      if (!(v > 0)) return;
      const color = PALETTE[k % PALETTE.length]!;
      const name = chart.segments[k] ?? `segment ${k + 1}`;
      body.push(
        `  <rect x="${n(x(at))}" y="${top}" width="${n(x(at + v) - x(at))}" height="${BAR_PX}" fill="${color}" stroke="#ffffff" stroke-width="0.5"><title>${xmlEscape(`${name}: ${fmtNum(v, 3)}`)}</title></rect>`,
      );
      at += v;
    });
    body.push('</g>');
  });
  const lx = left + PLOT_W + LEGEND_PAD;
  body.push('<g class="legend">');
  chart.segments.forEach((name, k) => {
    const y = M.top + 8 + k * LEGEND_ENTRY_PX;
    body.push(
      `  <rect x="${lx}" y="${y - 6}" width="24" height="12" fill="${PALETTE[k % PALETTE.length]!}"/>`,
      `  ${legendText(lx + LEGEND_TEXT_X, y, name)}`,
    );
  });
  body.push('</g>');
  return svgDocument(width, height, chart.title, body);
}
