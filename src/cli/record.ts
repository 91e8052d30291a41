import type { Cli } from './context.js';
import { Command } from 'commander';
import { recordRun, SnapshotEveryError } from '../log/record.js';
import { EVENTS_PER_CHUNK } from '../log/format.js';
import { formatReport } from '../report.js';
import { parseInjectSpec, InjectSpecError, type InjectSpec } from '../inject/injector.js';
import { BUG_NAMES, isSmpBug, needsFineLocking, SMP_BUG_NAMES } from '../inject/classes.js';
import { addRunOptions, attachTrace, parseCount, Progress, runConfigFrom, UsageError, type CommonOpts } from './common.js';
import { MMSIM_VERSION } from './version.js';
import { outputFile, writeAtomically } from './files.js';
import { thousands } from '../lib/thousands.js';

type RecordOpts = CommonOpts & { output: string; snapshotEvery?: number; inject?: string; injectAfter?: number; injectMax: number };

export function recordCommand(cli: Cli): Command {
  return addRunOptions(new Command('record'), 1000000)
    .description('simulate a scenario and write every event to a run log (.mmlog)')
    .requiredOption('-o, --output <file>', 'the run log to write')
    .option(
      '--snapshot-every <n>',
      `events between snapshots (a multiple of ${EVENTS_PER_CHUNK}; default 65536 per 2,048 frames)`,
      parseCount('--snapshot-every'),
    )
    .option(
      '--inject <bug[@rate]>',
      `make the kernel commit one rmap bug, seeded: ${BUG_NAMES.join(', ')}; or, with --cpus 2+, one SMP mistake: ${SMP_BUG_NAMES.join(', ')} (all but no-tlb-shootdown need --locking fine); rate = probability per opportunity (default 1)`,
    )
    .option('--inject-after <n>', 'pass over opportunities before this event index', parseCount('--inject-after'))
    .option('--inject-max <n>', 'commit the bug at most this many times', parseCount('--inject-max'), 1)
    .option('--json', 'print the report and log facts as JSON')
    .action((o: RecordOpts) => {
      if (!o.output) throw new UsageError('-o/--output needs a file name, e.g. -o run.mmlog');
      const cfg = runConfigFrom(o);
      outputFile(o.output, '-o');
      if (o.emitTrace !== undefined) outputFile(o.emitTrace, '--emit-trace');
      let inject: InjectSpec | null = null;
      try {
        if (o.inject !== undefined) inject = parseInjectSpec(o.inject, o.injectAfter ?? 0, o.injectMax);
      } catch (err) {
        if (err instanceof InjectSpecError) throw new UsageError(err.message);
        throw err;
      }
      if (inject !== null && needsFineLocking(inject.bug) && cfg.smp?.locking !== 'fine')
        throw new UsageError(`--inject ${inject.bug} is a locking mistake of --locking fine: it needs --cpus 2 or more and --locking fine`);
      if (inject !== null && isSmpBug(inject.bug) && cfg.smp === undefined)
        throw new UsageError(`--inject ${inject.bug} is an SMP mistake: it needs --cpus 2 or more`);
      const progress = new Progress(cli, o.events, 'record');
      const traceBox: { w: ReturnType<typeof attachTrace> } = { w: null };
      let r: ReturnType<typeof recordRun>;
      try {
        r = writeAtomically(o.output, '-o', (target) => {
          const rec = recordRun(target, cfg, {
            events: o.events,
            engine: o.engine,
            snapshotEvery: o.snapshotEvery,
            inject,
            meta: { mmsim: MMSIM_VERSION },
            onProgress: (n) => progress.update(n),
            onSimulation: (sim) => {
              traceBox.w = attachTrace(sim, o.emitTrace);
            },
          });
          // the trace is part of the output: if it cannot be finished, the log is not put in place
          traceBox.w?.close();
          return rec;
        });
      } catch (err) {
        if (err instanceof SnapshotEveryError) throw new UsageError(err.message);
        throw err;
      } finally {
        progress.stop();
      }
      if (r.crashed !== null) {
        cli.warn(
          `the kernel failed after the injected bug (${r.crashed}); ${o.output} keeps the ${r.events} events before it (seed ${cfg.seed}, event ${r.events})`,
        );
      }
      if (inject !== null && r.injected.length === 0) {
        cli.warn(
          `--inject ${o.inject}: the bug never fired in ${r.events} events (no opportunity${o.injectAfter ? ` after event ${o.injectAfter}` : ''}, or the rate is too low)`,
        );
      }
      if (o.json) {
        cli.json({
          log: o.output,
          bytes: r.bytes,
          events: r.events,
          hash: r.hash,
          snapshots: r.snapshots,
          ...(inject ? { injected: r.injected } : {}),
          complete: r.crashed === null,
          report: r.report,
        });
        return;
      }
      if (r.report) cli.out(formatReport(r.report) + '\n');
      cli.out(`  log                 ${o.output}: ${thousands(r.events)} events, ${thousands(r.bytes)} bytes\n`);
      cli.out(
        `  snapshots           ${r.snapshots.count} every ${thousands(r.snapshots.every)} events, ${thousands(r.snapshots.bytes)} bytes, ${r.snapshots.ms} ms to write\n`,
      );
      if (r.hash) cli.out(`  state hash          ${r.hash}\n`);
      if (inject) cli.out(`  injected            ${inject.bug} at event(s) ${r.injected.join(', ') || '(never fired)'}\n`);
    });
}
