/**
 * Writes a results file: validated JSON, and `<name>_report.md` beside it. The Markdown here is a
 * plain table per scenario in one function (`renderMarkdownReport`), to be replaced by the richer
 * renderer of src/report/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { BenchmarkResult, ResultsFile } from './result.js';
import { validateResults } from './schema.js';

export interface SavedPaths {
  json: string;
  report: string;
}

/** `results/run.json` -> `results/run_report.md`. */
export function reportPathFor(jsonPath: string): string {
  const name = basename(jsonPath, extname(jsonPath));
  return join(dirname(jsonPath), `${name}_report.md`);
}

/** Validates `file` (throws, writing nothing, when invalid), then writes the JSON and the report. */
export async function saveResults(
  file: ResultsFile,
  jsonPath: string,
  render: (file: ResultsFile) => string = renderMarkdownReport,
): Promise<SavedPaths> {
  const { valid, errors } = validateResults(file);
  if (!valid) {
    const shown = errors.slice(0, 10).join('; ');
    const more = errors.length > 10 ? ` (and ${errors.length - 10} more)` : '';
    throw new Error(`${jsonPath}: results do not match schema/results.schema.json: ${shown}${more}`);
  }
  const report = reportPathFor(jsonPath);
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(report, render(file));
  return { json: jsonPath, report };
}

const fmt = (n: number | null, digits: number): string =>
  n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

function row(r: BenchmarkResult): string {
  const name = [r.strategy, r.variant].filter(Boolean).join(' / ') + (r.kind === 'floor' ? ' (floor)' : '');
  if (r.error) return `| ${name} | ${r.concurrency} | error: ${r.error.replace(/\|/g, '\\|')} | | | | |`;
  const cells = [
    fmt(r.duration_seconds, 3),
    fmt(r.throughput_items_per_sec, 0),
    fmt(r.peak_memory_mb, 1),
    fmt(r.cpu_seconds, 2),
    fmt(r.event_loop_utilization, 2),
  ];
  return `| ${name} | ${r.concurrency} | ${cells.join(' | ')} |`;
}

/** Plain Markdown: the conditions, then one table per scenario. Pure. */
export function renderMarkdownReport(file: ResultsFile): string {
  const env = file.environment;
  const lines = [
    '# STAC ingest benchmark',
    '',
    `Generated ${file.generated_at} on ${env.cpus} × ${env.cpu_model}, ${env.total_memory_mb} MB, ` +
      `Node ${env.node} (${env.platform}/${env.arch}), UV_THREADPOOL_SIZE=${env.uv_threadpool_size}, ` +
      `commit ${env.git_commit ?? 'unknown'}. Samples per bench: ${String(file.config.samples)}, ` +
      `warm-ups: ${String(file.config.warmups)}. Times are means over the samples.`,
  ];
  const scenarios = [...new Set(file.results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const rows = file.results.filter((r) => r.scenario === scenario);
    const d = rows[0]!.dataset;
    lines.push('', `## ${scenario}`, '', `${d.items} items, ${d.format}, profile ${d.profile}.`, '');
    lines.push(
      '| Strategy | Concurrency | Time (s) | Throughput (items/s) | Peak memory (MB) | CPU (s) | ELU |',
    );
    lines.push('|---|---|---|---|---|---|---|');
    lines.push(...rows.map(row));
  }
  if (file.findings.length > 0) {
    lines.push('', '## Findings', '');
    lines.push(...file.findings.map((f) => `- **${f.scenario}**: ${f.summary}`));
  }
  return `${lines.join('\n')}\n`;
}
