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
    cpus: usableCores(),
    total_memory_mb: Math.round(totalmem() / (1024 * 1024)),
    uv_threadpool_size: uvThreadpoolSize(options.env ?? process.env),
    git_commit: gitCommit(root),
    package_versions: packageVersions(root, options.packages ?? KEY_PACKAGES),
  };
}

export interface CoreLimits {
  /** Cores the OS lets the process run on (default `os.availableParallelism()`). */
  available?: number;
  /** Where cgroup file systems are mounted (default /sys/fs/cgroup; tests: a fake tree). */
  cgroupRoot?: string;
  /** The process's cgroup membership (default /proc/self/cgroup). */
  procCgroup?: string;
}

let cached: number | null = null;

/**
 * The cores this process may use: `os.availableParallelism()` (its CPU affinity), capped by the
 * CPU quota of its cgroup rounded up (a container given 1.5 CPUs runs two threads at 75 %), at
 * least 1. A container on a large host otherwise reports the host's cores, and the findings would
 * divide by cores the process never gets. Read once per process with the defaults.
 */
export function usableCores(limits: CoreLimits = {}): number {
  const defaults = limits.available === undefined && limits.cgroupRoot === undefined;
  if (defaults && cached !== null) return cached;
  const available = limits.available ?? availableParallelism();
  const quota = cgroupCpuQuota(
    limits.cgroupRoot ?? '/sys/fs/cgroup',
    limits.procCgroup ?? '/proc/self/cgroup',
  );
  const cores = quota === null ? available : Math.max(1, Math.min(available, Math.ceil(quota)));
  if (defaults) cached = cores;
  return cores;
}

/**
 * CPUs the process's cgroup quota allows (quota / period, the tightest along its path up to the
 * root), or null when there is no quota or nothing can be read. cgroup v2 reads `cpu.max`
 * (`max 100000` or `150000 100000`); v1 reads `cpu.cfs_quota_us` (-1: none) and
 * `cpu.cfs_period_us` under the `cpu` controller's mount.
 */
export function cgroupCpuQuota(root: string, procCgroup: string): number | null {
  const membership = readText(procCgroup) ?? '';
  let v2Path = '/';
  let v1Path = '/';
  for (const line of membership.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    if (controllers === '') v2Path = path;
    else if (controllers!.split(',').includes('cpu')) v1Path = path;
  }
  const quotas: number[] = [];
  for (const dir of upwards(root, v2Path)) {
    const [max, period] = (readText(join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
    const q = Number(max);
    const p = Number(period);
    if (max !== 'max' && q > 0 && p > 0) quotas.push(q / p);
  }
  for (const mount of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
    for (const dir of upwards(join(root, mount), v1Path)) {
      const q = Number(readText(join(dir, 'cpu.cfs_quota_us')));
      const p = Number(readText(join(dir, 'cpu.cfs_period_us')));
      if (q > 0 && p > 0) quotas.push(q / p);
    }
  }
  return quotas.length > 0 ? Math.min(...quotas) : null;
}

/** `base/path`, then each parent up to `base` (a nested cgroup is bound by its parents' quotas). */
function upwards(base: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '..');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(join(base, ...parts.slice(0, n)));
  return dirs;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
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
