import type { Cli } from './context.js';
import { Command } from 'commander';
import { formatEvent } from '../events.js';
import { checkPage, hex } from '../timetravel/describe.js';
import { history, type Target } from '../timetravel/history.js';
import { engineOption } from './options.js';
import { UsageError } from './usage-error.js';
import type { EngineName } from '../event-store.js';
import { openTimeline, parseNumber, readProgress } from './tt-common.js';

export function historyCommand(cli: Cli): Command {
  return new Command('history')
    .description(
      'every event that touched a page, a pte or an mm, with the kernel path that emitted it (fault, fork, exit, kswapd, …; mmu = a hardware access)',
    )
    .argument('<log>', 'run log (.mmlog)')
    .option('--page <pfn>', 'a page frame', parseNumber('--page'))
    .option('--pte <addr>', 'a pte, by physical address', parseNumber('--pte'))
    .option('--mm <id>', 'an address space', parseNumber('--mm'))
    .option('--from <n>', 'first event index to look at', parseNumber('--from'), 0)
    .option('--to <n>', 'look at events before this index (default: the end)', parseNumber('--to'))
    .option('--json', 'print the events as JSON')
    .addOption(engineOption())
    .action(
      (path: string, o: { page?: number; pte?: number; mm?: number; from: number; to?: number; json?: boolean; engine: EngineName }) => {
        const given = [o.page, o.pte, o.mm].filter((x) => x !== undefined).length;
        if (given !== 1) throw new UsageError('history needs exactly one of --page P, --pte A or --mm M');
        const tl = openTimeline(cli, path, { engine: o.engine });
        const to = o.to ?? tl.events;
        if (o.from >= tl.events) throw new UsageError(`--from ${o.from} is out of range: events are numbered 0..${tl.events - 1}`);
        if (to > tl.events || to <= o.from) throw new UsageError(`--to ${to} is out of range: ${o.from + 1}..${tl.events}`);
        const init = tl.at(0);
        let t: Target;
        if (o.page !== undefined) {
          checkPage(init, o.page);
          t = { page: o.page };
        } else if (o.pte !== undefined) {
          if (o.pte % 4 !== 0 || o.pte >= init.nframes * 4096)
            throw new UsageError(`--pte ${hex(o.pte)} is out of range: a 4-aligned physical address below ${hex(init.nframes * 4096)}`);
          t = { pte: o.pte };
        } else {
          const used = tl.at(tl.events).nextMm - 1;
          if (o.mm! < 1 || o.mm! > used) throw new UsageError(`--mm ${o.mm} is out of range: this run created mms 1..${used}`);
          t = { mm: o.mm! };
        }
        const progress = readProgress(cli, tl, 'history', tl.replayCost(o.from) + (to - o.from));
        const touches = history(tl, t, o.from, to);
        progress.stop();
        tl.log.close();
        if (o.json) {
          cli.json({ target: t, from: o.from, to, events: touches.map((x) => ({ index: x.index, path: x.path, event: x.event })) });
          tl.log.requireEnd();
          return;
        }
        const name = 'page' in t ? `page ${t.page}` : 'pte' in t ? `pte ${hex(t.pte)}` : `mm ${t.mm}`;
        cli.out(`${touches.length} event(s) touched ${name} in events ${o.from}..${to - 1}:\n`);
        for (const x of touches) cli.out(`  ${String(x.index).padStart(9)} [${x.path.padEnd(6)}] ${formatEvent(x.event)}\n`);
        tl.log.requireEnd();
      },
    );
}
