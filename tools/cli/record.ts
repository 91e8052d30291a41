import { Command } from 'commander';
import { Simulation } from '../../src/sim.js';
import { LogWriter } from '../../src/log/writer.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { formatReport, makeReport } from '../../src/report.js';
import { addRunOptions, printJson, Progress, runConfigFrom, UsageError, type CommonOpts } from './common.js';
import { MMSIM_VERSION } from './version.js';

export function recordCommand(): Command {
  return addRunOptions(new Command('record'), 1000000)
    .description('simulate a scenario and write every event to a run log (.mmlog)')
    .requiredOption('-o, --output <file>', 'the run log to write')
    .option('--json', 'print the report and log facts as JSON')
    .action((o: CommonOpts & { output: string }) => {
      if (!o.output) throw new UsageError('-o/--output needs a file name, e.g. -o run.mmlog');
      const cfg = runConfigFrom(o);
      const sim = new Simulation(cfg, o.engine, { consumeInitial: true });
      const writer = new LogWriter(o.output, { mmsim: MMSIM_VERSION, config: cfg, initial: sim.initial });
      sim.machine.sink = (e) => writer.event(e);
      const progress = new Progress(o.events, 'record');
      let s;
      try {
        s = sim.run(o.events, (n) => progress.update(n));
      } catch (err) {
        writer.abandon();
        throw err;
      } finally {
        progress.stop();
      }
      const hash = stateHash(s);
      const report = makeReport(s, { scenario: cfg.scenario.name, seed: cfg.seed, reclaim: cfg.reclaim });
      writer.close({ hash, report });
      if (o.json) printJson({ log: o.output, bytes: writer.bytes, events: writer.events, hash, report });
      else {
        process.stdout.write(formatReport(report) + '\n');
        process.stdout.write(`  log                 ${o.output}: ${writer.events.toLocaleString('en-US')} events, ${writer.bytes.toLocaleString('en-US')} bytes\n`);
        process.stdout.write(`  state hash          ${hash}\n`);
      }
    });
}
