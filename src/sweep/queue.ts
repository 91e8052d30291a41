// A sweep through a BullMQ queue on Redis: the pending runs become jobs whose BullMQ id is
// the run's deterministic id (adding a job that is already there is a no-op), `mmsim worker`
// processes on any number of machines run them, and this collector writes what they return
// to the same results.jsonl as a local sweep. Results come from the queue's completion events,
// and from a periodic look at each pending job in case an event was missed (or the job
// finished before this collector started). A job reported twice must agree.

import { Job, Queue, QueueEvents } from 'bullmq';
import type { Scenario } from '../workload/scenario.js';
import type { PreparedJob, SweepJob, SweepLine } from './job.js';
import { SweepTracker, type SweepOutcome, type SweepPlan } from './plan.js';
import type { ProgressLine } from './progress.js';
import { maskUrl, probeRedis, redisOptions } from './redis.js';
import { checkSame, isLine, type ResultMismatchError, ResultsWriter } from './store.js';

/** What a queue job carries: the run and the scenario itself (workers need no files). */
export interface QueuePayload {
  version: string;
  job: SweepJob;
  scenario: Scenario;
}

export interface QueueRunOptions {
  out: string;
  url: string;
  queueName: string;
  progress?: ProgressLine | null;
  /** How often to look at pending jobs' states besides listening for events (ms, default 2000). */
  reconcileMs?: number;
  /** Told once when jobs are waiting and no worker serves the queue (the sweep then just waits). */
  onNoWorkers?: (message: string) => void;
}

/** A worker's job-log line for each run it finished: this prefix and the final state hash. */
export const RESULT_LOG = 'mmsim run finished, state ';

const ADD_BATCH = 500;
const LOOK_BATCH = 200;

/**
 * Every run of a job, by any worker, logged its final state hash on the job: all must equal
 * the result collected. (A worker that lost its lock but finished anyway logs too; one that
 * finishes after this check is not seen.)
 */
export async function checkRunLogs(queue: Queue, ids: string[], lines: Map<string, SweepLine>): Promise<void> {
  for (let i = 0; i < ids.length; i += LOOK_BATCH) {
    const batch = ids.slice(i, i + LOOK_BATCH);
    const logs = await Promise.all(batch.map((id) => queue.getJobLogs(id)));
    for (const [k, { logs: rows }] of logs.entries()) {
      const line = lines.get(batch[k])!;
      for (const row of rows) {
        if (!row.startsWith(RESULT_LOG)) continue;
        const other = { ...line, report: { ...line.report, stateHash: row.slice(RESULT_LOG.length) } };
        checkSame(line, other, `${rows.filter((r) => r.startsWith(RESULT_LOG)).length} runs logged on the queue job`);
      }
    }
  }
}

