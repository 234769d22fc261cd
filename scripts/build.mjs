// `npm run build` (and `prepack`): compiles src/, the bench files the CLI runs and the bench config
// into dist/ with type declarations, and copies the results schema beside them. dist/ mirrors the
// repository's layout so every path the code finds relative to itself holds in both.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A removed source file must not live on as a stale .js in the package.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
cpSync(new URL('../schema/', import.meta.url), new URL('../dist/schema/', import.meta.url), {
  recursive: true,
});
