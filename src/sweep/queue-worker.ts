// `mmsim worker`: serve a sweep's BullMQ queue. Each job runs on the comparison engine's
// thread pool, so this thread stays free to renew the job's lock while the simulation runs;
// a worker that dies stops renewing, and after about a lock duration another worker's
// stalled-job check puts the job back on the queue for someone else. A job made by another
// mmsim version, or whose id does not match its contents, is refused (failed, not retried).

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ThreadPool } from '../compare/pool.js';
import { jobId, toDesignJob, toLine, type SweepLine } from './job.js';
import { RESULT_LOG, type QueuePayload } from './queue.js';
import { probeRedis, redisOptions } from './redis.js';

export interface QueueWorkerOptions {
  url: string;
  queueName: string;
  version: string;
  /** Jobs at once, each on its own thread (default 1). */
  jobs?: number;
  /** Lock duration and stalled-check interval, ms (default 30000). */
  lockMs?: number;
  /** One line per job started, finished or refused. */
  log?: (line: string) => void;
}

export interface QueueWorker {
  /** Finish the jobs in hand, then stop. */
  close(): Promise<void>;
}

/** Why a job cannot run here, or null. */
export function refusal(data: QueuePayload, id: string | undefined, version: string): string | null {
  if (data?.job === undefined || data.scenario === undefined) return `job ${id} is not an mmsim sweep job`;
  if (data.version !== version)
    return `job ${id} was made by mmsim ${data.version}; this worker runs mmsim ${version} (start a worker of the same version)`;
  const j = data.job;
  const expected = jobId(version, data.scenario, j.seed, j.design, j.memPages, j.steps);
  if (id !== expected || j.id !== expected) return `job ${id}: its id does not match its contents (expected ${expected})`;
  return null;
}

export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  await probeRedis(opts.url);
  const lanes = opts.jobs ?? 1;
  const pool = new ThreadPool(lanes);
  const lockMs = opts.lockMs ?? 30000;
  const log = opts.log ?? (() => {});
  const processJob = async (job: Job<QueuePayload, SweepLine>): Promise<SweepLine> => {
    const why = refusal(job.data, job.id, opts.version);
    if (why !== null) {
      log(`refused ${why}`);
      throw new UnrecoverableError(why);
    }
    const j = job.data.job;
    const what = `${j.id} (${j.scenario} seed ${j.seed} ${j.design}, ${j.steps} steps)`;
    log(`start ${what}`);
    const t0 = performance.now();
    let reported = 0;
    const r = await pool.run(toDesignJob({ job: j, scenarioData: job.data.scenario }), (steps) => {
      const f = steps / j.steps;
      // a progress event every fifth of the run is enough for the collector's ETA
      if (f - reported >= 0.2) {
        reported = f;
        void job.updateProgress(f).catch(() => {});
      }
    });
    // every run leaves its hash in the job's log, even one whose lock was lost and whose
    // result BullMQ then refuses: the collector compares them all (a job done twice must agree)
    await job.log(`${RESULT_LOG}${r.stateHash}`);
    log(`done ${what} in ${((performance.now() - t0) / 1000).toFixed(2)} s, state ${r.stateHash.slice(0, 16)}`);
    return toLine(j, r);
  };
  const worker = new Worker<QueuePayload, SweepLine>(opts.queueName, processJob, {
    connection: redisOptions(opts.url),
    concurrency: lanes,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // a job whose worker died is put back this many times before it counts as failed
    maxStalledCount: 3,
  });
  worker.on('error', (err) => log(`queue error: ${err.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}
