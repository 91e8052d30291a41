// The sweep through BullMQ on a local redis-server: two `mmsim worker` processes give the
// same per-job results as a local sweep, and a worker killed mid-job loses nothing.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_LOG } from '../../src/sweep/queue.js';
import { redisOptions } from '../../src/sweep/redis.js';
import { CLI, mmsim, tmp } from '../helpers.js';
import { startRedis, type RedisServer } from '../../tools/redis-server.js';

// npm run soak's killed-worker test needs jobs long enough to kill one midway (20,000 steps);
// npm test's checks (the queue carries each run's hash and metrics back unchanged) need only
// real runs: 5,000 steps is 13,700-19,800 events per job (`mmsim sweep` with this grid)
const STEPS = process.env.MMSIM_SOAK === '1' ? '20000' : '5000';
const GRID = ['--scenarios', 'x486,forky', '--seeds', '1', '--designs', 'clock/pte-chain,old/none', '--steps', STEPS];
const sorted = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).sort();

interface Proc {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** Every process a test started, so none outlives a failed test. */
const started: ChildProcess[] = [];

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => text, exited };
}

async function until(what: string, f: () => boolean, ms = 30000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const worker = (url: string, name: string): Proc =>
  start(['worker', '--queue', url, '--queue-name', name, '--jobs', '1', '--lock-ms', '1000']);

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

describe('mmsim sweep --queue with mmsim worker', () => {
  let redis: RedisServer;
  const local = tmp('local.jsonl');

  beforeAll(async () => {
    redis = await startRedis();
    expect(mmsim(['sweep', ...GRID, '-o', local]).code).toBe(0);
  });
  afterAll(async () => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await redis?.stop();
  });

  it('two workers give the same per-job hashes and metrics as the local run; a second collection runs nothing', async () => {
    const workers = [worker(redis.url, 'same'), worker(redis.url, 'same')];
    try {
      await until('the workers to start', () => workers.every((w) => /serving same/.test(w.log())));
      const out = tmp('queued.jsonl');
      const sweep = start(['sweep', ...GRID, '--queue', redis.url, '--queue-name', 'same', '-o', out]);
      expect(await sweep.exited).toBe(0);
      expect(sweep.log()).toMatch(/4 runs in the grid: 4 ran, 0 already in/);
      expect(sorted(out)).toEqual(sorted(local));
      // both workers took part
      for (const w of workers) expect(w.log()).toMatch(/mmsim worker: done /);
      // the results stay in the queue: with the file gone, they are collected again without a run
      const again = tmp('again.jsonl');
      const before = workers.map((w) => (w.log().match(/ done /g) ?? []).length);
      const re = start(['sweep', ...GRID, '--queue', redis.url, '--queue-name', 'same', '-o', again]);
      expect(await re.exited).toBe(0);
      expect(re.log()).toMatch(/4 runs in the grid: 4 ran \(4 of them earlier: results the queue held\), 0 already in/);
      expect(sorted(again)).toEqual(sorted(local));
      expect(workers.map((w) => (w.log().match(/ done /g) ?? []).length)).toEqual(before);
    } finally {
      await Promise.all(workers.map(stop));
    }
  });

  it('a job whose runs logged different final states is a determinism failure (exit 1)', async () => {
    // as if a second worker had run this job (its lock lost) and reached another state
    const first = JSON.parse(sorted(local)[0]);
    const queue = new Queue('same', { connection: redisOptions(redis.url) });
    try {
      await Job.addJobLog(queue, first.id, `${RESULT_LOG}${'f'.repeat(64)}`);
    } finally {
      await queue.close();
    }
    const sweep = start(['sweep', ...GRID, '--queue', redis.url, '--queue-name', 'same', '-o', tmp('twice.jsonl')]);
    expect(await sweep.exited).toBe(1);
    expect(sweep.log()).toMatch(
      new RegExp(`mmsim: error: job ${first.id} .* ran twice with different final states: ${first.report.stateHash.slice(0, 16)} and ffff`),
    );
  });

  // Three more processes and a lock that must run out (~3 s of CPU): npm run soak (MMSIM_SOAK=1) runs it;
  // npm test keeps the two-worker equality and the determinism check above.
  it.runIf(process.env.MMSIM_SOAK === '1')(
    'a worker killed mid-job loses nothing: the job goes to another worker and the sweep completes',
    async () => {
      const out = tmp('killed.jsonl');
      // the sweep first: with no worker yet it says what it waits for, and waits
      const sweep = start(['sweep', ...GRID, '--queue', redis.url, '--queue-name', 'kill', '-o', out]);
      await until('the no-worker note', () => /mmsim: note: no worker is serving queue kill yet/.test(sweep.log()));
      expect(sweep.log()).toMatch(/the 4 pending run\(s\) wait for `mmsim worker --queue redis:\/\/127.0.0.1:\d+ --queue-name kill`/);
      const a = worker(redis.url, 'kill');
      let b: Proc | null = null;
      try {
        await until('worker a to start a job', () => / start /.test(a.log()));
        a.child.kill('SIGKILL');
        await a.exited;
        const taken = /start ([0-9a-f]{24})/.exec(a.log())![1];
        expect(a.log()).not.toMatch(new RegExp(`done ${taken}`));
        b = worker(redis.url, 'kill');
        expect(await sweep.exited).toBe(0);
        expect(sorted(out)).toEqual(sorted(local));
        // the killed worker's job was run again, by b, after its lock ran out
        expect(b.log()).toMatch(new RegExp(`done ${taken}`));
      } finally {
        await stop(a);
        if (b !== null) await stop(b);
      }
    },
  );
});
