/**
 * The bench run's globalSetup (vitest.bench.config.ts). Runs once in the main vitest process,
 * before any bench file: reads the settings, prepares what the benches need, and `provide`s it.
 *
 * The work is a list of steps run in order; each may return a teardown, and teardowns run in
 * reverse order after all benches (and after the reporters). The local STAC API is one more step:
 * append it to SETUP_STEPS (and declare its keys in src/vitest/context.ts).
 */
import type { TestProject } from 'vitest/node';
import { prepareBenchApi } from '../bench/api.js';
import { type DataPaths, prepareDataPaths } from '../bench/data.js';
import { type BenchSettings, QUIET_ENV, readSettings } from '../bench/settings.js';

export type Teardown = () => Promise<void> | void;

/** What a step can read and offer to the bench files. */
export interface SetupContext {
  settings: BenchSettings;
  provide: TestProject['provide'];
  /** One progress line on stderr. */
  log: (line: string) => void;
}

export type SetupStep = (ctx: SetupContext) => Promise<Teardown | undefined> | Teardown | undefined;

/** Provides the settings every bench file reads. */
export const provideSettings: SetupStep = ({ settings, provide }) => {
  provide('settings', settings);
  return undefined;
};

/** Generates (or reuses from the cache) the file datasets and provides their paths. */
export const provideDataPaths: SetupStep = async ({ settings, provide, log }) => {
  const dataPaths: DataPaths = await prepareDataPaths(settings, {
    onReady: (format, data) =>
      log(`data ${format}: ${data.items.toLocaleString('en-US')} items at ${data.path}`),
  });
  provide('dataPaths', dataPaths);
  return undefined;
};

/** Starts the local STAC API in a child process (or names the real one) and provides it. */
export const provideStacApi: SetupStep = async ({ settings, provide, log }) => {
  const api = await prepareBenchApi(settings);
  provide('stacApi', api?.info ?? null);
  if (!api) return undefined;
  const { url, local, collections } = api.info;
  log(
    `${local ? 'local' : 'real'} STAC API at ${url}: ${collections.map((c) => `${c.id} (${c.items ?? 'all'})`).join(', ')}`,
  );
  return async () => {
    const summary = await api.close();
    if (summary) log(summary);
  };
};

/** In order. The local STAC API step goes after the data (it may serve the same items). */
export const SETUP_STEPS: SetupStep[] = [provideSettings, provideDataPaths, provideStacApi];

/** Runs the steps; if one fails, the teardowns of the steps before it still run. */
export async function runSetupSteps(steps: readonly SetupStep[], ctx: SetupContext): Promise<Teardown> {
  const teardowns: Teardown[] = [];
  const teardownAll: Teardown = async () => {
    for (const teardown of teardowns.reverse()) await teardown();
  };
  try {
    for (const step of steps) {
      const teardown = await step(ctx);
      if (teardown) teardowns.push(teardown);
    }
  } catch (e) {
    await teardownAll();
    throw e;
  }
  return teardownAll;
}

export default async function setup(project: TestProject): Promise<Teardown> {
  const settings = readSettings();
  // `--quiet` (QUIET_ENV, set by the CLI): the summary and findings only.
  const log = (line: string): void => {
    if (!process.env[QUIET_ENV]) process.stderr.write(`[setup] ${line}\n`);
  };
  return runSetupSteps(SETUP_STEPS, { settings, provide: project.provide.bind(project), log });
}
