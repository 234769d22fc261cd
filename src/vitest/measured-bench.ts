/**
 * measuredBench(): a vitest `bench` whose every run is measured with `measure` (wall, CPU, ELU,
 * whole-process peak memory) and whose measurements and outcome travel to the reporter in the bench
 * task's `meta`. Bench files stay thin: pick the data, call measuredBench with a run function.
 */
import { bench, type TaskMeta, TestRunner } from 'vitest';
import type { HttpStats } from '../ingest/types.js';
import { collectGarbage, type Measurement, measure } from '../profiling/instruments.js';
import type {
  BenchmarkResult,
  DatasetInfo,
  PipelineFigures,
  ResultKind,
  Scenario,
  StageFigures,
} from '../profiling/result.js';

/** What a pipeline row ran (its stage times come from the runs). */
export type PipelineRun = Omit<PipelineFigures, 'stage_seconds'>;

/** What one run of the workload reports back. */
export interface RunOutcome {
  /** Items the run produced (ingested, or read/parsed for a floor). */
  items: number;
  /** Inputs that could not be ingested (counted, not fatal). */
  failures?: number;
  /** API mode: HTTP counters of this run. */
  http?: HttpStats;
  /** worker-threads: the workers' mean event-loop utilisation over the run. */
  workerElu?: number | null;
  /** API mode: Items a partitioned search received twice and dropped. */
  duplicatesDropped?: number;
  /** A pipeline run: seconds in each stage. */
  stageSeconds?: StageFigures;
}

export interface MeasuredBenchOptions {
  scenario: Scenario;
  strategy: string;
  concurrency: number;
  /** Default 'ingest'. */
  kind?: ResultKind;
  variant?: string | null;
  dataset: DatasetInfo;
  /** Measured runs (settings.samples). */
  samples: number;
  /** Unmeasured warm-up runs before them (settings.warmups). */
  warmups: number;
  /**
   * Called once after the bench's measured runs, outside them (tinybench's `afterAll` of the
   * measured loop; not after a bench whose run threw): where a scenario takes its floors' next runs.
   */
  afterRuns?: () => Promise<void>;
  /**
   * The CPU seconds a server process has used so far (the local STAC API's, src/mock-api/control.ts).
   * Read right before and right after each measured run, outside its timed region; the difference
   * is the run's `server_cpu_seconds`.
   */
  serverCpuSeconds?: () => Promise<number>;
  /** Scenario `pipeline`: what the row runs (recorded with each row, its stage times averaged). */
  pipeline?: PipelineRun;
  /**
   * Before and after every run (warm-ups included), outside its timed region, before the GC:
   * e.g. a fresh output folder for the run, removed after it.
   */
  beforeRun?: () => Promise<void> | void;
  afterRun?: () => Promise<void> | void;
}

/** One measured run: the instrument figures and what the run reported. */
export interface RunRecord extends Measurement {
  items: number;
  failures: number;
  http: HttpStats | null;
  worker_elu: number | null;
  /** Null (or absent) when the run did not report it. */
  duplicates_dropped?: number | null;
  server_cpu_seconds?: number | null;
  /** A pipeline run's seconds per stage (null or absent: not a pipeline run). */
  stage_seconds?: StageFigures | null;
}

/** What a measured bench attaches to its task (`task.meta.stacBench`): the row's identity, and its runs. */
export interface StacBenchMeta
  extends Pick<BenchmarkResult, 'scenario' | 'kind' | 'strategy' | 'variant' | 'concurrency' | 'dataset'> {
  samples: number;
  warmups: number;
  /** Measured runs in the order they ran (warm-ups are not recorded). */
  runs: RunRecord[];
  /** The first error a run threw (warm-up or measured), as `Name: message`; null when none did. */
  error: string | null;
  /** Whether a full garbage collection ran before every run (false where the runtime refused it). */
  gc_between_runs: boolean;
  /** Scenario `pipeline`: what the row ran. */
  pipeline?: PipelineRun;
  /**
   * The runs were taken between other benches (an interleaved floor): the durations are the runs'
   * own wall times, not vitest's samples of the task that published them.
   */
  interleaved?: boolean;
}

