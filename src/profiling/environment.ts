/** The conditions a results file was measured under (docs/architecture.md, "Results file": `environment`). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from './result.js';

/** The project root (where package.json and node_modules are). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Packages whose versions change the figures: the runner, HTTP stack, Parquet readers, loaders. */
export const KEY_PACKAGES: readonly string[] = [
  'vitest',
  'tinybench',
  'undici',
  'msw',
  'p-limit',
  'apache-arrow',
  'parquet-wasm',
  'hyparquet',
  'hyparquet-writer',
  '@dsnp/parquetjs',
  'tsx',
  'typescript',
];

/** libuv's default when UV_THREADPOOL_SIZE is unset or not a positive integer. */
const DEFAULT_UV_THREADPOOL_SIZE = 4;

export interface EnvironmentOptions {
  root?: string;
  env?: NodeJS.ProcessEnv;
  packages?: readonly string[];
}

export function collectEnvironment(options: EnvironmentOptions = {}): Environment {
  const root = options.root ?? PROJECT_ROOT;
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpu_model: cpus()[0]?.model.trim() || 'unknown',
    cpus: availableParallelism(),
    total_memory_mb: Math.round(totalmem() / (1024 * 1024)),
    uv_threadpool_size: uvThreadpoolSize(options.env ?? process.env),
    git_commit: gitCommit(root),
    package_versions: packageVersions(root, options.packages ?? KEY_PACKAGES),
  };
}

/** UV_THREADPOOL_SIZE as libuv reads it (clamped to 1..1024), 4 when unset or invalid. */
export function uvThreadpoolSize(env: NodeJS.ProcessEnv): number {
  const raw = env.UV_THREADPOOL_SIZE;
  const n = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  if (!Number.isFinite(n) || n < 1) return DEFAULT_UV_THREADPOOL_SIZE;
  return Math.min(n, 1024);
}

/** HEAD of the git checkout at `root`; null outside a git checkout or without git. */
export function gitCommit(root: string): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return /^[0-9a-f]{7,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

/** Installed versions read from node_modules/<name>/package.json; packages not installed are left out. */
export function packageVersions(root: string, names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version?: unknown;
      };
      if (typeof pkg.version === 'string') versions[name] = pkg.version;
    } catch {
      // not installed: nothing to record
    }
  }
  return versions;
}
