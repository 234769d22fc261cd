#!/usr/bin/env node
// Checks a results file written by a benchmark run: valid against schema/results.schema.json, at
// least one row, no row with `error`, and the Markdown report and charts beside it.
// Usage: node .ci/check-results.mjs results/benchmark.json   (exit 0 ok, 1 otherwise)
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { validateResults } = await import('../src/profiling/schema.ts');

const path = process.argv[2];
if (!path) {
  console.error('usage: node .ci/check-results.mjs RESULTS.json');
  process.exit(2);
}
const problems = [];
let file;
try {
  file = JSON.parse(readFileSync(path, 'utf8'));
} catch (e) {
  console.error(`${path}: ${e.message}`);
  process.exit(1);
}
const { valid, errors } = validateResults(file);
if (!valid) problems.push(...errors.map((e) => `schema: ${e}`));
const rows = Array.isArray(file.results) ? file.results : [];
if (rows.length === 0) problems.push('no result rows');
for (const r of rows) if (r.error) problems.push(`${r.key}: error: ${r.error}`);
const report = join(dirname(path), `${basename(path, extname(path))}_report.md`);
if (!existsSync(report)) problems.push(`missing report ${report}`);
else {
  const charts = [...readFileSync(report, 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
  if (charts.length === 0) problems.push(`${report}: links no chart`);
  for (const c of charts)
    if (!existsSync(join(dirname(path), decodeURI(c)))) problems.push(`missing chart ${c}`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`${path}: ${p}`);
  process.exit(1);
}
console.log(
  `${path}: valid, ${rows.length} rows, ${file.findings.length} findings, report and charts present`,
);
