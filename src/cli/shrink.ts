import type { Cli } from './context.js';
import { outputFile, writeAtomically } from './files.js';
import { Command } from 'commander';
import { recordRun } from '../log/record.js';
import { shrink, ShrinkError } from '../shrink/index.js';
import type { InjectSpec } from '../inject/injector.js';
import { UsageError, Progress } from './common.js';
import { openTimeline, parseNumber } from './tt-common.js';
import { MMSIM_VERSION } from './version.js';
import { thousands } from '../lib/thousands.js';

export function shrinkCommand(cli: Cli): Command {
  return new Command('shrink')
    .description(
      "reduce a failing run's workload (delta debugging over its decisions, re-running the kernel each time) to a small run that breaks the same invariant",
    )
    .argument('<log>', 'a run log in which an invariant fails')
    .requiredOption('-o, --output <file>', 'the shrunk run log to write')
    .option('--budget <tests>', 'at most this many test runs of the kernel', parseNumber('--budget'), 3000)
    .option('--json', 'print the result as JSON')
    .action((path: string, o: { output: string; budget: number; json?: boolean }) => {
      if (o.budget < 1) throw new UsageError(`--budget ${o.budget} is out of range: at least 1`);
      outputFile(o.output, '-o');
      const tl = openTimeline(cli, path);
      // the budget caps ddmin's tests; most shrinks stop well before it, so no time-left estimate
      const progress = new Progress(cli, o.budget, 'shrink', 'tests', false);
      let r: ReturnType<typeof shrink>;
      try {
        r = shrink(tl, o.budget, (tests, size) => progress.update(tests, `smallest failing run ${size} inputs`));
      } catch (err) {
        if (err instanceof ShrinkError) {
          // a log with nothing to shrink is bad input for shrink, not a failed invariant
          cli.error(err.message, 2);
          return;
        }
        throw err;
      } finally {
        progress.stop();
        tl.log.close();
      }
      const spec = (tl.log.header.inject as InjectSpec | undefined) ?? null;
      const rec = writeAtomically(o.output, '-o', (target) =>
        recordRun(target, tl.config, {
          events: 0,
          inputs: r.inputs,
          preemptions: r.preemptions.kept,
          maxEvents: r.eventLimit,
          inject: spec && { ...spec, after: 0 },
          meta: {
            mmsim: MMSIM_VERSION,
            shrunkFrom: { log: path, events: r.before.events, failingEvent: r.before.failingEvent },
            inputs: r.inputs,
            ...(tl.config.smp !== undefined ? { preemptions: r.preemptions.kept } : {}),
          },
        }),
      );
      const ratio = Math.round((r.before.events / Math.max(1, rec.events)) * 10) / 10;
      if (o.json) {
        cli.json({
          log: o.output,
          invariant: r.invariant,
          before: r.before,
          after: { ...r.after, events: rec.events },
          ratio,
          preemptions: { before: r.preemptions.before, after: r.preemptions.kept.length },
          tests: r.tests,
          injected: rec.injected,
        });
        return;
      }
      cli.out(
        [
          `shrunk ${path} (${r.invariant} fails after event ${r.before.failingEvent}) to ${o.output}:`,
          `  events   ${thousands(r.before.events)} -> ${thousands(rec.events)} (${ratio}x smaller)`,
          `  inputs   ${thousands(r.before.inputs)} workload decisions -> ${r.after.inputs}`,
          ...(tl.config.smp !== undefined
            ? [`  preempts ${thousands(r.preemptions.before)} CPU switches by the scheduler -> ${r.preemptions.kept.length}`]
            : []),
          `  tests    ${r.tests} kernel runs`,
          `  next     mmsim bisect ${o.output}`,
        ].join('\n') + '\n',
      );
    });
}
