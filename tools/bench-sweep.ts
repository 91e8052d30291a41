// Sweep throughput: the same grid on 1 and 2 threads here, and through a BullMQ queue on a
// throwaway redis-server with 2 `mmsim worker` processes (1 thread each), median of 3 each;
// every way must give the same lines. Floors, checked in the same run: 2 threads at least as
// fast as 1, the queue at least half as fast as 2 local threads (Redis round trips and
// JSON per job are its price). Usage:
//   node dist/tools/bench-sweep.js [seeds] [steps]     (default 8 seeds x 2 scenarios x 2 designs, 20000 steps)

import { sweepVersion } from '../src/sweep/fingerprint.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGrid, planSweep, runLocal, type SweepOutcome } from '../src/sweep/index.js';
import { runQueue } from '../src/sweep/queue.js';
import { MMSIM_VERSION } from '../src/cli/version.js';
import { startRedis } from './redis-server.js';

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sortedLines = (p: string): string => readFileSync(p, 'utf8').split('\n').filter(Boolean).sort().join('\n');

export async function benchSweep(seeds = 8, steps = 20000, reps = 3) {
  const grid = {
    scenarios: ['x486', 'forky'],
    seeds: Array.from({ length: seeds }, (_, i) => String(i + 1)),
    designs: ['clock/pte-chain', 'old/none'],
    mem: [],
    steps,
  };
  const jobs = expandGrid(grid, sweepVersion(MMSIM_VERSION));
  const dir = mkdtempSync(join(tmpdir(), 'mmsim-bench-sweep-'));
  let n = 0;
  const outputs = new Set<string>();
  const time = async (run: (out: string) => Promise<SweepOutcome>): Promise<number> => {
    const out = join(dir, `r${n++}.jsonl`);
    const r = await run(out);
    if (r.ran !== jobs.length || r.failed.length > 0)
      throw new Error(`bench-sweep: ${r.ran} of ${jobs.length} runs ran, ${r.failed.length} failed`);
    outputs.add(sortedLines(out));
    return r.wallMs;
  };
  const one: number[] = [],
    two: number[] = [],
    queued: number[] = [];
  const redis = await startRedis();
  const cli = join(fileURLToPath(new URL('.', import.meta.url)), 'mmsim.js');
  const workers = [0, 1].map(() =>
    spawn(process.execPath, [cli, 'worker', '--queue', redis.url, '--queue-name', 'bench', '--jobs', '1', '--quiet'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let text = '';
            w.stderr?.on('data', (d: Buffer) => {
              text += d.toString();
              if (text.includes('serving')) resolve();
            });
            w.once('exit', (code) => reject(new Error(`worker exited with code ${code}: ${text}`)));
          }),
      ),
    );
    for (let i = 0; i < reps; i++) {
      one.push(await time((out) => runLocal(planSweep(jobs, out), { out, jobs: 1 })));
      two.push(await time((out) => runLocal(planSweep(jobs, out), { out, jobs: 2 })));
      // a queue of its own each time, so no result is collected from an earlier repetition
      queued.push(await time((out) => runQueue(planSweep(jobs, out), { out, url: redis.url, queueName: 'bench', reconcileMs: 1000 })));
      await flush(redis.url);
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await redis.stop();
  }
  const runs = jobs.length;
  const rate = (ms: number): number => runs / (ms / 1000);
  return { runs, steps, one: rate(median(one)), two: rate(median(two)), queue: rate(median(queued)), identical: outputs.size === 1 };
}

/** Empty the bench's Redis between repetitions (its results would be collected without running). */
async function flush(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  await r.flushall();
  r.disconnect();
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const [seeds = '8', steps = '20000'] = process.argv.slice(2);
  const r = await benchSweep(Number(seeds), Number(steps));
  console.log(
    `bench-sweep: ${r.runs} runs (x486, forky x ${seeds} seeds x clock/pte-chain, old/none), ${r.steps} steps each, ${availableParallelism()} cores, median of 3`,
  );
  console.log(`  1 thread            ${r.one.toFixed(2)} runs/s`);
  console.log(`  2 threads           ${r.two.toFixed(2)} runs/s (${(r.two / r.one).toFixed(2)}x)`);
  console.log(
    `  queue, 2 workers    ${r.queue.toFixed(2)} runs/s (${(r.queue / r.one).toFixed(2)}x; redis-server on loopback, 1 thread per worker)`,
  );
  console.log(`  same lines every way: ${r.identical ? 'yes' : 'NO'}`);
  console.log(
    `  load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min)`,
  );
  const floors: string[] = [];
  if (!r.identical) floors.push('the three ways gave different lines');
  if (r.two < r.one) floors.push(`2 threads (${r.two.toFixed(2)} runs/s) slower than 1 (${r.one.toFixed(2)})`);
  if (r.queue < r.two / 2) floors.push(`the queue (${r.queue.toFixed(2)} runs/s) under half of 2 local threads (${r.two.toFixed(2)})`);
  for (const f of floors) console.log(`  BELOW FLOOR: ${f}`);
  if (floors.length > 0) process.exitCode = 1;
}
