// worker_threads entry for `mmsim explore --jobs N`: runs ranges of schedules, one after
// another, and posts the first failure in each (./explore-pool.ts decides which ranges).

import { parentPort } from 'node:worker_threads';
import { exploreRange, type ExploreOptions } from './explore.js';

type Chunk = { id: number; opts: Omit<ExploreOptions, 'runs' | 'onProgress'>; from: number; to: number };

parentPort?.on('message', (msg: Chunk) => {
  try {
    const failure = exploreRange(msg.opts, msg.from, msg.to);
    parentPort?.postMessage({ id: msg.id, failure });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: (err as Error).stack ?? String(err) });
  }
});
