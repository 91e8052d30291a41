// Run a sweep on this machine: the pending jobs, longest first, on the comparison engine's
// thread pool (one thread per core by default); each result is appended to results.jsonl
// the moment it arrives. A failed run is reported and left out of the file, so running the
// same command again retries it.

import { ThreadPool } from '../compare/pool.js';
import { toDesignJob, toLine } from './job.js';
import { defaultLanes, SweepTracker, type SweepOutcome, type SweepPlan } from './plan.js';
import type { ProgressLine } from './progress.js';
import { ResultsWriter } from './store.js';

export interface LocalOptions {
  out: string;
  /** Threads at most (default: one per core). */
  jobs?: number;
  progress?: ProgressLine | null;
}

export async function runLocal(plan: SweepPlan, opts: LocalOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  const lanes = Math.max(1, Math.min(opts.jobs ?? defaultLanes(), plan.pending.length));
  const tracker = new SweepTracker(plan, `${lanes} thread${lanes === 1 ? '' : 's'}`, opts.progress ?? null);
  tracker.show(true);
  const writer = new ResultsWriter(opts.out);
  const pool = new ThreadPool(lanes);
  try {
    await Promise.all(
      plan.pending.map((p) =>
        pool
          .run(toDesignJob(p), (steps) => tracker.step(p.job.id, steps / p.job.steps))
          .then(
            (r) => {
              writer.append(toLine(p.job, r));
              tracker.finished(p.job.id);
            },
            (err: Error) => tracker.fail(p, err.message.split('\n')[0]),
          ),
      ),
    );
  } finally {
    await pool.close();
    writer.close();
    opts.progress?.clear();
  }
  return {
    total: plan.total,
    skipped: plan.skipped,
    ran: plan.pending.length - tracker.failed.length,
    failed: tracker.failed,
    tornBytes: plan.tornBytes,
    wallMs: performance.now() - t0,
  };
}
