// `mmsim sweep`: run a grid of runs into results.jsonl (here or through a queue), and
// `mmsim sweep report`: aggregate it. The logic is in src/sweep/; this file maps flags to it.

import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { allowedDesigns, DEFAULT_DESIGNS } from '../compare/index.js';
import { sweepVersion } from '../sweep/fingerprint.js';
import {
  DEFAULT_GRID,
  expandGrid,
  parseList,
  parseSeeds,
  planSweep,
  ProgressLine,
  readResults,
  readSpec,
  ResultMismatchError,
  runLocal,
  SweepError,
  type Grid,
  type SweepOutcome,
} from '../sweep/index.js';
import { writeReportPlots } from '../sweep/plot.js';
import { aggregate, formatReport, formatReportCsv } from '../sweep/report.js';
import { parseCount, UsageError } from './common.js';
import { parseCpuList, parseLockingList } from './machine-options.js';
import type { Cli } from './context.js';
import { MMSIM_VERSION } from './version.js';

interface SweepOpts {
  output?: string;
  scenarios?: string;
  seeds?: string;
  designs?: string;
  mem?: string;
  steps?: number;
  cpus?: string;
  locking?: string;
  jobs?: number;
  queue?: string;
  queueName: string;
}

/** src/sweep's own errors are usage errors (exit 2) or a determinism failure (exit 1). */
export async function sweepErrors(cli: Cli, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (err instanceof SweepError) throw new UsageError(err.message);
    if (err instanceof ResultMismatchError) {
      cli.error(err.message, 1);
      return;
    }
    throw err;
  }
}

function gridFrom(spec: string | undefined, o: SweepOpts): Grid {
  const fromSpec = spec === undefined ? {} : readSpec(spec);
  const cpus = o.cpus !== undefined ? parseCpuList(o.cpus) : fromSpec.cpus;
  const locking = o.locking !== undefined ? parseLockingList(o.locking) : fromSpec.locking;
  return {
    scenarios: o.scenarios !== undefined ? parseList(o.scenarios, '--scenarios') : (fromSpec.scenarios ?? DEFAULT_GRID.scenarios),
    seeds: o.seeds !== undefined ? parseSeeds(o.seeds) : (fromSpec.seeds ?? DEFAULT_GRID.seeds),
    designs: o.designs !== undefined ? parseList(o.designs, '--designs') : (fromSpec.designs ?? DEFAULT_GRID.designs),
    mem: o.mem !== undefined ? parseList(o.mem, '--mem') : (fromSpec.mem ?? DEFAULT_GRID.mem),
    steps: o.steps ?? fromSpec.steps ?? DEFAULT_GRID.steps,
    ...(cpus !== undefined ? { cpus } : {}),
    ...(locking !== undefined ? { locking } : {}),
  };
}

function summary(out: string, r: SweepOutcome): string {
  const secs = r.wallMs / 1000;
  const rate = r.ran > 0 && secs > 0 ? `, ${(r.ran / secs).toFixed(2)} runs/s` : '';
  const held = r.fromQueue ? ` (${r.fromQueue} of them earlier: results the queue held)` : '';
  return `sweep: ${r.total} runs in the grid: ${r.ran} ran${held}, ${r.skipped} already in ${out}, ${r.failed.length} failed (${secs.toFixed(1)} s${rate})\n`;
}

