#!/usr/bin/env node
// Entry point of `benchmark-ingest`: loads the TypeScript sources through tsx (Node 20 cannot run .ts itself).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
