/** The core count the conditions and findings use: what this process may run on, cgroup quota included. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupCpuQuota, usableCores } from '../../src/profiling/environment.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fake /sys/fs/cgroup and /proc/self/cgroup: `files` are paths under the root and their text. */
function fakeCgroup(membership: string, files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cgroup-'));
  made.push(dir);
  const root = join(dir, 'sys');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const procCgroup = join(dir, 'self-cgroup');
  writeFileSync(procCgroup, membership);
  return { cgroupRoot: root, procCgroup };
}

describe('usableCores', () => {
  it('caps the cores at a cgroup v2 quota, rounded up', () => {
    const fake = fakeCgroup('0::/\n', { 'cpu.max': '150000 100000\n' });
    expect(usableCores({ available: 16, ...fake })).toBe(2);
    expect(cgroupCpuQuota(fake.cgroupRoot, fake.procCgroup)).toBe(1.5);
  });

  it('keeps the available cores when the v2 quota is max or larger than them', () => {
    expect(usableCores({ available: 8, ...fakeCgroup('0::/\n', { 'cpu.max': 'max 100000\n' }) })).toBe(8);
    expect(usableCores({ available: 2, ...fakeCgroup('0::/\n', { 'cpu.max': '400000 100000\n' }) })).toBe(2);
  });

  it("reads the process's own v2 cgroup and is bound by its parents' quotas", () => {
    const fake = fakeCgroup('0::/box/job\n', {
      'box/cpu.max': '300000 100000\n',
      'box/job/cpu.max': 'max 100000\n',
    });
    expect(usableCores({ available: 32, ...fake })).toBe(3);
  });

  it('reads a cgroup v1 quota under the cpu controller, -1 meaning none', () => {
    const limited = fakeCgroup('4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n', {
      'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '100000\n',
      'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    expect(usableCores({ available: 12, ...limited })).toBe(1);
    const unlimited = fakeCgroup('4:cpu:/\n', {
      'cpu/cpu.cfs_quota_us': '-1\n',
      'cpu/cpu.cfs_period_us': '100000\n',
    });
    expect(usableCores({ available: 12, ...unlimited })).toBe(12);
  });

  it('keeps the available cores when no cgroup file can be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgroup-'));
    made.push(dir);
    expect(usableCores({ available: 6, cgroupRoot: join(dir, 'none'), procCgroup: join(dir, 'none') })).toBe(
      6,
    );
  });

  it('gives this process at least one core and no more than it may run on', () => {
    const cores = usableCores();
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(availableParallelism());
    expect(Number.isInteger(cores)).toBe(true);
  });
});
