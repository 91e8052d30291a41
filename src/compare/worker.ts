// worker_threads entry: runs one DesignJob and posts progress and the result back.

import { parentPort, workerData } from 'node:worker_threads';
import { runDesign, type DesignJob } from './run.js';

const job = workerData as DesignJob;
try {
  const result = runDesign(job, (steps) => parentPort?.postMessage({ kind: 'progress', steps }));
  parentPort?.postMessage({ kind: 'done', result });
} catch (err) {
  parentPort?.postMessage({ kind: 'error', message: (err as Error).stack ?? String(err) });
}
