/**
 * `--test-size 1000,10000,100000`: one bench run per size (each its own vitest run, datasets of
 * that size from the cache), their rows joined into one results file and analysed together. The
 * local or real STAC API, when the mode has it, runs once, in the first size's run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSettings } from '../bench/settings.js';
import { analyze } from '../profiling/analysis.js';
import { fmtInt } from '../profiling/format.js';
import { type ResultsFile, SCHEMA_VERSION } from '../profiling/result.js';
import { writeReport } from '../report/write.js';
import { readResults } from './results-file.js';

/** The sizes of a run: the --test-size list, or the one size. */
export function sizesOf(settings: BenchSettings): number[] {
  return settings.testSizes && settings.testSizes.length > 0 ? settings.testSizes : [settings.testSize];
}

/** The settings of one size's bench run: its size, its own output, the API only in the first. */
export function settingsForSize(settings: BenchSettings, index: number, output: string): BenchSettings {
  const size = sizesOf(settings)[index]!;
  return {
    ...settings,
    testSize: size,
    output,
    api: { ...settings.api, enabled: settings.api.enabled && index === 0 },
  };
}

/** `size 2 of 3: 10,000 items` (and what else that run measures). */
export function sizeHeader(settings: BenchSettings, index: number): string {
  const sizes = sizesOf(settings);
  const api = settings.api.enabled && index === 0 ? apiNote(settings) : '';
  return `size ${index + 1} of ${sizes.length}: ${fmtInt(sizes[index])} items${api}`;
}

function apiNote(settings: BenchSettings): string {
  const api = settings.api;
  if (api.catalogUrl) return `, and the STAC API at ${api.catalogUrl} (once)`;
  return `, and the local STAC API (once: ${fmtInt(api.smallItems)} and ${fmtInt(api.largeItems)} items)`;
}

type Measurement = { peak_memory_method?: unknown; gc_between_runs?: unknown };

/** The measurement conditions of several runs: one peak-memory method or `mixed`; GC in all or not. */
function joinMeasurement(parts: readonly ResultsFile[]): Measurement {
  const each = parts.map((p) => (p.config.measurement ?? {}) as Measurement);
  const methods = new Set(each.map((m) => m.peak_memory_method).filter((m) => m !== null));
  const [only] = methods;
  return {
    peak_memory_method: methods.size === 0 ? null : methods.size === 1 ? only : 'mixed',
    gc_between_runs: each.every((m) => m.gc_between_runs === true),
  };
}

/**
 * One results file from the runs of each size: every row, the command's settings (the list of
 * sizes, not one run's), the first run's environment, and the analysis made again over all rows
 * (each size's findings stay per scenario and size; the report adds the scaling section).
 */
export function joinSizeRuns(
  parts: readonly ResultsFile[],
  settings: BenchSettings,
  now = new Date(),
): ResultsFile {
  if (parts.length === 0) throw new Error('joinSizeRuns: no results to join');
  const results = parts.flatMap((p) => p.results);
  const { testSize: _one, ...rest } = settings;
  const config: Record<string, unknown> = { ...rest, measurement: joinMeasurement(parts) };
  const environment = parts[0]!.environment;
  const analysis = analyze(results, config, environment);
  return {
    schema_version: SCHEMA_VERSION,
    generated_at: now.toISOString(),
    environment,
    config,
    results,
    comparisons: analysis.comparisons,
    findings: analysis.findings,
  };
}

/** What a size's run did: its results file (null when it wrote none) and whether vitest failed. */
export interface SizeRunOutcome {
  results: ResultsFile | null;
  failed: boolean;
}

/** Runs one size's benchmarks with `sub` (its own output) and reads back what it wrote. */
export type RunOneSize = (sub: BenchSettings, index: number) => Promise<{ failed: boolean }>;

/**
 * Runs every size in turn (smallest first), each announced on `log`, then writes the joined results,
 * report and charts to `settings.output`. Fails (`failed: true`) when any size's run failed or wrote
 * nothing; throws when no size wrote results.
 */
export async function runSizes(
  settings: BenchSettings,
  runOne: RunOneSize,
  log: (line: string) => void,
): Promise<{ failed: boolean }> {
  const sizes = sizesOf(settings);
  const scratch = await mkdtemp(join(tmpdir(), 'stac-bench-sizes-'));
  const parts: ResultsFile[] = [];
  let failed = false;
  try {
    for (let i = 0; i < sizes.length; i++) {
      log(sizeHeader(settings, i));
      const sub = settingsForSize(settings, i, join(scratch, `size-${sizes[i]}.json`));
      const outcome = await runOne(sub, i);
      failed ||= outcome.failed;
      const written = await readResults(sub.output).catch(() => null);
      if (written) parts.push(written);
      else {
        failed = true;
        log(`size ${fmtInt(sizes[i])}: the bench run wrote no results`);
      }
    }
  } finally {
    // Read into memory above: the per-size files, reports and charts are not kept.
    await rm(scratch, { recursive: true, force: true });
  }
  if (parts.length === 0) throw new Error(`no size's bench run wrote results (sizes ${sizes.join(', ')})`);
  await writeReport(joinSizeRuns(parts, settings), settings.output);
  return { failed };
}
