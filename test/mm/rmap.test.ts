// page_referenced (src/mm/rmap.ts; named after 2.5's mm/rmap.c): one walk of the page's reverse
// map tests and clears the accessed bit of every pte, and reports dirtiness. The same answer
// under every design that tracks ptes.
import { describe, expect, it } from 'vitest';
import { pte_pfn, pte_young } from '../../src/arch/i386/page.js';
import { PG_dirty, PG_pgtable, PG_referenced, PG_Slab } from '../../src/include/page-flags.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { do_execve } from '../../src/fs/exec.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { page_referenced, rmap_reserve } from '../../src/mm/rmap.js';
import { slabPages } from '../../src/rmap/arena.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, checkKernel, LIB, sharedPage, eventsOf, simulation } from '../helpers.js';

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
});

describe('rmap_reserve: a reverse map slab takes its pages from mem_map (buddy allocator)', () => {
  it('pte-pool: the first reserve takes one page (PG_Slab, kernel memory); 256 16-byte blocks fit it; the 257th needs a second', () => {
    const { k } = bareKernel('pte-pool');
    const free = k.s.nrFree;
    const ev = eventsOf(k, () => rmap_reserve(k));
    const grow = ev.filter((e) => e.t === 'rmap_slab_grow');
    expect(grow).toHaveLength(1);
    const pfn = (grow[0] as { pfn: number }).pfn;
    expect(ev).toContainEqual({ t: 'page_alloc', pfn, order: 0, from: expect.any(Number) });
    expect(k.s.nrFree).toBe(free - 1);
    expect(getPage(k.s, pfn).flags & (PG_Slab | PG_pgtable)).toBe(PG_Slab | PG_pgtable);
    expect(getPage(k.s, pfn).count).toBe(1);
    rmap_reserve(k, 256);
    expect(slabPages(k.s)).toBe(1);
    rmap_reserve(k, 257);
    expect(slabPages(k.s)).toBe(2);
    expect(k.rmap.overhead(k.s)).toEqual({ bytes: 8192, frames: 2 });
    expect(checkKernel(k)).toEqual([]);
  });

  it('pte-chain (link pages) and none keep no slab: nothing is taken', () => {
    for (const rmap of ['pte-chain', 'none']) {
      const { k } = bareKernel(rmap);
      expect(eventsOf(k, () => rmap_reserve(k))).toEqual([]);
    }
  });

  it.each(['pte-pool', 'pte_chain', 'objrmap', 'anon_vma'])(
    '%s on forky: the slab always has room for the objects in use (the kernel reserves before it links)',
    (rmap) => {
      const sim = simulation('forky', '2', { rmap });
      const d = sim.kernel.rmap;
      const perPage = Math.floor(4096 / (d.slab?.objectBytes ?? 1));
      let worst = 0;
      sim.machine.sink = () => {
        worst = Math.max(worst, (d.slab?.inUse(sim.machine.s) ?? 0) - slabPages(sim.machine.s) * perPage);
      };
      sim.run(60000);
      expect(slabPages(sim.machine.s)).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(0);
    },
  );
});