export async function runQueue(plan: SweepPlan, opts: QueueRunOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  await probeRedis(opts.url);
  const connection = redisOptions(opts.url);
  // host and port only: a password in the URL stays off the screen
  const tracker = new SweepTracker(plan, `queue ${opts.queueName} at ${connection.host}:${connection.port}`, opts.progress ?? null);
  const pending = new Map(plan.pending.map((p) => [p.job.id, p]));
  const written = new Map<string, SweepLine>(plan.existing);
  const queue = new Queue(opts.queueName, { connection });
  const events = new QueueEvents(opts.queueName, { connection });
  const writer = new ResultsWriter(opts.out);
  let mismatch: ResultMismatchError | null = null;
  const collected: string[] = [];
  let fromQueue = 0;
  let wake: () => void = () => {};

  const completed = (id: string, value: unknown, where: string): void => {
    const p = pending.get(id);
    const before = written.get(id);
    if (p === undefined && before === undefined) return; // another sweep's job
    const job = p?.job ?? before!;
    const line: SweepLine | null = isLine(value) && value.id === id ? { ...job, report: value.report } : null;
    if (line === null) {
      if (p !== undefined)
        failed(id, `the worker returned something that is not this run's result (${JSON.stringify(value).slice(0, 80)})`);
      return;
    }
    if (before !== undefined) {
      try {
        checkSame(before, line, where);
      } catch (err) {
        mismatch = err as ResultMismatchError;
        wake();
      }
      return;
    }
    pending.delete(id);
    collected.push(id);
    written.set(id, line);
    writer.append(line);
    tracker.finished(id);
    if (pending.size === 0) wake();
  };
  const failed = (id: string, reason: string): void => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    tracker.fail(p, reason);
    if (pending.size === 0) wake();
  };

  /** Look each pending job up: completed ones are collected, failed ones counted (or retried, at the start). */
  const look = async (retryFailed: boolean): Promise<void> => {
    const ids = [...pending.keys()];
    for (let i = 0; i < ids.length; i += LOOK_BATCH) {
      const batch = ids.slice(i, i + LOOK_BATCH);
      // the state first, then the job: a job read first could finish in between and show a
      // completed state with the return value it had not yet
      const states = await Promise.all(batch.map((id) => queue.getJobState(id)));
      const jobs = await Promise.all(
        batch.map((id, k) => (states[k] === 'completed' || states[k] === 'failed' ? Job.fromId(queue, id) : undefined)),
      );
      for (const [k, job] of jobs.entries()) {
        if (job === undefined || !pending.has(batch[k])) continue;
        if (states[k] === 'completed') {
          if (retryFailed) fromQueue++;
          completed(batch[k], job.returnvalue, 'queue state');
        } else if (states[k] === 'failed') {
          // a run that failed in an earlier sweep is tried again, as a local sweep would
          if (retryFailed) await job.retry('failed');
          else failed(batch[k], job.failedReason);
        }
      }
    }
  };

  try {
    events.on('completed', ({ jobId, returnvalue }) => completed(jobId, returnvalue, 'completion event'));
    events.on('failed', ({ jobId, failedReason }) => failed(jobId, failedReason));
    events.on('progress', ({ jobId, data }) => {
      if (typeof data === 'number' && pending.has(jobId)) tracker.step(jobId, data);
    });
    await events.waitUntilReady();
    tracker.show(true);
    await look(true);
    const toAdd = [...pending.values()];
    for (let i = 0; i < toAdd.length; i += ADD_BATCH)
      await queue.addBulk(
        toAdd.slice(i, i + ADD_BATCH).map((p: PreparedJob) => ({
          name: `${p.job.scenario} ${p.job.design} seed ${p.job.seed}`,
          data: { version: p.job.version, job: p.job, scenario: p.scenarioData } satisfies QueuePayload,
          // kept after completion: the result stays in Redis until the queue is cleaned, so a
          // collector that crashed can collect it later without the run being done again
          opts: { jobId: p.job.id, removeOnComplete: false, removeOnFail: false, attempts: 1 },
        })),
      );
    // waiting is right (workers may start later), but say so rather than look hung
    if (pending.size > 0 && (await queue.getWorkersCount()) === 0)
      opts.onNoWorkers?.(
        `no worker is serving queue ${opts.queueName} yet: the ${pending.size} pending run(s) wait for \`mmsim worker --queue ${maskUrl(opts.url)}${opts.queueName === 'mmsim-sweep' ? '' : ` --queue-name ${opts.queueName}`}\``,
      );
    while (pending.size > 0 && mismatch === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.reconcileMs ?? 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (pending.size > 0 && mismatch === null) await look(false);
    }
    if (mismatch !== null) throw mismatch;
    await checkRunLogs(queue, collected, written);
  } finally {
    opts.progress?.clear();
    writer.close();
    await events.close();
    await queue.close();
  }
  return {
    total: plan.total,
    skipped: plan.skipped,
    ran: plan.pending.length - tracker.failed.length,
    fromQueue,
    failed: tracker.failed,
    tornBytes: plan.tornBytes,
    wallMs: performance.now() - t0,
  };
}
