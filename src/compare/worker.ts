// worker_threads entry: a long-lived worker that runs DesignJobs one after another, so the
// module load and JIT warm-up are paid once per worker, not once per job.

import { parentPort } from 'node:worker_threads';
import { runDesign, type DesignJob } from './run.js';

parentPort?.on('message', (msg: { kind: 'job'; id: number; job: DesignJob } | { kind: 'exit' }) => {
  if (msg.kind === 'exit') {
    parentPort?.close();
    return;
  }
  try {
    const result = runDesign(msg.job, (steps) => parentPort?.postMessage({ kind: 'progress', id: msg.id, steps }));
    parentPort?.postMessage({ kind: 'done', id: msg.id, result });
  } catch (err) {
    parentPort?.postMessage({ kind: 'error', id: msg.id, message: (err as Error).stack ?? String(err) });
  }
});
