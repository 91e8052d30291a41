// Who touched a page, a pte or an mm, and when: every event that names it or changes
// what can be seen of it, found by replaying the log once with the direct engine.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { pte_table_pfn, readPte } from '../arch/i386/pgtable.js';
import { rmapOf } from '../reducer/designs.js';
import { OP_KINDS, type Event } from '../events.js';
import { getPage, type State } from '../state.js';
import type { Timeline } from './timeline.js';

export type Target = { page: number } | { pte: number } | { mm: number };

export interface Touch {
  index: number;
  path: string;
  event: Event;
}

function pageView(s: State, pfn: number): string {
  const p = getPage(s, pfn);
  return `${p.count}/${p.mapcount}/${p.rmap}/${p.flags}/${p.inode}/${p.swap}/${p.order}`;
}

function names(s: State, e: Event, t: Target): boolean {
  const r = e as unknown as Record<string, number>;
  if ('page' in t) {
    const P = t.page;
    if ((e.t === 'page_alloc' || e.t === 'page_free') && P >= e.pfn && P < e.pfn + (1 << e.order)) return true;
    if ((e.t === 'pt_alloc' || e.t === 'pt_free') && (P === e.pfn || P === e.pfn + 1)) return true;
    if (r.pfn === P || (e.t === 'mm_create' && e.pgd === P)) return true;
    if (e.t === 'pte_set' && pte_present(e.val) && pte_pfn(e.val) === P) return true;
    if ('pte' in r) {
      const v = readPte(s, r.pte);
      return pte_present(v) && pte_pfn(v) === P;
    }
    return false;
  }
  if ('pte' in t) {
    if (r.pte === t.pte) return true;
    return (e.t === 'pt_alloc' || e.t === 'pt_free') && e.pfn === pte_table_pfn(t.pte);
  }
  if (r.mm === t.mm) return true;
  if ('pte' in r) return s.pts[pte_table_pfn(r.pte)]?.mm === t.mm;
  return false;
}

/** Events in [from, to) touching the target. */
export function history(tl: Timeline, t: Target, from = 0, to = tl.events): Touch[] {
  const out: Touch[] = [];
  // the timeline's engine applies the events: a copy it may mutate (direct) or Immer's states
  let s = tl.engine === 'direct' ? tl.copyAt(from) : tl.at(from);
  let kind = 'boot';
  for (let j = from - 1; j >= 0; j--) {
    const e = tl.event(j);
    if (e.t === 'op') {
      kind = OP_KINDS[e.kind];
      break;
    }
  }
  const view = (): string => ('page' in t ? pageView(s, t.page) : 'pte' in t ? `${readPte(s, t.pte)}/${rmapOf(s).slotLink(s, t.pte)}` : '');
  for (const [i, e] of tl.range(from, to)) {
    if (e.t === 'op') kind = OP_KINDS[e.kind] ?? String(e.kind);
    const named = names(s, e, t);
    const before = view();
    s = tl.step(s, e, i);
    if (named || before !== view()) out.push({ index: i, path: e.t === 'hw_access' ? 'mmu' : kind, event: e });
  }
  return out;
}
