import { Command } from 'commander';
import { needsFineLocking } from '../inject/classes.js';
import { InjectSpecError, parseInjectSpec, type InjectSpec } from '../inject/injector.js';
import { availableParallelism } from 'node:os';
import { explore, type ExploreResult } from '../smp/explore.js';
import { CHUNK, exploreParallel } from '../smp/explore-pool.js';
import { addRunOptions, parseCount, Progress, runConfigFrom, UsageError, type CommonOpts } from './common.js';
import type { Cli } from './context.js';
import { runOptionsOf } from './replay-token.js';
import { thousands } from '../lib/thousands.js';

type ExploreOpts = CommonOpts & { runs: number; jobs?: number; inject?: string; injectAfter?: number; injectMax: number };

export function exploreCommand(cli: Cli): Command {
  return addRunOptions(new Command('explore'), 20000)
    .description(
      'run one workload under many schedules (--sched-seed 1..RUNS) and print the first that breaks an invariant, with its replay line (needs --cpus 2+)',
    )
    .option('--runs <n>', 'schedules to try', parseCount('--runs'), 100)
    .option(
      '--jobs <n>',
      'worker threads (default: one per core; 1 runs the schedules in this thread); the answer is the same',
      parseCount('--jobs'),
    )
    .option('--inject <bug[@rate]>', 'make the kernel commit a bug in every run (as record --inject)')
    .option('--inject-after <n>', 'pass over opportunities before this event index', parseCount('--inject-after'))
    .option('--inject-max <n>', 'commit the bug at most this many times per run', parseCount('--inject-max'), 1)
    .option('--json', 'print the result as JSON')
    .action(async (o: ExploreOpts) => {
      const cfg = runConfigFrom(o);
      if (cfg.smp === undefined) throw new UsageError('explore needs --cpus 2 or more: one CPU has one schedule');
      if (o.schedSeed !== undefined) throw new UsageError('explore sets --sched-seed itself (1..--runs); leave it out');
      let inject: InjectSpec | null = null;
      try {
        if (o.inject !== undefined) inject = parseInjectSpec(o.inject, o.injectAfter ?? 0, o.injectMax);
      } catch (err) {
        if (err instanceof InjectSpecError) throw new UsageError(err.message);
        throw err;
      }
      if (inject !== null && needsFineLocking(inject.bug) && cfg.smp.locking !== 'fine')
        throw new UsageError(`--inject ${inject.bug} is a locking mistake of --locking fine: add --locking fine`);
      const progress = new Progress(cli, o.runs, 'explore', 'schedules');
      let r: ExploreResult;
      const jobs = Math.min(o.jobs ?? availableParallelism(), Math.ceil(o.runs / CHUNK));
      const opts = {
        scenario: cfg.scenario,
        scenarioFile: cfg.scenarioFile,
        run: runOptionsOf(cfg),
        runs: o.runs,
        events: o.events,
        inject,
        onProgress: (n: number) => progress.update(n),
      };
      try {
        r = jobs <= 1 ? explore(opts) : await exploreParallel(opts, jobs);
      } finally {
        progress.stop();
      }
      const f = r.failure;
      if (o.json) {
        cli.json({
          tried: r.tried,
          failure:
            f === null
              ? null
              : { schedSeed: f.schedSeed, events: f.events, violations: f.violations, replay: f.replay.line, replayArgv: f.replay.argv },
        });
      } else if (f === null) {
        cli.out(`ok: ${r.tried} schedule(s) of ${thousands(o.events)} events, every invariant held\n`);
      } else {
        cli.out(`FAILED: schedule ${f.schedSeed} (${f.tried} tried), ${thousands(f.events)} events:\n`);
        for (const v of f.violations.slice(0, 5)) cli.out(`  ${v.invariant}: ${v.message}\n`);
        if (f.violations.length > 5) cli.out(`  (${f.violations.length - 5} more)\n`);
        cli.out(`replay: ${f.replay.line}\n`);
        cli.out('then: mmsim bisect explore.mmlog names the event\n');
      }
      if (f !== null) cli.fail(1);
    });
}