declare module 'vitest' {
  interface TaskMeta {
    stacBench?: StacBenchMeta;
  }
}

function checkOptions(name: string, o: MeasuredBenchOptions): void {
  const positiveInt = (key: 'concurrency' | 'samples', v: number) => {
    if (!Number.isInteger(v) || v < 1)
      throw new TypeError(`measuredBench '${name}': ${key} must be an integer >= 1, got ${v}`);
  };
  positiveInt('concurrency', o.concurrency);
  positiveInt('samples', o.samples);
  if (!Number.isInteger(o.warmups) || o.warmups < 0) {
    throw new TypeError(`measuredBench '${name}': warmups must be an integer >= 0, got ${o.warmups}`);
  }
  if (!o.strategy) throw new TypeError(`measuredBench '${name}': strategy must be a non-empty string`);
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function record(m: Measurement & { result: RunOutcome }): RunRecord {
  const { result, ...figures } = m;
  if (!result || typeof result.items !== 'number' || !Number.isFinite(result.items)) {
    throw new TypeError(
      `a measured run must resolve to { items: number, ... }, got ${JSON.stringify(result)}`,
    );
  }
  return {
    ...figures,
    items: result.items,
    failures: result.failures ?? 0,
    http: result.http ? { ...result.http } : null,
    worker_elu: result.workerElu ?? null,
    duplicates_dropped: result.duplicatesDropped ?? null,
    server_cpu_seconds: null,
    stage_seconds: result.stageSeconds ? { ...result.stageSeconds } : null,
  };
}

/**
 * Registers one bench. Exactly `samples` measured runs after `warmups` warm-ups (`time: 0`,
 * `warmupTime: 0`). A run that throws fails the bench: the error is kept in the meta and rethrown,
 * so vitest reports it and the reporter turns it into a failed result (figures null).
 * A warm-up that throws is remembered and rethrown by the first measured run (a warm-up error
 * alone would leave vitest without any result for the bench).
 */
export function measuredBench(
  name: string,
  run: () => Promise<RunOutcome>,
  options: MeasuredBenchOptions,
): void {
  checkOptions(name, options);
  const meta = newMeta(options);
  let phase: 'warmup' | 'run' = 'warmup';
  let warmupError: unknown = null;
  const readServerCpu = options.serverCpuSeconds;
  /** The server's CPU before the current measured run, and the runs recorded by then. */
  let serverBefore: { cpu: number; runs: number } | null = null;

  bench(
    name,
    async () => {
      task.meta.stacBench = meta;
      if (phase === 'warmup') {
        try {
          await run();
        } catch (e) {
          warmupError ??= e;
          meta.error ??= describeError(e);
        }
        return;
      }
      // A failure is recorded, not thrown: vitest's bench runner rejects a promise it awaits only
      // after the last bench of the block, so a throw surfaces as an unhandled rejection (and a
      // warning when handled late). The reporter turns `meta.error` into a failed row and the
      // command exits 1; the runs left after a failure return at once.
      if (warmupError !== null || meta.error !== null) return;
      try {
        meta.runs.push(record(await measure(run)));
      } catch (e) {
        meta.error ??= describeError(e);
      }
    },
    {
      iterations: options.samples,
      time: 0,
      warmupIterations: options.warmups,
      warmupTime: 0,
      setup: (benchTask, mode) => {
        phase = mode;
        benchTask.opts.afterAll = mode === 'run' ? options.afterRuns : undefined;
        // A full GC before every run, outside the timed region (tinybench runs `beforeEach` before
        // starting its clock), so one run's garbage is neither collected inside the next run's time
        // nor hides the next run's memory growth when it is freed there.
        benchTask.opts.beforeEach = async () => {
          serverBefore = null;
          await options.beforeRun?.();
          // Read before the GC, so the collection also clears what the read allocated.
          if (readServerCpu && phase === 'run') {
            serverBefore = { cpu: await readServerCpu().catch(() => Number.NaN), runs: meta.runs.length };
          }
          if (!collectGarbage()) meta.gc_between_runs = false;
        };
        // tinybench stops its clock before `afterEach`: the read is outside the run's time.
        benchTask.opts.afterEach = async () => {
          const before = serverBefore;
          serverBefore = null;
          const run = meta.runs[before?.runs ?? -1];
          if (readServerCpu && before && run) {
            const used = (await readServerCpu().catch(() => Number.NaN)) - before.cpu;
            // A failed read leaves the figure null (not measured), never a made-up zero.
            if (Number.isFinite(used) && used >= 0) run.server_cpu_seconds = used;
          }
          await options.afterRun?.();
        };
      },
    },
  );
  const task = registeredTask(name);
  task.meta.stacBench = meta;
}

function newMeta(options: MeasuredBenchOptions): StacBenchMeta {
  return {
    scenario: options.scenario,
    kind: options.kind ?? 'ingest',
    strategy: options.strategy,
    variant: options.variant ?? null,
    concurrency: options.concurrency,
    dataset: { ...options.dataset },
    samples: options.samples,
    warmups: options.warmups,
    runs: [],
    error: null,
    gc_between_runs: true,
    ...(options.pipeline
      ? { pipeline: { ...options.pipeline, transforms: [...options.pipeline.transforms] } }
      : {}),
  };
}

/** A workload with what it holds in memory loaded before its runs and dropped after them. */
export interface Workload {
  run: () => Promise<RunOutcome>;
  /** Outside the measured region, before a series of runs (e.g. documents a floor parses). */
  load?: () => void | Promise<void>;
  unload?: () => void;
  /** Outside the measured region, before and after each run (e.g. a fresh output folder). */
  beforeRun?: () => Promise<void> | void;
  afterRun?: () => Promise<void> | void;
}

/**
 * A bench whose warm-ups and measured runs are taken a few at a time between other benches (`take`,
 * called from their `afterRuns`), each after a full GC and measured like any run; `register` adds
 * the bench that publishes them (and takes the runs still due, e.g. when a bench before it failed).
 * A floor measured so sees the state (heap, workers, page cache, machine load) of the rows it bounds.
 */
export class InterleavedBench {
  private readonly meta: StacBenchMeta;
  private warmedUp = false;
  private failure: unknown = null;

  constructor(
    readonly name: string,
    private readonly work: Workload,
    options: MeasuredBenchOptions,
  ) {
    checkOptions(name, options);
    this.meta = { ...newMeta(options), interleaved: true };
  }

  /** Runs not yet taken. */
  get due(): number {
    return this.meta.samples - this.meta.runs.length;
  }

  /** Takes up to `n` of the runs still due (the warm-ups first, once). */
  async take(n: number): Promise<void> {
    const count = Math.min(n, this.due);
    if (count <= 0 || this.failure !== null) return;
    const meta = this.meta;
    try {
      await this.work.load?.();
      const once = async <T>(run: () => Promise<T>): Promise<T> => {
        await this.work.beforeRun?.();
        try {
          return await run();
        } finally {
          await this.work.afterRun?.();
        }
      };
      if (!this.warmedUp) {
        this.warmedUp = true;
        for (let i = 0; i < meta.warmups; i++) await once(this.work.run);
      }
      for (let i = 0; i < count; i++) {
        meta.runs.push(
          record(
            await once(() => {
              if (!collectGarbage()) meta.gc_between_runs = false;
              return measure(this.work.run);
            }),
          ),
        );
      }
    } catch (e) {
      this.failure = e;
      meta.error ??= describeError(e);
    } finally {
      this.work.unload?.();
    }
  }

  /** Registers the bench that publishes the runs (one iteration, which takes the runs still due). */
  register(): void {
    const meta = this.meta;
    bench(
      this.name,
      async () => {
        task.meta.stacBench = meta;
        // A failure stays in `meta.error` (see measuredBench: not thrown).
        await this.take(this.due);
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
    const task = registeredTask(this.name);
    task.meta.stacBench = meta;
  }
}

/** The task vitest just created for `bench(name, ...)` (bench code cannot otherwise reach its task). */
function registeredTask(name: string): { meta: TaskMeta } {
  const last = TestRunner.getCurrentSuite().tasks.at(-1);
  if (last?.type !== 'test') {
    throw new Error(`measuredBench '${name}': could not find the bench task vitest registered`);
  }
  return last;
}
