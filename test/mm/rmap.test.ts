// page_referenced (src/mm/rmap.ts; named after 2.5's mm/rmap.c): one walk of the page's reverse
// map tests and clears the accessed bit of every pte, and reports dirtiness. The same answer
// under every design that tracks ptes.
import { describe, expect, it } from 'vitest';
import { pte_pfn, pte_young } from '../../src/arch/i386/page.js';
import { PG_dirty, PG_referenced } from '../../src/include/page-flags.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { do_execve } from '../../src/fs/exec.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { page_referenced, page_referenced_into, PR_DIRTY, PR_REFERENCED, type PteBuffer } from '../../src/mm/rmap.js';
import { anonVma, bareKernel, LIB, sharedPage, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);

describe('page_referenced', () => {
  for (const rmap of ['pte-chain', 'pte-pool', 'pte_chain']) {
    it(`${rmap}: finds all 3 ptes of a shared page, makes each young one old (one pte_mkold per young pte), and says referenced`, () => {
      const { k, mms } = sharedPage(rmap, 3);
      const ptes = mms.map((mm) => pteOf(k, mm, LIB));
      const pfn = pte_pfn(read_pte(k, ptes[0]));
      k.emit({ t: 'pte_mkold', pte: ptes[1] }); // one of them already old
      let r = page_referenced(k, pfn);
      const ev = eventsOf(k, () => {
        r = page_referenced(k, pfn);
      });
      expect(ev).toEqual([]); // the first call already cleared every bit
      expect([...r.ptes].sort()).toEqual([...ptes].sort());
      expect(r.referenced).toBe(true); // PG_referenced from page_cache_add is still set: the caller clears it
      k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
      expect(page_referenced(k, pfn).referenced).toBe(false);
      for (const pte of ptes) expect(pte_young(read_pte(k, pte))).toBe(false);
    });
  }

  it('emits exactly one pte_mkold per young pte', () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const ptes = mms.map((mm) => pteOf(k, mm, LIB));
    k.emit({ t: 'pte_mkold', pte: ptes[2] });
    const pfn = pte_pfn(read_pte(k, ptes[0]));
    const ev = eventsOf(k, () => page_referenced(k, pfn));
    expect(ev.map((e) => (e.t === 'pte_mkold' ? e.pte : -1)).sort()).toEqual([ptes[0], ptes[1]].sort());
  });

  it('dirty if any pte is dirty or the page has PG_dirty; a clean shared COW page is not dirty until written', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    do_fork(k, parent);
    const pfn = pte_pfn(read_pte(k, pteOf(k, parent, HEAP)));
    expect(page_referenced(k, pfn).dirty).toBe(true); // the parent's pte is dirty from its write
    const { k: k2, mms } = sharedPage('pte-chain', 2);
    const lib = pte_pfn(read_pte(k2, pteOf(k2, mms[0], LIB)));
    expect(page_referenced(k2, lib).dirty).toBe(false);
    k2.emit({ t: 'page_flags', pfn: lib, set: PG_dirty, clear: 0 });
    expect(page_referenced(k2, lib).dirty).toBe(true);
  });

  it('into a reused buffer (the clock keeps one): the first n entries are the walk, stale ones beyond are ignored, the answer the same bits', () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const ptes = mms.map((mm) => pteOf(k, mm, LIB));
    const pfn = pte_pfn(read_pte(k, ptes[0]));
    const buf: PteBuffer = { ptes: [7, 7, 7, 7, 7], n: 5 };
    const r = page_referenced_into(k, pfn, buf);
    expect(buf.n).toBe(3);
    expect(buf.ptes.slice(0, 3).sort()).toEqual([...ptes].sort());
    expect(r).toBe(PR_REFERENCED); // young ptes and PG_referenced; nothing dirty
    k.emit({ t: 'page_flags', pfn, set: PG_dirty, clear: PG_referenced });
    const again = page_referenced(k, pfn);
    expect(page_referenced_into(k, pfn, buf)).toBe(PR_DIRTY);
    expect({ referenced: again.referenced, dirty: again.dirty }).toEqual({ referenced: false, dirty: true });
    expect(buf.ptes.slice(0, buf.n)).toEqual(again.ptes);
  });
});
