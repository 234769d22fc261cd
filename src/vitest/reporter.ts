/**
 * StacReporter: the vitest reporter of the bench run. Thin and stateful: it prints one progress
 * line per finished bench, and at the end builds the results (src/vitest/results-model.ts, pure),
 * runs the analysis and writes `settings.output` with `saveResults`.
 */
import type { Writable } from 'node:stream';
import type { TestCase, TestModule, TestSpecification } from 'vitest/node';
import { experimental_getRunnerTask, type Reporter } from 'vitest/node';
import { collectEnvironment } from '../profiling/environment.js';
import type { BenchmarkResult, Comparison, Finding, ResultsFile } from '../profiling/result.js';
import { saveResults } from '../profiling/save.js';
import {
  type BenchStatistics,
  buildResult,
  buildResultsFile,
  type CollectedBench,
  measurementConditions,
  progressLine,
} from './results-model.js';
import { type BenchSettings, readSettings } from './settings.js';

export type Analyze = (
  results: BenchmarkResult[],
  config: Record<string, unknown>,
) => { comparisons: Comparison[]; findings: Finding[] };

/** Until src/profiling/analysis.ts (`analyze`) is merged: no comparisons, no findings. */
export const analyzeResults: Analyze = () => ({ comparisons: [], findings: [] });

export interface StacReporterOptions {
  /** Default: read from STAC_BENCH_SETTINGS when the run starts. */
  settings?: BenchSettings;
  /** Where progress lines go. Default process.stderr. */
  progress?: Writable;
  analyze?: Analyze;
  /** Called with the file after it is saved (the CLI and tests read it here). */
  onResults?: (file: ResultsFile, paths: { json: string; report: string }) => void;
}

/** What vitest knows about one bench, read from the runner task (statistics, meta, errors). */
export function collectBench(testCase: TestCase): CollectedBench {
  const task = experimental_getRunnerTask(testCase);
  const benchmark = (task.result as { benchmark?: BenchStatistics } | undefined)?.benchmark;
  const result = testCase.result();
  const errors = result.state === 'failed' ? result.errors.map((e) => e.message) : [];
  return {
    name: testCase.name,
    stats: benchmark ? { sampleCount: benchmark.sampleCount ?? 0, samples: benchmark.samples ?? [] } : null,
    meta: testCase.meta().stacBench,
    errors,
  };
}

export class StacReporter implements Reporter {
  /** The last results file written (null until the run ends). */
  lastResults: ResultsFile | null = null;
  private settings: BenchSettings | undefined;
  private readonly progress: Writable;
  private total = 0;
  private done = 0;
  private started = 0;
  private modulesPending = 0;

  constructor(private readonly options: StacReporterOptions = {}) {
    this.settings = options.settings;
    this.progress = options.progress ?? process.stderr;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.settings ??= readSettings();
    this.total = 0;
    this.done = 0;
    this.started = performance.now();
    this.modulesPending = specifications.length;
    this.lastResults = null;
  }

  onTestModuleCollected(testModule: TestModule): void {
    this.modulesPending = Math.max(0, this.modulesPending - 1);
    for (const testCase of testModule.children.allTests()) {
      if (testCase.options.mode === 'run') this.total++;
    }
  }

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === 'skipped') return;
    this.done++;
    const result = buildResult(collectBench(testCase));
    const elapsed = performance.now() - this.started;
    const label = { name: testCase.name, result };
    this.progress.write(`${progressLine(this.done, this.total, label, elapsed, this.modulesPending > 0)}\n`);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const settings = this.settings ?? readSettings();
    const benches: CollectedBench[] = [];
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        if (testCase.result().state !== 'skipped') benches.push(collectBench(testCase));
      }
    }
    const results = benches.map(buildResult).filter((r): r is BenchmarkResult => r !== null);
    const config: Record<string, unknown> = { ...settings, measurement: measurementConditions(benches) };
    const analyze = this.options.analyze ?? analyzeResults;
    const file = buildResultsFile({
      results,
      environment: collectEnvironment(),
      config,
      analysis: analyze(results, config),
    });
    const paths = await saveResults(file, settings.output);
    this.lastResults = file;
    const failed = results.filter((r) => r.error).length;
    this.progress.write(
      `results: ${paths.json} (${results.length} rows${failed ? `, ${failed} failed` : ''}), report: ${paths.report}\n`,
    );
    this.options.onResults?.(file, paths);
  }
}

export default StacReporter;
