import type { Cli } from './context.js';
import { inputFile } from './files.js';
import { Command } from 'commander';
import { LogReader } from '../log/reader.js';
import { cloneState } from '../snapshot/clone.js';
import { StreamChecker } from '../check/run.js';
import { INVARIANTS } from '../check/invariants.js';
import { formatViolation } from '../check/violation.js';
import { formatEvent } from '../events.js';
import type { State } from '../state.js';
import { engineOption, parseCount, Progress } from './options.js';
import { UsageError } from './usage-error.js';
import type { EngineName } from '../event-store.js';
import { applyingLog } from '../log/replay.js';
import { thousands } from '../lib/thousands.js';

export function checkCommand(cli: Cli): Command {
  return new Command('check')
    .description('replay a run log and check every invariant at every kernel-operation boundary')
    .argument('[log]', 'run log (.mmlog); not needed with --list')
    .option('--invariant <names>', `only these invariants (comma-separated): ${Object.keys(INVARIANTS).join(', ')}`)
    .option(
      '--full-every <ops>',
      'run the whole-machine check every N operations (the per-operation check always runs)',
      parseCount('--full-every'),
      256,
    )
    .option('--list', 'list the invariants and exit')
    .option('--json', 'print the result as JSON')
    .addOption(engineOption())
    .action(
      async (
        path: string | undefined,
        o: { invariant?: string; fullEvery: number; list?: boolean; json?: boolean; engine: EngineName },
      ) => {
        if (o.list) {
          for (const [k, v] of Object.entries(INVARIANTS)) cli.out(`${k.padEnd(22)} ${v}\n`);
          return;
        }
        if (path === undefined) throw new UsageError('check needs a run log: mmsim check LOG (or mmsim check --list for the invariants)');
        let only: Set<string> | undefined;
        if (o.invariant !== undefined) {
          only = new Set(
            o.invariant
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          );
          for (const n of only)
            if (!(n in INVARIANTS))
              throw new UsageError(`--invariant '${n}' is not an invariant: allowed values are ${Object.keys(INVARIANTS).join(', ')}`);
        }
        inputFile(path, 'log');
        const log = new LogReader(path);
        for (const w of log.warnings) cli.warn(w);
        const checker = new StreamChecker(cloneState(log.header.initial as State), { only, fullEvery: o.fullEvery, engine: o.engine });
        const progress = new Progress(cli, log.events, 'check');
        let ok = true;
        let lastEvents: string[] = [];
        applyingLog(log, () => {
          outer: for (const { info, events } of log.eventChunks()) {
            for (let i = 0; i < events.length; i++) {
              if (!checker.step(events[i])) {
                ok = false;
                lastEvents = events.slice(Math.max(0, i - 5), i).map(formatEvent);
                break outer;
              }
            }
            progress.update((info.first ?? 0) + events.length);
          }
          if (ok) ok = checker.finish();
        });
        progress.stop();
        log.close();
        // the replay line needs the scenario schema (zod): loaded only when there is a failure to replay
        const replay = checker.failure ? (await import('./replay-token.js')).logReplay(log, checker.failure.event) : null;
        const f = checker.failure;
        if (o.json) {
          cli.json({
            log: path,
            ok,
            events: log.events,
            checks: checker.checks,
            fullChecks: checker.fullChecks,
            failure: f && {
              event: f.event,
              op: f.op,
              violations: f.violations,
              replay: replay?.line,
              replayArgv: replay?.argv,
            },
          });
        } else if (ok) {
          cli.out(
            `ok: ${thousands(log.events)} events, ${thousands(checker.checks)} operation boundaries checked (${checker.fullChecks} full checks), no invariant broken\n`,
          );
        } else if (f) {
          cli.out(`FAILED after event ${f.event} (operation ${f.op}):\n`);
          for (const v of f.violations.slice(0, 20)) cli.out(`  ${formatViolation(v)}\n`);
          if (f.violations.length > 20) cli.out(`  … and ${f.violations.length - 20} more\n`);
          cli.out(`last events of the operation:\n${lastEvents.map((l) => `  ${l}`).join('\n')}\n`);
          if (replay) cli.out(`replay: ${replay.line}\n`);
          cli.out(`bisect: mmsim bisect ${path} finds the event that created the bad state\n`);
        }
        log.requireEnd();
        if (!ok) cli.fail(1);
      },
    );
}
