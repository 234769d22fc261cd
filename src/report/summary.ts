/**
 * The terminal summary the benchmark commands print after a run: one aligned table, the findings,
 * then how cost grows with size (scenarios measured at several sizes).
 */

import { fmtInt, fmtNum } from '../profiling/format.js';
import type { BenchmarkResult, ResultsFile } from '../profiling/result.js';
import { scalingOf, scalingTitle } from '../profiling/scaling.js';
import { usable } from '../profiling/spread.js';

function cells(r: BenchmarkResult): string[] {
  const name = `${r.kind === 'floor' ? 'floor: ' : ''}${r.strategy}${r.variant ? ` (${r.variant})` : ''}`;
  const head = [r.scenario, String(r.dataset.items), name, String(r.concurrency)];
  if (!usable(r)) return [...head, `error: ${r.error ?? 'no figures'}`, '', '', '', ''];
  const rme = r.duration_stats && r.samples > 1 ? ` ±${fmtNum(r.duration_stats.rme, 0)}%` : '';
  return [
    ...head,
    `${fmtInt(r.throughput_items_per_sec)}${rme}`,
    fmtNum(r.duration_seconds, 3),
    fmtNum(r.peak_memory_mb, 1),
    fmtNum(r.cpu_seconds, 2),
    fmtNum(r.event_loop_utilization, 2),
  ];
}

/** Plain text: the table of every row, the findings, where the files are. */
export function renderSummary(
  file: ResultsFile,
  paths: { json: string; markdown?: string } | null = null,
): string {
  const header = [
    'Scenario',
    'Items',
    'Strategy',
    'Conc.',
    'Items/s',
    'Time (s)',
    'Peak MB',
    'CPU (s)',
    'ELU',
  ];
  const body = file.results.map(cells);
  // An error message runs past the columns: it does not widen them.
  const width = (c: string) => (c.startsWith('error:') ? 0 : c.length);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => width(b[i]!))));
  const numeric = new Set([1, 3, 5, 6, 7, 8]);
  const line = (row: string[]) =>
    row
      .map((c, i) => {
        if (i === 4 && c.startsWith('error:')) return c;
        return numeric.has(i) || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ''];
  if (file.findings.length > 0) {
    out.push('Findings:');
    for (const f of file.findings) {
      out.push(
        `- ${f.scenario} [${f.bottleneck}-bound, use ${f.best_strategy} at ${f.recommended_concurrency}]: ${f.summary}`,
      );
    }
    out.push('');
  }
  const scalings = scalingOf(file.results);
  if (scalings.length > 0) {
    out.push('Scaling:');
    for (const s of scalings) out.push(`- ${scalingTitle(s)}: ${s.summary}`);
    out.push('');
  }
  const failed = file.results.filter((r) => r.error !== null);
  if (failed.length > 0)
    out.push(`${failed.length} bench(es) failed: ${failed.map((r) => r.key).join(', ')}`, '');
  if (paths) {
    out.push(`Results: ${paths.json}`);
    if (paths.markdown) out.push(`Report:  ${paths.markdown}`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
