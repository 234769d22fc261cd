/**
 * The GitHub Actions workflow cannot run here, so its shape is checked: triggers, jobs, the Node
 * matrix, artifact names, the compare step's summary and exit handling, pinned actions. The
 * script that alternates the base and head runs is run for real with stand-in checkouts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  'runs-on': string;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = parse(await readFile(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as Workflow;
const job = (name: string) => {
  const j = workflow.jobs[name];
  if (!j) throw new Error(`no job '${name}' in ci.yml`);
  return j;
};
const runs = (j: Job) => j.steps.map((s) => s.run ?? '').join('\n');

/** Majors of the actions the workflow may use that exist (checked when the workflow was written). */
const KNOWN_MAJORS: Record<string, number[]> = {
  'actions/checkout': [4],
  'actions/setup-node': [4],
  'actions/upload-artifact': [4],
};

describe('the CI workflow', () => {
  it('runs on pull requests, pushes to main, a weekly schedule and manual dispatch', () => {
    expect(Object.keys(workflow.on).sort()).toEqual([
      'pull_request',
      'push',
      'schedule',
      'workflow_dispatch',
    ]);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    const [cron] = workflow.on.schedule as { cron: string }[];
    // Minute, hour, any day of the month, any month, one day of the week: weekly.
    expect(cron!.cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
  });

  it('tests on Node 20, 22 and 24 with npm test', () => {
    const test = job('test');
    expect(test.strategy?.matrix?.node).toEqual([20, 22, 24]);
    expect(runs(test)).toContain('npm test');
    expect(test.if).toBeUndefined();
  });

  it('benchmarks a pull request against a git worktree of its base, alternately, with 3 samples or more', () => {
    const compare = job('compare');
    expect(compare.if).toBe("github.event_name == 'pull_request'");
    expect(compare.needs).toBe('test');
    const checkout = compare.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    const script = runs(compare);
    expect(script).toMatch(
      /git worktree add --detach "\$RUNNER_TEMP\/base" "\$\{\{ github\.event\.pull_request\.base\.sha \}\}"/,
    );
    const bench = /\.ci\/bench-pr\.sh "\$RUNNER_TEMP\/base" \. pr-bench (\d+) -- \\\n\s+(.*)/.exec(script);
    expect(bench, 'the bench-pr.sh step').not.toBeNull();
    expect(Number(bench![1])).toBeGreaterThanOrEqual(3);
    expect(Number(/--samples (\d+)/.exec(bench![2]!)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('writes the Markdown comparison into the job summary, fails on exit 3 and warns when inconclusive', () => {
    const step = job('compare').steps.find((s) => s.run?.includes('compare --baseline'))!;
    expect(step.run).toContain('--format markdown > pr-bench/compare.md');
    expect(step.run).toMatch(/cat pr-bench\/compare\.md\n\s*\} >> "\$GITHUB_STEP_SUMMARY"/);
    expect(step.run).toMatch(/if \[ "\$code" -eq 3 \]; then\n\s+echo "::error::[^"]+"\n\s+exit 1/);
    expect(step.run).toMatch(/if \[ "\$verdict" = "inconclusive" \]; then\n\s+echo "::warning::/);
    // Every results file of each side, as compare's several-runs form reads them.
    expect(step.run).toContain('--baseline pr-bench/base-*.json');
    expect(step.run).toContain('--current pr-bench/head-*.json');
  });

  it('runs the full npm run bench off pull requests, uploads it as benchmark-results and summarises the findings', () => {
    const bench = job('bench');
    expect(bench.if).toBe("github.event_name != 'pull_request'");
    expect(runs(bench)).toMatch(/^npm run bench\b/m);
    expect(runs(bench)).toContain('--export bmf=results/bmf.json');
    const findings = bench.steps.find((s) => s.run?.includes('GITHUB_STEP_SUMMARY'));
    expect(findings?.run).toContain('.findings');
    expect(findings?.if).toBe('always()');
  });

  it('names its artifacts: benchmark-results (main) and pr-benchmark-results (pull requests)', () => {
    const artifacts = Object.entries(workflow.jobs).flatMap(([name, j]) =>
      j.steps
        .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
        .map((s) => [name, s.with?.name, s.with?.path, s.if]),
    );
    expect(artifacts).toEqual([
      ['compare', 'pr-benchmark-results', 'pr-bench/', 'always()'],
      ['bench', 'benchmark-results', 'results/', 'always()'],
    ]);
  });

  it('pins every action to a major version that exists', () => {
    const uses = Object.values(workflow.jobs).flatMap((j) =>
      j.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      const m = /^([\w.-]+\/[\w.-]+)@v(\d+)$/.exec(u);
      expect(m, `${u} is not pinned to a major (owner/name@vN)`).not.toBeNull();
      expect(KNOWN_MAJORS[m![1]!], `${u}: not a known action`).toBeDefined();
      expect(KNOWN_MAJORS[m![1]!], u).toContain(Number(m![2]));
    }
  });
});

describe('.ci/bench-pr.sh', () => {
  const scratch = mkdtemp(join(tmpdir(), 'bench-pr-'));
  afterAll(async () => {
    await rm(await scratch, { recursive: true, force: true });
  });

  /** A stand-in checkout whose CLI logs its side and arguments and writes the --output file. */
  async function checkout(dir: string, side: string, log: string): Promise<void> {
    await mkdir(join(dir, 'bin'), { recursive: true });
    const cli = [
      "import { appendFileSync, writeFileSync } from 'node:fs';",
      'const args = process.argv.slice(2);',
      `appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(side)} + ' ' + args.join(' ') + '\\n');`,
      "writeFileSync(args[args.indexOf('--output') + 1], '{}');",
    ].join('\n');
    await writeFile(join(dir, 'bin', 'benchmark-ingest.mjs'), cli);
  }

  it('runs base and head alternately with the same arguments, one results file per side and round', async () => {
    const dir = await scratch;
    const log = join(dir, 'log.txt');
    await checkout(join(dir, 'base'), 'base', log);
    await checkout(join(dir, 'head'), 'head', log);
    const out = join(dir, 'out');
    await new Promise<void>((resolve, reject) =>
      execFile(
        join(ROOT, '.ci/bench-pr.sh'),
        [join(dir, 'base'), join(dir, 'head'), out, '3', '--', 'all', '--samples', '3'],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toEqual(
      [1, 2, 3].flatMap((i) => [
        `base all --samples 3 --output ${join(out, `base-${i}.json`)}`,
        `head all --samples 3 --output ${join(out, `head-${i}.json`)}`,
      ]),
    );
    for (const i of [1, 2, 3]) {
      await stat(join(out, `base-${i}.json`));
      await stat(join(out, `head-${i}.json`));
    }
  });

  it('exits 2 without the -- before the benchmark arguments', async () => {
    const code = await new Promise<number>((resolve) =>
      execFile(join(ROOT, '.ci/bench-pr.sh'), ['a', 'b', 'c', '3', 'all'], (error) =>
        resolve(error ? Number(error.code) : 0),
      ),
    );
    expect(code).toBe(2);
  });
});
