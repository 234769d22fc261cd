/**
 * A process that uses the pool and never closes it, for the tests of what keeps a process alive.
 * `idle`: runs a job on 2 workers and ends its script (the idle workers must not hold the process).
 * `working`: starts a 300 ms job and awaits nothing (the working worker must hold the process).
 */
import { Pool } from '../../src/workers/pool.js';

const pool = new Pool({ label: 'child', entry: new URL('./pool-worker.js', import.meta.url) });
const mode = process.argv[2];
if (mode === 'idle') {
  pool.acquire(2);
  console.log(await pool.run('echo', 'answered', 2));
} else if (mode === 'working') {
  void pool.run<number>('where', 300, 1).then(() => console.log('answered after 300 ms'));
} else {
  throw new Error(`unknown mode ${mode}`);
}
