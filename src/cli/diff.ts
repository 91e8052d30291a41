import type { Cli } from './context.js';
import { Command } from 'commander';
import { diffStates, formatChanges } from '../timetravel/diff.js';
import { engineOption } from './options.js';
import { UsageError } from './usage-error.js';
import type { EngineName } from '../event-store.js';
import { openTimeline, parseNumber, readProgress } from './tt-common.js';

export function diffCommand(cli: Cli): Command {
  return new Command('diff')
    .description('what changed between the state after event A and the state after event B, grouped by page, pte and mm')
    .argument('<log>', 'run log (.mmlog)')
    .argument('<a>', 'first event index', parseNumber('A'))
    .argument('<b>', 'second event index', parseNumber('B'))
    .option('--limit <n>', 'show at most this many changes', parseNumber('--limit'), 200)
    .option('--json', 'print the changes as JSON')
    .addOption(engineOption())
    .action((path: string, a: number, b: number, o: { limit: number; json?: boolean; engine: EngineName }) => {
      const tl = openTimeline(cli, path, { engine: o.engine });
      tl.checkEvent(a, 'A');
      tl.checkEvent(b, 'B');
      if (o.limit < 1) throw new UsageError(`--limit ${o.limit} is out of range: at least 1`);
      const progress = readProgress(cli, tl, 'diff', tl.replayCost(a + 1) + tl.replayCost(b + 1, a + 1));
      const sa = tl.copyAt(a + 1);
      const sb = tl.at(b + 1);
      progress.stop();
      const changes = diffStates(sa, sb, o.limit + 1);
      tl.log.close();
      const more = changes.length > o.limit;
      const shown = changes.slice(0, o.limit);
      if (o.json) {
        cli.json({ a, b, changes: shown, truncated: more });
        tl.log.requireEnd();
        return;
      }
      if (shown.length === 0) {
        cli.out(`no change between event ${a} and event ${b}\n`);
        tl.log.requireEnd();
        return;
      }
      cli.out(`changes from after event ${a} to after event ${b}:\n${formatChanges(shown)}\n`);
      if (more) cli.out(`… more changes not shown (--limit ${o.limit})\n`);
      tl.log.requireEnd();
    });
}
