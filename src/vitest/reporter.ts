/**
 * StacReporter: the vitest reporter of the bench run. Thin and stateful: it prints one progress
 * line per finished bench, and at the end builds the results (src/vitest/results-model.ts, pure),
 * runs the analysis (src/profiling/analysis.ts) and writes `settings.output`, its Markdown report
 * and charts (src/report/write.ts, which validates against the schema first).
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { experimental_getRunnerTask, type Reporter } from 'vitest/node';
import { type PlannedBench, plannedBenches } from '../bench/plan.js';
import { type BenchSettings, publicSettings, readSettings } from '../bench/settings.js';
import { writeFileAtomic } from '../output/atomic.js';
import { analyze } from '../profiling/analysis.js';
import { collectEnvironment } from '../profiling/environment.js';
import type { BenchmarkResult, Comparison, Environment, Finding, ResultsFile } from '../profiling/result.js';
import { rejectedPathFor, writeReport } from '../report/write.js';
import { type EtaBench, type PreviousRow, previousRows, RunEstimate } from './eta.js';
import {
  type BenchStatistics,
  buildResult,
  buildResultsFile,
  type CollectedBench,
  measurementConditions,
  progressLine,
  sharedKey,
} from './results-model.js';

export type Analyze = (
  results: BenchmarkResult[],
  config: Record<string, unknown>,
  environment: Environment,
) => { comparisons: Comparison[]; findings: Finding[] };

/** Where a results file went. */
export interface WrittenPaths {
  json: string;
  report: string;
  charts: string[];
}

export type WriteResults = (file: ResultsFile, jsonPath: string) => Promise<WrittenPaths>;

/** The JSON, `<name>_report.md` and the SVG charts beside it. */
export const writeResults: WriteResults = async (file, jsonPath) => {
  const written = await writeReport(file, jsonPath);
  return { json: written.json, report: written.markdown, charts: written.charts };
};

export interface StacReporterOptions {
  /** Default: read from STAC_BENCH_SETTINGS when the run starts. */
  settings?: BenchSettings;
  /** Where progress lines go. Default process.stderr. */
  progress?: Pick<Writable, 'write'>;
  /** No progress line per bench (`--quiet`); the lines about the results file are still written. */
  quiet?: boolean;
  /** Default: `analyze` of src/profiling/analysis.ts. */
  analyze?: Analyze;
  /** Default: `writeResults` (JSON + Markdown report + charts). */
  write?: WriteResults;
  /**
   * The earlier results file the ETA takes each bench's time from (default: the run's output,
   * read before it is overwritten). A missing or unreadable file only means no head start.
   */
  etaFrom?: string;
  /** Called with the file after it is saved (the CLI and tests read it here). */
  onResults?: (file: ResultsFile, paths: WrittenPaths) => void;
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
  private readonly progress: Pick<Writable, 'write'>;
  private vitest: Vitest | null = null;
  private modules: string[] = [];
  private total = 0;
  private done = 0;
  private started = 0;
  private modulesPending = 0;
  /** The planned benches by name (null: some bench file's benches are only known once collected). */
  private plan: Map<string, PlannedBench> | null = null;
  private estimate: RunEstimate | null = null;
  /** performance.now() of the first bench file queued, the last bench's end, the current file's start. */
  private clock = { queued: 0, lastEnd: 0, moduleStart: 0 };

  constructor(private readonly options: StacReporterOptions = {}) {
    this.settings = options.settings;
    this.progress = options.progress ?? process.stderr;
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.settings ??= readSettings();
    this.total = 0;
    this.done = 0;
    this.started = 0;
    this.modulesPending = specifications.length;
    this.modules = specifications.map((s) => s.moduleId);
    this.plan = null;
    this.estimate = null;
    this.clock = { queued: 0, lastEnd: 0, moduleStart: 0 };
    this.lastResults = null;
  }

  onTestModuleQueued(): void {
    this.clock.queued ||= performance.now();
  }

  /**
   * The ETA clock starts with the first bench file, after the data and the local API are ready;
   * then the benches of every file are known (the globalSetup has provided what they are built
   * from), so the count is whole before the first bench runs. Each file's start-up (the time
   * since the last bench ended: its process, its imports) is timed apart from its benches.
   */
  onTestModuleStart(testModule: TestModule): void {
    const now = performance.now();
    if (this.started === 0) {
      this.started = now;
      this.plan = this.planAll();
      if (this.plan) {
        this.total = this.plan.size;
        this.modulesPending = 0;
        this.estimate = new RunEstimate(this.etaBenches(this.plan), this.previousResults());
      }
    }
    this.estimate?.moduleStarted(testModule.moduleId, now - (this.clock.lastEnd || this.clock.queued || now));
    this.clock.moduleStart = now;
  }

