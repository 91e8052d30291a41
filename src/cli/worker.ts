// `mmsim worker --queue redis://HOST:PORT`: run the jobs of `mmsim sweep --queue` until
// stopped (Ctrl-C or SIGTERM finishes the jobs in hand first; a second one stops at once).

import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { sweepVersion } from '../sweep/fingerprint.js';
import { maskUrl } from '../sweep/redis.js';
import { parseCount, UsageError } from './common.js';
import type { Cli } from './context.js';
import { sweepErrors } from './sweep.js';
import { MMSIM_VERSION } from './version.js';

interface WorkerOpts {
  queue?: string;
  queueName: string;
  jobs?: number;
  lockMs: number;
  quiet?: boolean;
}

export function workerCommand(cli: Cli): Command {
  return new Command('worker')
    .description('run the jobs of `mmsim sweep --queue` from a BullMQ queue on Redis, on this machine, until stopped')
    .option('--queue <url>', 'the queue: redis://HOST:PORT (required)')
    .option('--queue-name <name>', 'BullMQ queue name (as given to mmsim sweep)', 'mmsim-sweep')
    .option('--jobs <n>', 'runs at once, each on its own thread (default: one per core)', parseCount('--jobs'))
    .option(
      '--lock-ms <ms>',
      "how long a job's lock lasts unrenewed, and how often this worker looks for stalled jobs: a dead worker's job is run again elsewhere after about this long",
      parseCount('--lock-ms'),
      30000,
    )
    .option('--quiet', 'no line per job on stderr')
    .action(async (o: WorkerOpts) => {
      await sweepErrors(cli, async () => {
        if (o.queue === undefined) throw new UsageError('worker needs --queue redis://HOST:PORT');
        const jobs = o.jobs ?? availableParallelism();
        const version = sweepVersion(MMSIM_VERSION);
        const log = o.quiet ? undefined : (line: string) => cli.err(`mmsim worker: ${line}\n`);
        // loaded here, not at the top: BullMQ and ioredis add ~0.3 s of CPU to a start
        const { startQueueWorker } = await import('../sweep/queue-worker.js');
        const w = await startQueueWorker({ url: o.queue, queueName: o.queueName, version, jobs, lockMs: o.lockMs, log });
        cli.err(`mmsim worker: serving ${o.queueName} at ${maskUrl(o.queue)} with ${jobs} thread(s), mmsim ${version}\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            cli.err('mmsim worker: stopping after the jobs in hand (again to stop now)\n');
            process.once('SIGINT', () => process.exit(130));
            process.once('SIGTERM', () => process.exit(143));
            void w.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}
