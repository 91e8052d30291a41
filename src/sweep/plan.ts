// What is left to do: the grid's jobs minus those results.jsonl already holds. Shared by the
// local runner and the queue collector, so both resume the same way.

import { availableParallelism } from 'node:os';
import { sweepJobCost, type PreparedJob, type SweepLine } from './job.js';
import { Eta, type ProgressLine, type ProgressState } from './progress.js';
import { readResults } from './store.js';

export interface SweepPlan {
  /** Jobs not in the file yet, longest first. */
  pending: PreparedJob[];
  /** Jobs of this grid the file already has. */
  skipped: number;
  total: number;
  /** Bytes of a torn last line that were cut off (that run is in pending again). */
  tornBytes: number;
  /** Every line in the file, this grid's or not (for the same-result check). */
  existing: Map<string, SweepLine>;
}

export function planSweep(jobs: PreparedJob[], out: string): SweepPlan {
  const { lines, tornBytes } = readResults(out, true);
  const existing = new Map(lines.map((l) => [l.id, l]));
  const pending = jobs.filter((p) => !existing.has(p.job.id));
  const cost = new Map(pending.map((p) => [p.job.id, sweepJobCost(p)]));
  // longest first, ties in grid order: the pool ends with short runs, not one long straggler
  pending.sort((a, b) => cost.get(b.job.id)! - cost.get(a.job.id)!);
  return { pending, skipped: jobs.length - pending.length, total: jobs.length, tornBytes, existing };
}

export interface RunFailure {
  job: PreparedJob;
  message: string;
}

export interface SweepOutcome {
  total: number;
  skipped: number;
  ran: number;
  /** Of those, results a queue already held from an earlier sweep (collected, not run now). */
  fromQueue?: number;
  failed: RunFailure[];
  tornBytes: number;
  wallMs: number;
}

export const defaultLanes = (): number => availableParallelism();

/** Counts, ETA and the progress line, shared by the local and queue runners. */
export class SweepTracker {
  done: number;
  readonly failed: RunFailure[] = [];
  private readonly eta: Eta;
  private readonly cost: Map<string, number>;
  private finishedCost = 0;
  private readonly partial = new Map<string, number>();

  constructor(
    private readonly plan: SweepPlan,
    private readonly where: string,
    private readonly progress: ProgressLine | null,
  ) {
    this.done = plan.skipped;
    this.cost = new Map(plan.pending.map((p) => [p.job.id, sweepJobCost(p)]));
    this.eta = new Eta([...this.cost.values()].reduce((a, b) => a + b, 0));
  }

  /** A running job reached this fraction of its steps. */
  step(id: string, fraction: number): void {
    this.partial.set(id, fraction * (this.cost.get(id) ?? 0));
    this.show();
  }

  finished(id: string): void {
    this.partial.delete(id);
    this.finishedCost += this.cost.get(id) ?? 0;
    this.done++;
    this.show(true);
  }

  fail(job: PreparedJob, message: string): void {
    this.partial.delete(job.job.id);
    this.finishedCost += this.cost.get(job.job.id) ?? 0;
    this.failed.push({ job, message });
    this.show(true);
  }

  state(): ProgressState {
    let doneCost = this.finishedCost;
    for (const c of this.partial.values()) doneCost += c;
    return {
      done: this.done,
      total: this.plan.total,
      failed: this.failed.length,
      skipped: this.plan.skipped,
      etaSeconds: this.eta.seconds(doneCost),
      where: this.where,
    };
  }

  show(force = false): void {
    this.progress?.update(this.state(), force);
  }
}