  private etaBenches(plan: Map<string, PlannedBench>): EtaBench[] {
    return [...plan].map(([id, bench]) => ({ id, module: id.slice(0, id.indexOf('\0')), bench }));
  }

  /** The rows of the earlier results file, read before this run overwrites it. */
  private previousResults(): Map<string, PreviousRow> {
    const path = this.options.etaFrom ?? this.settings?.output;
    if (!path) return new Map();
    try {
      return previousRows(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      return new Map();
    }
  }

  private planAll(): Map<string, PlannedBench> | null {
    const provided = this.vitest?.getRootProject().getProvidedContext();
    if (!provided?.settings || !provided.dataPaths) return null;
    const inputs = {
      settings: provided.settings,
      dataPaths: provided.dataPaths,
      stacApi: provided.stacApi ?? null,
    };
    const plan = new Map<string, PlannedBench>();
    for (const module of this.modules) {
      let benches: PlannedBench[] | null;
      try {
        benches = plannedBenches(module, inputs);
      } catch {
        // The bench file reports the same error when it builds its cases.
        benches = null;
      }
      if (benches === null) return null;
      for (const b of benches) plan.set(`${module}\0${b.name}`, b);
    }
    return plan;
  }

  onTestModuleCollected(testModule: TestModule): void {
    if (this.plan) return;
    this.modulesPending = Math.max(0, this.modulesPending - 1);
    for (const testCase of testModule.children.allTests()) {
      if (testCase.options.mode === 'run') this.total++;
    }
  }

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === 'skipped') return;
    this.done++;
    const now = performance.now();
    const elapsedOwn = now - Math.max(this.clock.lastEnd, this.clock.moduleStart);
    this.clock.lastEnd = now;
    this.estimate?.finished(`${testCase.module.moduleId}\0${testCase.name}`, elapsedOwn);
    if (this.options.quiet) return;
    const result = buildResult(collectBench(testCase));
    const elapsed = now - (this.started || now);
    const sized = (this.settings?.testSizes?.length ?? 0) > 1;
    const label = { name: testCase.name, result, sized };
    const estimate = this.estimate?.estimate();
    this.progress.write(
      `${progressLine(this.done, this.total, label, elapsed, this.modulesPending > 0, estimate)}\n`,
    );
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown> = [],
    reason = 'passed',
  ): Promise<void> {
    const benches: CollectedBench[] = [];
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        if (testCase.result().state !== 'skipped') benches.push(collectBench(testCase));
      }
    }
    await this.finish(benches, unhandledErrors, reason);
  }

  /**
   * The end of a run, from what was collected: the results file, its report and charts. Results
   * that cannot be written (rows sharing a key, a file the schema refuses, a write that fails) are
   * not lost: they are kept beside the output (`<name>.rejected.json`) and one line says why.
   */
  async finish(
    benches: readonly CollectedBench[],
    unhandledErrors: ReadonlyArray<unknown> = [],
    reason = 'passed',
  ): Promise<void> {
    const settings = this.settings ?? readSettings();
    const results = benches.map(buildResult).filter((r): r is BenchmarkResult => r !== null);
    if (results.length === 0) {
      // Nothing measured (setup failed, no bench file, every bench skipped): leave any earlier file alone.
      const why =
        unhandledErrors.length > 0 ? `, ${unhandledErrors.length} error(s) before any bench ran` : '';
      this.progress.write(`no benchmark results to write (run ${reason}${why})\n`);
      return;
    }
    const config: Record<string, unknown> = {
      ...publicSettings(settings),
      measurement: measurementConditions(benches),
    };
    const environment = collectEnvironment();
    let file = buildResultsFile({
      results,
      environment,
      config,
      analysis: { comparisons: [], findings: [] },
    });
    let paths: WrittenPaths;
    try {
      const shared = sharedKey(results);
      if (shared) throw new Error(shared);
      const analysis = (this.options.analyze ?? analyze)(results, config, environment);
      file = buildResultsFile({ results, environment, config, analysis });
      paths = await (this.options.write ?? writeResults)(file, settings.output);
    } catch (e) {
      const kept = rejectedPathFor(settings.output);
      const saved = await writeFileAtomic(kept, `${JSON.stringify(file, null, 2)}\n`).then(
        () => `; the ${results.length} measured rows are kept in ${kept}`,
        () => '',
      );
      this.progress.write(`results not written to ${settings.output}: ${(e as Error).message}${saved}\n`);
      return;
    }
    this.lastResults = file;
    const failed = results.filter((r) => r.error).length;
    // A failed bench is recorded, not thrown (measured-bench.ts): the run fails here instead.
    if (failed > 0) process.exitCode = 1;
    this.progress.write(
      `results: ${paths.json} (${results.length} rows${failed ? `, ${failed} failed` : ''}), report: ${paths.report}\n`,
    );
    this.options.onResults?.(file, paths);
  }
}

export default StacReporter;
