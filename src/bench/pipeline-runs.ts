/**
 * The workload of each pipeline case (src/bench/cases.ts `pipelineCases`). Every run writes into a
 * fresh folder under a scratch root (beside the data cache, on the file system the data is read
 * from), made before the run and removed after it, outside the measured region, so runs never see
 * each other's files. The floors hold their Items in memory, loaded before their series of runs.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CACHE_ROOT } from '../fixtures/cache.js';
import { ingest } from '../ingest/index.js';
import { FailureCollector } from '../ingest/types.js';
import { finishSink, openSinkWriter, prepareSink, type SinkOptions } from '../output/index.js';
import type { SinkKind, SinkTarget } from '../output/types.js';
import { sourceCollection } from '../pipeline/collection.js';
import { runPipeline, WriteWindow } from '../pipeline/index.js';
import type { StacItem } from '../stac/item.js';
import { loadTransforms } from '../transform/index.js';
import type { Transform } from '../transform/types.js';
import type { RunOutcome, Workload } from '../vitest/measured-bench.js';
import { PIPELINE_TRANSFORM_OPTIONS, type PipelineCase } from './cases.js';

/**
 * Where this process makes its runs' output folders: beside the generated data, on the same file
 * system, one folder per process (another bench process's runs are never touched).
 */
export const PIPELINE_SCRATCH = join(DEFAULT_CACHE_ROOT, 'pipeline-runs', `process-${process.pid}`);

/**
 * One fresh output folder per run: `next()` makes it (removing one a failed run left), `target`
 * names the sink inside it, `clear()` removes it.
 */
export class RunFolders {
  private current: string | null = null;

  constructor(private readonly root: string = PIPELINE_SCRATCH) {}

  async next(): Promise<void> {
    await this.clear();
    await mkdir(this.root, { recursive: true });
    this.current = await mkdtemp(join(this.root, 'run-'));
  }

  target(kind: SinkKind): SinkTarget {
    if (!this.current) throw new Error('no output folder: RunFolders.next() was not called');
    const name = kind === 'ndjson' ? 'items.ndjson' : kind === 'parquet' ? 'items.parquet' : 'items';
    return { kind, path: join(this.current, name) };
  }

  async clear(): Promise<void> {
    const dir = this.current;
    this.current = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Applies `transforms` in order; null when one refuses the Item. */
function transformed(item: StacItem, transforms: readonly Transform[]): StacItem | null {
  let out = item;
  for (const t of transforms) {
    const result = t.apply(out);
    if ('failure' in result) return null;
    out = result.item;
  }
  return out;
}

/**
 * Every Item of the source in memory (what a floor holds before its runs), read the fastest way
 * the file bench measured (workers reading): it is loaded again before each series of its runs.
 */
async function loadItems(source: string): Promise<StacItem[]> {
  const items: StacItem[] = [];
  const failures = new FailureCollector();
  const options = { strategy: 'worker-threads', concurrency: 1, failures } as const;
  for await (const item of ingest(source, options)) items.push(item);
  if (items.length === 0)
    throw new Error(`${source}: no Items to hold in memory (${failures.count} failures)`);
  return items;
}

/** The Items serialized as the sink writes them, after the transforms, held with their bytes. */
interface HeldWrite {
  item: StacItem;
  bytes: Uint8Array;
}

/**
 * Writes held Items into the sink as the pipeline does (its WriteWindow): prepared, WRITES_IN_FLIGHT writes at once,
 * closed and finished (collection.json, or the NDJSON file renamed into place).
 */
async function writeHeld(
  target: SinkTarget,
  held: readonly HeldWrite[],
  source: string,
  options: SinkOptions,
) {
  await prepareSink(target, { ...options, inputs: [source] });
  const writer = await openSinkWriter(target, options);
  const window = new WriteWindow(writer);
  for (const { item, bytes } of held) {
    if (window.failed !== null) break;
    await window.push(item, bytes);
  }
  await window.settle();
  if (window.failed !== null) {
    await writer.abort().catch(() => undefined);
    throw window.failed;
  }
  return finishSink(target, [await writer.close()], options);
}

/** The workload of a pipeline case; `folders` gives each run its own output folder. */
export function pipelineRun(c: PipelineCase, folders: RunFolders = new RunFolders()): Workload {
  const work = c.work;
  const perRun = { beforeRun: () => folders.next(), afterRun: () => folders.clear() };
  switch (work.run) {
    case 'pipeline':
    case 'sharded':
      return {
        ...perRun,
        run: async (): Promise<RunOutcome> => {
          const failures = new FailureCollector();
          const common = {
            source: work.source,
            format: work.format,
            transforms: work.transforms,
            transformOptions: PIPELINE_TRANSFORM_OPTIONS,
            to: folders.target(work.to),
            failures,
          };
          const report = await runPipeline(
            work.run === 'pipeline'
              ? { ...common, placement: 'caller', ingest: work.ingest }
              : { ...common, placement: 'sharded', workers: work.workers },
          );
          // A run that wrote nothing measured nothing worth a row.
          if (report.items_in > 0 && report.written === 0) {
            throw new Error(`${work.source}: the pipeline wrote none of its ${report.items_in} Items`);
          }
          return { items: report.items_in, failures: report.failures, stageSeconds: report.stage_seconds };
        },
      };
    case 'write-only': {
      let held: HeldWrite[] | null = null;
      let options: SinkOptions = {};
      return {
        ...perRun,
        load: async () => {
          const transforms = await loadTransforms(work.transforms, PIPELINE_TRANSFORM_OPTIONS);
          options = { collection: await sourceCollection(work.source) };
          // A writer only to serialize with: serializing writes nothing.
          const writer = await openSinkWriter(
            { kind: work.to, path: join(PIPELINE_SCRATCH, 'unused') },
            options,
          );
          held = [];
          for (const item of await loadItems(work.source)) {
            const out = transformed(item, transforms);
            if (out && writer.refuse(out) === null) held.push({ item: out, bytes: writer.serialize(out) });
          }
        },
        run: async (): Promise<RunOutcome> => {
          if (!held) throw new Error(`${c.name}: its Items were not loaded`);
          const summary = await writeHeld(folders.target(work.to), held, work.source, options);
          return { items: summary.written };
        },
        unload: () => {
          held = null;
        },
      };
    }
    case 'transform-only': {
      let items: StacItem[] | null = null;
      let transforms: Transform[] = [];
      return {
        load: async () => {
          transforms = await loadTransforms(work.transforms, PIPELINE_TRANSFORM_OPTIONS);
          items = await loadItems(work.source);
        },
        // The transforms never change the Items they are given (they return new ones), so the
        // held Items serve every run.
        run: async (): Promise<RunOutcome> => {
          if (!items) throw new Error(`${c.name}: its Items were not loaded`);
          let kept = 0;
          for (const item of items) if (transformed(item, transforms) !== null) kept++;
          return { items: items.length, failures: items.length - kept };
        },
        unload: () => {
          items = null;
        },
      };
    }
  }
}
