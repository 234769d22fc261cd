/** A minimal worker used to prove worker loading works everywhere: answers each number with its square. */
import { parentPort } from 'node:worker_threads';

const square = (n: number): number => n * n;
parentPort!.on('message', (n: number) => parentPort!.postMessage(square(n)));
