// pte_chain's collapse back to PG_direct (src/rmap/chain-blocks.ts): Andrew Morton's "multiple
// pte pointers per pte_chain" patch against 2.5.31 does it in page_referenced, "only done under
// memory pressure", and no longer in page_remove_rmap. objrmap (2.6.0) does it for anonymous pages.
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { do_exit } from '../../src/kernel/exit.js';
import { do_fork } from '../../src/kernel/fork.js';
import { PG_direct } from '../../src/include/page-flags.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { page_referenced } from '../../src/mm/rmap.js';
import { arenaOf } from '../../src/rmap/arena.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, checkKernel, eventsOf } from '../helpers.js';
import { do_execve } from '../../src/fs/exec.js';

const HEAP = 0x08100000;

/** A page mapped by a parent and its child; the child exits, leaving one pte on a pte_chain. */
function leftAlone(rmap: string) {
  const { k } = bareKernel(rmap);
  const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
  access(k, parent, HEAP, true);
  const child = do_fork(k, parent);
  const pte = pte_offset(k, k.s.mms[parent], HEAP);
  const pfn = pte_pfn(read_pte(k, pte));
  do_exit(k, child);
  return { k, pfn, pte };
}

describe.each(['pte_chain', 'objrmap'])('%s: a one-entry chain collapses to direct in page_referenced (2.5.31 + Morton)', (rmap) => {
  it('page_remove_rmap leaves the last pte on its chain block', () => {
    const { k, pfn } = leftAlone(rmap);
    expect(getPage(k.s, pfn)).toMatchObject({ mapcount: 1 });
    expect(getPage(k.s, pfn).flags & PG_direct).toBe(0);
    expect(arenaOf(k.s).used).toBe(1);
    expect(checkKernel(k)).toEqual([]);
  });

  it('page_referenced then collapses it: page->pte.direct is the pte, the block is freed', () => {
    const { k, pfn, pte } = leftAlone(rmap);
    const ev = eventsOf(k, () => page_referenced(k, pfn));
    expect(ev).toContainEqual({ t: 'rmap_collapse', pfn });
    expect(getPage(k.s, pfn).flags & PG_direct).toBe(PG_direct);
    expect(getPage(k.s, pfn).rmap).toBe(pte);
    expect(arenaOf(k.s).used).toBe(0);
    expect(checkKernel(k)).toEqual([]);
    // a direct page is left alone the next time
    expect(eventsOf(k, () => page_referenced(k, pfn)).filter((e) => e.t === 'rmap_collapse')).toEqual([]);
  });

  it('a chain of two is not collapsed', () => {
    const { k } = bareKernel(rmap);
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    do_fork(k, parent);
    const pfn = pte_pfn(read_pte(k, pte_offset(k, k.s.mms[parent], HEAP)));
    expect(eventsOf(k, () => page_referenced(k, pfn)).filter((e) => e.t === 'rmap_collapse')).toEqual([]);
    expect(arenaOf(k.s).used).toBe(1);
  });
});
