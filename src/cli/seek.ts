import type { Cli } from './context.js';
import { Command } from 'commander';
import { rmapOf } from '../reducer/designs.js';
import { checkPte, formatMm, formatPage, formatPte, formatSummary, mmInfo, pageInfo, pteInfo, summary } from '../timetravel/describe.js';

import { formatEvent } from '../events.js';
import { pathOf } from '../timetravel/ops.js';
import { openTimeline, parseNumber, readProgress } from './tt-common.js';
import { engineOption } from './options.js';
import type { EngineName } from '../event-store.js';

export function seekCommand(cli: Cli): Command {
  return new Command('seek')
    .description('show the machine after event N: memory, clock hand; a page and its pte chain, an mm, or one pte')
    .argument('<log>', 'run log (.mmlog)')
    .argument('<n>', 'event index (0-based); the state shown is after that event', parseNumber('N'))
    .option('--page <pfn>', 'a page frame: its state and its pte chain walked link by link', parseNumber('--page'))
    .option('--mm <id>', 'a process address space: its vmas and page tables', parseNumber('--mm'))
    .option('--pte <addr>', 'one pte (its physical address, e.g. 0x1a2b4) and its link', parseNumber('--pte'))
    .option('--json', 'print the result as JSON')
    .addOption(engineOption())
    .action((path: string, n: number, o: { page?: number; mm?: number; pte?: number; json?: boolean; engine: EngineName }) => {
      const tl = openTimeline(cli, path, { engine: o.engine });
      tl.checkEvent(n);
      const progress = readProgress(cli, tl, 'seek', tl.replayCost(n + 1));
      const t0 = performance.now();
      const s = tl.at(n + 1);
      const ms = performance.now() - t0;
      progress.stop();
      const ev = tl.event(n);
      const out: Record<string, unknown> = { event: n, what: ev, path: pathOf(tl, n), summary: summary(s) };
      if (o.page !== undefined) out.page = pageInfo(s, o.page);
      if (o.mm !== undefined) out.mm = mmInfo(s, o.mm);
      if (o.pte !== undefined) {
        checkPte(s, o.pte);
        const p = pteInfo(s, o.pte);
        out.pte = { ...p, onChain: p.maps !== null && rmapOf(s).entries(s, p.maps).ptes.includes(o.pte) };
      }
      tl.log.close();
      if (o.json) {
        cli.json({ ...out, seekMs: Math.round(ms * 10) / 10 });
        tl.log.requireEnd();
        return;
      }
      const lines = [
        `after event ${n} of ${tl.events} [${pathOf(tl, n)}] ${formatEvent(ev)}`,
        formatSummary(out.summary as ReturnType<typeof summary>),
      ];
      if (out.page) lines.push(formatPage(out.page as ReturnType<typeof pageInfo>));
      if (out.mm) lines.push(formatMm(out.mm as ReturnType<typeof mmInfo>));
      if (out.pte) {
        const p = out.pte as ReturnType<typeof pteInfo> & { onChain: boolean };
        lines.push(formatPte(p));
        if (p.maps !== null) lines.push(`  ${p.onChain ? 'on' : 'NOT on'} page ${p.maps}'s chain`);
      }
      cli.out(lines.join('\n') + '\n');
      tl.log.requireEnd();
    });
}
