import { runSeeds, seedsJson } from '../compare/seeds.js';
import { parseSeeds } from '../sweep/grid.js';
import { formatReport, formatReportCsv } from '../sweep/report.js';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cli } from './context.js';
import { Command } from 'commander';
import { allowedDesigns, DEFAULT_DESIGNS, formatCsv, formatJson, formatTable, runComparison, writePlots } from '../compare/index.js';
import { formatSweep, runSweep, sweepChart } from '../compare/sweep.js';
import { parseCount, Progress, UsageError } from './common.js';
import { ProgressLine } from '../sweep/progress.js';
import { MAX_CPUS } from '../run-config.js';
import { parseCpuList, parseLockingList } from './machine-options.js';

interface CompareOpts {
  scenario: string;
  seed: string;
  seeds?: string;
  baseline?: string;
  steps: number;
  designs?: string;
  mem?: string;
  json?: boolean;
  csv?: boolean;
  plot?: string;
  sweep?: boolean;
  sequential?: boolean;
  parallel?: boolean;
  jobs?: number;
  sampleEvery: number;
  cpus?: string;
  locking?: string;
}

/** Each design's percentage on one stderr line cut to the terminal's width (the sweep has dozens of runs), on a terminal only. */
export function designProgress(line: ProgressLine): ((label: string, steps: number, total: number) => void) | undefined {
  if (!line.enabled) return undefined;
  const shown = new Map<string, number>();
  return (label, steps, total) => {
    const pct = Math.floor((steps / total) * 100);
    if (shown.get(label) === pct) return;
    // finished runs leave the line, so the ones still running stay in view
    if (pct >= 100) shown.delete(label);
    else shown.set(label, pct);
    line.show([...shown].map(([l, p]) => `${l} ${p}%`).join('  '));
  };
}

export function compareCommand(cli: Cli): Command {
  return new Command('compare')
    .description('run the same seeded workload under several reclaim/rmap designs and compare them')
    .option('--scenario <name|file>', 'x486, forky, tiny, sharedlib:N, or a scenario JSON file', 'x486')
    .option('--seed <seed>', 'workload seed', '1')
    .option(
      '--seeds <list>',
      'run every design on each of these seeds (1..20, or 1,2,7) and print means with 95% intervals and paired differences',
    )
    .option('--baseline <design>', 'with --seeds: the design the others are compared with (default: clock/pte-chain when listed)')
    .option('--steps <n>', 'workload steps per design (the same work for every design)', parseCount('--steps'), 100000)
    .option(
      '--designs <list>',
      `comma-separated reclaim/rmap pairs (default ${DEFAULT_DESIGNS.join(',')}); allowed: ${allowedDesigns().join(', ')}`,
    )
    .option('--mem <size>', "memory size, overriding the scenario's")
    .option('--json', 'print the results as JSON')
    .option('--csv', 'print the results as CSV')
    .option('--plot <dir>', 'write SVG charts (free pages, scan rate, fault rate over time) into this directory')
    .option('--sweep', 'sweep the number of processes sharing a library (sharedlib:1..64) instead of one scenario')
    .option('--sequential', 'run the designs one after another in this thread')
    .option(
      '--parallel',
      'run the designs in worker threads even when the comparison is short (default: workers only when the work outweighs starting them)',
    )
    .option('--jobs <n>', 'worker threads at most (default: one per core)', parseCount('--jobs'))
    .option(
      '--cpus <list>',
      `run each design on these numbers of CPUs (e.g. 1,2,4,8; 1-${MAX_CPUS}), scheduled by simulated time (--sched time); adds CPU, throughput and lock rows (with --seeds: their means and intervals over seeds)`,
    )
    .option('--locking <list>', 'with --cpus: the locking designs to run on 2+ CPUs (bkl, fine; default bkl)')
    .option('--sample-every <events>', 'events between samples for the charts', parseCount('--sample-every'), 2000)
    .action(async (o: CompareOpts) => {
      if (o.json && o.csv) throw new UsageError('--json and --csv are exclusive: choose one output format');
      if (o.locking !== undefined && o.cpus === undefined)
        throw new UsageError('--locking needs --cpus (e.g. --cpus 1,2,4 --locking bkl,fine)');
      if (o.cpus !== undefined && o.sweep) throw new UsageError('--cpus works with one scenario (--seed or --seeds), not --sweep');
      const cpus = o.cpus === undefined ? undefined : parseCpuList(o.cpus);
      const locking = o.locking === undefined ? undefined : parseLockingList(o.locking);
      if (o.plot !== undefined) {
        if (existsSync(o.plot) && !statSync(o.plot).isDirectory())
          throw new UsageError(`--plot ${o.plot} is not a directory: give a directory for the charts (it is created if missing)`);
        mkdirSync(o.plot, { recursive: true });
      }
      const line = new ProgressLine(cli.io.stderr, () => cli.now());
      const onProgress = designProgress(line);
      const mode = o.sequential ? 'sequential' : o.parallel ? 'parallel' : 'auto';
      if (o.seeds !== undefined) {
        if (o.sweep) throw new UsageError('--seeds and --sweep are exclusive: --sweep has its own shared-library axis');
        if (o.plot !== undefined) throw new UsageError('--seeds prints a table, --json or --csv; --plot needs one seed');
        let seeds: string[];
        try {
          seeds = parseSeeds(o.seeds);
        } catch (err) {
          throw new UsageError(`--${(err as Error).message}`);
        }
        let progress = null as Progress | null; // made at the first call, which knows the total
        const r = await runSeeds({
          scenario: o.scenario,
          seeds,
          designs: o.designs,
          steps: o.steps,
          mem: o.mem,
          mode,
          jobs: o.jobs,
          baseline: o.baseline,
          cpus,
          locking,
          onProgress: (done, total) => {
            progress ??= new Progress(cli, total, 'compare', 'runs');
            progress.update(done);
          },
        }).finally(() => progress?.stop());
        if (o.baseline !== undefined && !r.section.designs.some((d) => d.design === o.baseline))
          throw new UsageError(
            `--baseline ${o.baseline} is not one of the designs compared (${r.section.designs.map((d) => d.design).join(', ')})`,
          );
        const report = { runs: r.seeds.length * r.section.designs.length, sections: [r.section] };
        // --csv: sweep report --csv's rows (a mean or a paired difference per design and metric, with its interval)
        cli.out(o.json ? seedsJson(r) + '\n' : o.csv ? formatReportCsv(report) : formatReport(report, 'mmsim compare'));
        return;
      }
      if (o.sweep) {
        const sw = await runSweep({ seed: o.seed, steps: o.steps, designs: o.designs, mode, jobs: o.jobs, onProgress });
        line.clear();
        cli.out(o.json ? JSON.stringify(sw, null, 2) + '\n' : formatSweep(sw));
        if (o.plot !== undefined) writeFileSync(join(o.plot, 'sweep.svg'), sweepChart(sw));
        return;
      }
      const r = await runComparison({
        cpus,
        locking,
        scenario: o.scenario,
        seed: o.seed,
        steps: o.steps,
        designs: o.designs,
        mem: o.mem,
        mode,
        jobs: o.jobs,
        sampleEvery: o.sampleEvery,
        onProgress,
      });
      line.clear();
      if (o.json) cli.out(formatJson(r) + '\n');
      else if (o.csv) cli.out(formatCsv(r));
      else cli.out(formatTable(r));
      if (o.plot !== undefined) for (const f of writePlots(r, o.plot)) cli.err(`wrote ${f}\n`);
    });
}