export function sweepCommand(cli: Cli): Command {
  const cmd = new Command('sweep')
    .description('run a grid of runs (scenarios x memory x designs x seeds) into a JSONL file, resuming where it stopped')
    .argument('[spec]', 'a spec file (JSON: scenarios, seeds, designs, mem, steps); flags override its fields')
    .option('-o, --output <file>', 'results file (JSONL, one line per run); runs already in it are skipped')
    .option(
      '--scenarios <list>',
      `comma-separated scenarios: x486, forky, tiny, sharedlib:N or files (default ${DEFAULT_GRID.scenarios.join(',')})`,
    )
    .option(
      '--seeds <list>',
      `seeds: a range 1..20, a list 1,2,7, or both (default ${DEFAULT_GRID.seeds[0]}..${DEFAULT_GRID.seeds.at(-1)})`,
    )
    .option('--designs <list>', `reclaim/rmap pairs (default ${DEFAULT_DESIGNS.join(',')}); allowed: ${allowedDesigns().join(', ')}`)
    .option('--mem <list>', "memory sizes, e.g. 4M,8M,16M (default: each scenario's own)")
    .option('--steps <n>', `workload steps per run (default ${DEFAULT_GRID.steps})`, parseCount('--steps'))
    .option(
      '--cpus <list>',
      'numbers of CPUs, e.g. 1,2,4: each design on each machine (labelled clock/pte-chain 2cpu/bkl; default: one CPU)',
    )
    .option('--locking <list>', 'with --cpus: the locking designs on 2+ CPUs (bkl, fine; default bkl)')
    .option('--jobs <n>', 'worker threads on this machine (default: one per core)', parseCount('--jobs'))
    .option('--queue <url>', 'put the runs on a BullMQ queue at redis://HOST:PORT and collect what `mmsim worker` processes return')
    .option('--queue-name <name>', 'BullMQ queue name (workers must use the same)', 'mmsim-sweep')
    .addHelpText(
      'after',
      `
Each run has an id hashed from the mmsim version (with a fingerprint of its code), the
scenario's contents, seed, design, memory and steps. A run already in the output file is not
run again: re-run the same command after a crash or Ctrl-C to finish a sweep.
\`mmsim sweep report FILE\` aggregates the results (docs/sweep.md).`,
    )
    .action(async (spec: string | undefined, o: SweepOpts) => {
      await sweepErrors(cli, async () => {
        if (o.output === undefined) throw new UsageError('sweep needs -o FILE: the JSONL file the results go to (and resume from)');
        const out = o.output;
        const jobs = expandGrid(gridFrom(spec, o), sweepVersion(MMSIM_VERSION));
        const plan = planSweep(jobs, out);
        const version = jobs[0]?.job.version;
        const others = [...plan.existing.values()].filter((l) => l.version !== version).length;
        if (others > 0)
          cli.warn(
            `${out} holds ${others} result(s) of other mmsim code (not ${version}): they are not this code's, so their runs are done again; \`sweep report\` would mix both (write to a new file to keep them apart)`,
          );
        if (plan.tornBytes > 0)
          cli.warn(`${out} ended in a torn line (${plan.tornBytes} bytes, a run cut off mid-write): removed; that run is done again`);
        const progress = new ProgressLine(cli.io.stderr);
        const onSigint = (): void => {
          progress.clear();
          cli.err(`mmsim: interrupted: finished runs are in ${out}; run the same command again to go on\n`);
          process.exit(130);
        };
        process.once('SIGINT', onSigint);
        try {
          const r =
            o.queue !== undefined
              ? // loaded only for a queue: BullMQ and ioredis add ~0.3 s of CPU to a start
                await (await import('../sweep/queue.js')).runQueue(plan, {
                  out,
                  url: o.queue,
                  queueName: o.queueName,
                  progress,
                  onNoWorkers: (m) => {
                    progress.clear();
                    cli.err(`mmsim: note: ${m}\n`);
                  },
                })
              : await runLocal(plan, { out, jobs: o.jobs, progress });
          for (const f of r.failed)
            cli.err(`mmsim: run failed: ${f.job.job.scenario} seed ${f.job.job.seed} ${f.job.job.design}: ${f.message}\n`);
          cli.out(summary(out, r));
          if (r.failed.length > 0) cli.fail(1);
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      });
    });
  cmd.addCommand(reportCommand(cli));
  return cmd;
}

interface ReportOpts {
  csv?: boolean;
  json?: boolean;
  plot?: string;
  baseline?: string;
}

function reportCommand(cli: Cli): Command {
  return new Command('report')
    .description(
      "aggregate a results file: per scenario x memory x design, each metric's mean with a 95% interval over seeds, and paired differences",
    )
    .argument('<results>', 'the JSONL file written by mmsim sweep')
    .option('--csv', 'print the aggregates as CSV')
    .option('--json', 'print the aggregates as JSON')
    .option('--plot <dir>', 'write SVG charts (metric against memory size, or against sharers for sharedlib:N; intervals drawn)')
    .option(
      '--baseline <design>',
      'the design the others are paired against (default clock/pte-chain when present, else the first by name)',
    )
    .action(async (file: string, o: ReportOpts) => {
      await sweepErrors(cli, async () => {
        if (o.json && o.csv) throw new UsageError('--json and --csv are exclusive: choose one output format');
        if (!existsSync(file)) throw new UsageError(`results file ${file} does not exist`);
        const { lines, tornBytes } = readResults(file);
        if (tornBytes > 0) cli.warn(`${file} ends in a torn line (${tornBytes} bytes), left out`);
        if (lines.length === 0) throw new UsageError(`results file ${file} holds no results`);
        const versions = [...new Set(lines.map((l) => l.version))].sort();
        if (versions.length > 1)
          cli.warn(`${file} mixes results of ${versions.length} mmsim builds (${versions.join(', ')}): the report pools them`);
        const designs = [...new Set(lines.map((l) => l.design))];
        if (o.baseline !== undefined && !designs.includes(o.baseline))
          throw new UsageError(`--baseline '${o.baseline}' is not a design in ${file}: it has ${designs.sort().join(', ')}`);
        const r = aggregate(lines, o.baseline);
        if (o.json) cli.json(r);
        else if (o.csv) cli.out(formatReportCsv(r));
        else cli.out(formatReport(r));
        if (o.plot !== undefined) for (const f of writeReportPlots(r, o.plot)) cli.err(`wrote ${f}\n`);
      });
    });
}
