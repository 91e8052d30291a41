import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJob } from '../../src/sweep/job.js';
import type { QueuePayload } from '../../src/sweep/queue.js';
import { refusal, startQueueWorker, type QueueWorker } from '../../src/sweep/queue-worker.js';
import { redisOptions } from '../../src/sweep/redis.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { startRedis, type RedisServer } from '../../tools/redis-server.js';

const tiny = loadScenario('tiny');
const payload = (version: string): QueuePayload => {
  const p = makeJob(version, tiny, '1', 'clock/pte-chain', 64, 200);
  return { version, job: p.job, scenario: p.scenarioData };
};

describe('refusal', () => {
  it('accepts a job of this version whose id matches its contents', () => {
    const d = payload('0.1.0');
    expect(refusal(d, d.job.id, '0.1.0')).toBeNull();
  });
  it('refuses another version, an id that does not match, and foreign data', () => {
    const d = payload('0.0.9');
    expect(refusal(d, d.job.id, '0.1.0')).toMatch(/made by mmsim 0\.0\.9; this worker runs mmsim 0\.1\.0/);
    const e = payload('0.1.0');
    expect(refusal({ ...e, job: { ...e.job, seed: '2' } }, e.job.id, '0.1.0')).toMatch(/id does not match its contents/);
    expect(refusal({} as QueuePayload, 'x', '0.1.0')).toMatch(/not an mmsim sweep job/);
  });
});

describe('startQueueWorker', () => {
  let redis: RedisServer;
  let worker: QueueWorker;
  beforeAll(async () => {
    redis = await startRedis();
    worker = await startQueueWorker({ url: redis.url, queueName: 'v', version: '0.1.0', jobs: 1, lockMs: 1000 });
  });
  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
  });

  it('runs a job of its version and fails, without running, a job of another version', async () => {
    const queue = new Queue('v', { connection: redisOptions(redis.url) });
    try {
      const good = payload('0.1.0');
      const other = payload('0.2.0');
      await queue.add('good', good, { jobId: good.job.id });
      await queue.add('other', other, { jobId: other.job.id });
      const settled = async (id: string): Promise<Job> => {
        for (;;) {
          // the state before the job, so a finished state comes with the job's final fields
          const state = await queue.getJobState(id);
          if (state === 'completed' || state === 'failed') return (await Job.fromId(queue, id))!;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const g = await settled(good.job.id);
      expect(await g.getState()).toBe('completed');
      expect(g.returnvalue.id).toBe(good.job.id);
      expect(g.returnvalue.report.stateHash).toMatch(/^[0-9a-f]{64}$/);
      const o = await settled(other.job.id);
      expect(await o.getState()).toBe('failed');
      expect(o.failedReason).toMatch(/made by mmsim 0\.2\.0; this worker runs mmsim 0\.1\.0/);
      expect(o.attemptsMade).toBe(1);
    } finally {
      await queue.close();
    }
  });
});
