import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeSettings } from '../../src/bench/settings.js';
import { runBench } from '../../src/cli/run-bench.js';
import type { ResultsFile } from '../../src/profiling/result.js';
import { validateResults } from '../../src/profiling/schema.js';

// A real `file --test-size 50,200` run on NDJSON only, one sample per bench: one vitest run per
// size, their rows joined into one results file with a scaling section.
const SIZES = [50, 200];
let dir = '';
let code = -1;
let out = '';
let err = '';
let json: ResultsFile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-sizes-'));
  const settings = mergeSettings({
    testSize: SIZES[0]!,
    testSizes: SIZES,
    formats: ['ndjson'],
    concurrency: [2],
    workers: [1],
    samples: 1,
    warmups: 0,
    output: join(dir, 'run.json'),
  });
  settings.api.enabled = false;
  const sink = (append: (s: string) => void) => ({
    write: (s: string) => {
      append(s);
      return true;
    },
  });
  code = await runBench('file', settings, {
    files: ['bench/file-io.bench.ts'],
    out: sink((s) => {
      out += s;
    }),
    err: sink((s) => {
      err += s;
    }),
  });
  json = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as ResultsFile;
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--test-size with several sizes', () => {
  it('announces each size as it starts', () => {
    expect(code).toBe(0);
    expect(err).toContain('benchmark-ingest file: size 1 of 2: 50 items\n');
    expect(err).toContain('benchmark-ingest file: size 2 of 2: 200 items\n');
  });

  it('joins the same rows of every size into one valid results file', () => {
    expect(validateResults(json).errors).toEqual([]);
    const keysAt = (items: number) =>
      json.results
        .filter((r) => r.dataset.items === items)
        .map((r) => r.key.replace(`/${items}/`, '/N/'))
        .sort();
    expect(keysAt(SIZES[0]!).length).toBeGreaterThan(0);
    expect(keysAt(SIZES[1]!)).toEqual(keysAt(SIZES[0]!));
    expect(json.results.every((r) => r.error === null)).toBe(true);
    const ingest = json.results.filter((r) => r.kind === 'ingest');
    expect(ingest.every((r) => r.items_processed === r.dataset.items)).toBe(true);
    expect(json.config.testSizes).toEqual(SIZES);
  });

  it('has a finding per size, and a scaling finding and chart in the report and the summary', async () => {
    expect(json.findings.map((f) => f.conditions.items)).toEqual(SIZES);
    const md = await readFile(join(dir, 'run_report.md'), 'utf8');
    expect(md).toContain('- **ndjson, 50 → 200 items**: ');
    expect(md).toContain('(run_ndjson_scaling.svg)');
    expect(await readdir(dir)).toContain('run_ndjson_scaling.svg');
    expect(out).toMatch(/Scaling:\n- ndjson, 50 → 200 items: The fastest at 200 items/);
    // One sample per bench: the run neither claims nor denies rank changes.
    expect(out).toContain('cannot be judged: one sample per setting gives no noise estimate');
  });
});
