import type { Cli } from './context.js';
import { outputFile } from './files.js';
import { Command } from 'commander';
import { Simulation } from '../simulation.js';
import { formatReport, makeReport } from '../report.js';
import { addRunOptions, attachTrace, Progress, runConfigFrom, type CommonOpts } from './common.js';

export function runCommand(cli: Cli): Command {
  return addRunOptions(new Command('run'), 1000000)
    .description('simulate a scenario in memory and print the report (faults, scanning, reclaim, swap, time)')
    .option('--json', 'print the report as JSON')
    .action((o: CommonOpts) => {
      const cfg = runConfigFrom(o);
      if (o.emitTrace !== undefined) outputFile(o.emitTrace, '--emit-trace');
      const sim = new Simulation(cfg, o.engine, { consumeInitial: true });
      const progress = new Progress(cli, o.events, 'run');
      const trace = attachTrace(sim, o.emitTrace);
      let s: ReturnType<Simulation['run']>;
      try {
        s = sim.run(o.events, (n) => progress.update(n));
      } finally {
        progress.stop();
        trace?.close();
      }
      const report = makeReport(s, { scenario: cfg.scenario.name, seed: cfg.seed, reclaim: cfg.reclaim, steal: cfg.steal === true });
      if (o.json) cli.json(report);
      else cli.out(formatReport(report) + '\n');
    });
}
