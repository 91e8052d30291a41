// Policy old: the 2.1.47 kswapd the seed replaced (kernel code: shrink_mmap in
// src/mm/filemap.ts, swap_out and do_try_to_free_page in src/mm/swap_out.ts). No reverse map:
// it walks each process's page tables, ageing a page once per pte that maps it. This module
// is its state (the static variables of mm/vmscan.c and the per-process cursors of
// task_struct) and the events that change it.

import type { ReclaimPolicy } from '../include/design.js';
import { PAGE_SIZE } from '../arch/i386/page.js';
import { do_try_to_free_page, type OldKswapdSlice, oldSlice } from '../mm/swap_out.js';
import type { State } from '../state.js';

function cursor(s: State, mm: number): { addr: number; cnt: number } {
  if (s.mms[mm] === undefined) throw new RangeError(`the old kswapd's cursor for unknown mm ${mm}`);
  const c = oldSlice(s).cursors;
  if (c[mm] === undefined) c[mm] = { addr: 0, cnt: 0 };
  return c[mm];
}

export const oldPolicy: ReclaimPolicy = {
  kind: 'reclaim',
  name: 'old',
  summary: 'the 2.1.47 kswapd: shrink_mmap + swap_out walking page tables, ageing per pte',
  // measured: about 9x the clock's events for the same workload steps (docs/architecture.md, Comparison)
  caps: { needsRmap: false, relativeCost: 9, age: '2.1.47' },
  initialSlice: (): OldKswapdSlice => ({ skipFactor: 0, state: 0, cursors: {} }),
  owns: ['swap_skip', 'swap_cnt', 'swap_address', 'swap_scan', 'free_state'],
  handlers: {
    swap_skip(s, e) {
      oldSlice(s).skipFactor = e.skip;
    },
    swap_cnt(s, e) {
      cursor(s, e.mm).cnt = e.cnt;
    },
    swap_address(s, e) {
      cursor(s, e.mm).addr = e.addr;
    },
    swap_scan(s, e) {
      cursor(s, e.mm).addr = e.addr + PAGE_SIZE;
      s.stats.ptesVisited++;
      s.stats.pteSlots += e.slots;
    },
    free_state(s, e) {
      oldSlice(s).state = e.state;
    },
    // the task's cursors go with it
    mm_destroy(s, e) {
      delete oldSlice(s).cursors[e.mm];
    },
  },
  tryToFreePage: do_try_to_free_page,
};
