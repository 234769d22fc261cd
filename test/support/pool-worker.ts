/** A worker entry for the pool's tests: small named jobs that answer, fail, hang, talk or kill their worker. */
import { threadId } from 'node:worker_threads';
import { type JobContext, serve } from '../../src/workers/serve.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serve({
  echo: async () => (data: unknown) => data,
  /** Answers with the thread it ran on, after `ms`. */
  where: async () => async (ms: number) => {
    await sleep(ms);
    return threadId;
  },
  fail: async () => (message: string) => {
    throw new Error(message);
  },
  hang: async () => () => new Promise(() => undefined),
  /** Ends the worker thread with this exit code. */
  exit: async () => (code: number) => process.exit(code),
  /** Keeps its thread busy for `ms`. */
  spin: async () => (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
    return ms;
  },
  /** The byte length of a buffer it was sent, and a buffer of its own moved back. */
  bytes: async () => (buffer: ArrayBuffer, job: JobContext) => {
    const back = new ArrayBuffer(buffer.byteLength * 2);
    job.transfer.push(back);
    return back;
  },
  /** Posts 'hello', then echoes the caller's messages until it receives 'stop'; answers with what it got. */
  talk: async () => (_data: unknown, job: JobContext) =>
    new Promise((resolve) => {
      const got: unknown[] = [];
      job.onMessage((m) => {
        if (m === 'stop') resolve(got);
        else {
          got.push(m);
          job.post(`echo ${String(m)}`);
        }
      });
      job.post('hello');
    }),
});
