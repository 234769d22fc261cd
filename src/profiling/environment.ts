/** The conditions a results file was measured under (docs/architecture.md, "Results file": `environment`). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/**
 * HEAD of the git checkout whose top is `root`; null elsewhere or without git. An installed package
 * sits inside the user's project, whose commit says nothing about the code measured.
 */
export function gitCommit(root: string): string | null {
  if (!existsSync(join(root, '.git'))) return null;
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

/**
 * Installed versions read from node_modules/<name>/package.json in `root` or the nearest folder above
 * it that has one, as Node resolves them (an installed package's dependencies are hoisted into the
 * user's node_modules); packages not installed are left out.
 */
export function packageVersions(root: string, names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    const version = installedVersion(root, name);
    if (version !== null) versions[name] = version;
  }
  return versions;
}

function installedVersion(root: string, name: string): string | null {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
        return typeof pkg.version === 'string' ? pkg.version : null;
      } catch {
        return null;
      }
    }
    if (dirname(dir) === dir) return null;
  }
}
