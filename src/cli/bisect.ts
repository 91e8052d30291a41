import type { Cli } from './context.js';
import { Command } from 'commander';
import { INVARIANTS } from '../check/invariants.js';
import { formatViolation } from '../check/violation.js';
import { formatEvent } from '../events.js';
import { bisect } from '../bisect/index.js';
import { applyingLog } from '../log/replay.js';
import { opOf, pathOf } from '../timetravel/ops.js';
import { engineOption } from './options.js';
import { UsageError } from './usage-error.js';
import type { EngineName } from '../event-store.js';
import { openTimeline, readProgress } from './tt-common.js';
import { logReplay } from './replay-token.js';
import { thousands } from '../lib/thousands.js';

export function bisectCommand(cli: Cli): Command {
  return new Command('bisect')
    .description('find the first kernel operation after which an invariant fails, and the event inside it that created the bad state')
    .argument('<log>', 'run log (.mmlog)')
    .option('--invariant <name>', `only this invariant: ${Object.keys(INVARIANTS).join(', ')}`)
    .option('--json', 'print the result as JSON')
    .addOption(engineOption())
    .action((path: string, o: { invariant?: string; json?: boolean; engine: EngineName }) => {
      if (o.invariant !== undefined && !(o.invariant in INVARIANTS)) {
        throw new UsageError(`--invariant '${o.invariant}' is not an invariant: allowed values are ${Object.keys(INVARIANTS).join(', ')}`);
      }
      const tl = openTimeline(cli, path, { engine: o.engine });
      // a search: how many events it reads depends on where the failure is, so no ETA
      const progress = readProgress(cli, tl, 'bisect', null);
      const t0 = performance.now();
      const r = applyingLog(tl.log, () => bisect(tl, o.invariant ? new Set([o.invariant]) : undefined));
      const ms = Math.round(performance.now() - t0);
      progress.stop();
      if (r === null) {
        if (o.json) cli.json({ log: path, ok: true, events: tl.events, event: null, invariant: null, ms });
        else cli.out(`ok: no invariant${o.invariant ? ` (${o.invariant})` : ''} fails in ${thousands(tl.events)} events of ${path}\n`);
        tl.log.close();
        tl.log.requireEnd();
        return;
      }
      const op = opOf(tl, r.event);
      const token = logReplay(tl.log, r.event);
      const ctx = r.context.map(([i, e]) => ({ index: i, path: pathOf(tl, i), event: e }));
      tl.log.close();
      cli.fail(1);
      if (o.json) {
        cli.json({
          log: path,
          ok: false,
          event: r.event,
          invariant: r.invariant,
          violation: r.violation,
          violations: r.violations.slice(0, 50),
          operation: { start: r.op.start, end: r.op.end, kind: op.kind, mm: op.mm },
          reason: r.culprit?.reason ?? null,
          subject: r.culprit?.subject ?? null,
          context: ctx,
          replay: token.line,
          replayArgv: token.argv,
          probes: r.probes,
          ms,
        });
        tl.log.requireEnd();
        return;
      }
      const lines = [
        `FIRST BAD EVENT ${r.event}: ${formatEvent(tl.event(r.event))}`,
        `  in operation ${op.kind}${op.mm >= 0 ? ` (mm ${op.mm})` : ''}, events ${r.op.start}..${r.op.end - 1}; the invariants hold before it and fail after it`,
        `  ${r.culprit ? r.culprit.reason : "no single pte or page explains it; the event shown is the operation's last"}`,
        `failed invariant: ${formatViolation(r.violation)}`,
        ...(r.violations.length > 1 ? [`  (${r.violations.length - 1} more violation(s) after this operation)`] : []),
        'events around it:',
        ...ctx.map(
          (c) => `  ${c.index === r.event ? '>>' : '  '} ${String(c.index).padStart(9)} [${c.path.padEnd(6)}] ${formatEvent(c.event)}`,
        ),
        `replay: ${token.line}`,
        `inspect: mmsim seek ${path} ${r.event}${r.culprit?.subject.pte !== undefined ? ` --pte 0x${r.culprit.subject.pte.toString(16)}` : ''}${r.violation.page !== undefined ? ` --page ${r.violation.page}` : ''}`,
        `(${r.probes} full checks, ${ms} ms)`,
      ];
      cli.out(lines.join('\n') + '\n');
      tl.log.requireEnd();
    });
}
