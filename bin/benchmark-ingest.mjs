#!/usr/bin/env node
// Entry point of `benchmark-ingest`. In the repository (src/ present) it runs the TypeScript sources
// through tsx (Node 20 cannot run .ts itself), so a stale dist/ never shadows an edit; the installed
// package ships no src/ and runs the compiled dist/ with plain Node.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
