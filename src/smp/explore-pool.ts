// `mmsim explore --jobs N`: the schedules in ranges of CHUNK, handed to N worker threads in
// order. The answer is the same as one thread's: the lowest failing schedule. A range is
// handed out only while it starts below the lowest failure found, and the result waits for
// every range handed out, so no lower failure can be missed.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExploreFailure, ExploreOptions, ExploreResult } from './explore.js';

/** Schedules per range: small enough to stop soon after a failure, large enough to keep threads busy. */
export const CHUNK = 8;

function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'explore-worker.js');
  if (existsSync(sibling)) return sibling;
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'smp', 'explore-worker.js');
  if (!existsSync(built)) throw new Error(`explore: the worker ${built} is missing; run 'npm run build' first (or use --jobs 1)`);
  return built;
}

export async function exploreParallel(o: ExploreOptions, threads: number): Promise<ExploreResult> {
  const { onProgress, ...opts } = o;
  let next = 1;
  let best: ExploreFailure | null = null;
  let done = 0;
  const limit = (): number => Math.min(o.runs + 1, best === null ? Number.POSITIVE_INFINITY : Number(best.schedSeed));
  const lane = (w: Worker): Promise<void> =>
    new Promise((resolve, reject) => {
      const give = (): void => {
        if (next >= limit()) {
          resolve();
          return;
        }
        const from = next;
        const to = Math.min(from + CHUNK, limit());
        next = to;
        w.once('message', (m: { failure?: ExploreFailure | null; error?: string }) => {
          if (m.error !== undefined) {
            reject(new Error(m.error));
            return;
          }
          const f = m.failure ?? null;
          if (f !== null && (best === null || Number(f.schedSeed) < Number(best.schedSeed))) best = f;
          done += (f === null ? to : Number(f.schedSeed) + 1) - from;
          onProgress?.(done);
          give();
        });
        w.postMessage({ id: from, opts, from, to });
      };
      give();
    });
  const workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(workerPath()));
  try {
    await Promise.all(workers.map(lane));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const failure = best as ExploreFailure | null;
  return { tried: failure === null ? o.runs : Number(failure.schedSeed), failure };
}
