// rmap_reserve (src/mm/rmap-slab.ts): a reverse map's slab cache takes whole pages from the
// buddy allocator, as 2.5's pte_chain_alloc(GFP_KERNEL) and 2.6's anon_vma_prepare allocate
// from slab caches whose pages come from mem_map.
import { describe, expect, it } from 'vitest';
import { PG_pgtable, PG_Slab } from '../../src/include/page-flags.js';
import { rmap_reserve } from '../../src/mm/rmap-slab.js';
import { slabPages } from '../../src/rmap/arena.js';
import { getPage } from '../../src/state.js';
import { bareKernel, checkKernel, eventsOf, simulation } from '../helpers.js';

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
