import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { do_execve } from '../../src/fs/exec.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { rmapDesign } from '../../src/designs/registry.js';
import { getPage } from '../../src/state.js';
import { LIB, libVma, sharedPage, checkKernel } from '../helpers.js';

// Hand-built case: n processes each map one library page; each process has exactly one
// page table (the library's 4 MB slot), so n page tables exist.
function overhead(rmap: string, n: number): { bytes: number; mapcount: number; blocks: number } {
  const { k, mms } = sharedPage(rmap, n);
  expect(checkKernel(k)).toEqual([]);
  expect(Object.keys(k.s.pts)).toHaveLength(n);
  const pfn = pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mms[0]], LIB)));
  const blocks = rmapDesign(rmap).slab?.inUse(k.s) ?? 0;
  return { bytes: rmapDesign(rmap).overhead(k.s).bytes, mapcount: getPage(k.s, pfn).mapcount, blocks };
}

describe('rmap memory overhead, counted as each kernel allocates it', () => {
  it('pte-chain: one 4096-byte link page per page table', () => {
    // 3 page tables, each an order-1 block whose second page is the link page: 3 * 4096
    expect(overhead('pte-chain', 3)).toEqual({ bytes: 12288, mapcount: 3, blocks: 0 });
    expect(overhead('pte-chain', 1).bytes).toBe(4096);
  });
  it('pte-pool: 16-byte pool blocks {next; pte[3]}, from a slab page taken from mem_map (256 blocks a page)', () => {
    // 3 mappings fit one block; 1 mapping still needs a block; 4 need two; 8 need ceil(8/3) = 3: all on one slab page
    expect(overhead('pte-pool', 3)).toEqual({ bytes: 4096, mapcount: 3, blocks: 1 });
    expect(overhead('pte-pool', 1)).toMatchObject({ bytes: 4096, blocks: 1 });
    expect(overhead('pte-pool', 4)).toMatchObject({ bytes: 4096, blocks: 2 });
    expect(overhead('pte-pool', 8)).toMatchObject({ bytes: 4096, blocks: 3 });
  });
  it('pte_chain: a single mapping is direct (no block); then 32-byte blocks of NRPTE = 7 from a slab page (128 a page)', () => {
    // 1 mapping: page->pte.direct, no block (the fault still made room for one: the slab has its page);
    // 2..7 mappings: one block; 8: two blocks
    expect(overhead('pte_chain', 1)).toEqual({ bytes: 4096, mapcount: 1, blocks: 0 });
    expect(overhead('pte_chain', 3)).toEqual({ bytes: 4096, mapcount: 3, blocks: 1 });
    expect(overhead('pte_chain', 7).blocks).toBe(1);
    expect(overhead('pte_chain', 8)).toMatchObject({ bytes: 4096, blocks: 2 });
  });
  it('none: nothing, and nothing recorded', () => {
    expect(overhead('none', 3)).toEqual({ bytes: 0, mapcount: 0, blocks: 0 });
  });
  it('page tables are order 1 only for pte-chain', () => {
    for (const [rmap, order] of [
      ['pte-chain', 1],
      ['pte-pool', 0],
      ['pte_chain', 0],
      ['none', 0],
    ] as const) {
      const { k } = sharedPage(rmap, 2);
      const before = k.s.nrFree;
      expect(rmapDesign(rmap).caps.ptOrder).toBe(order);
      // a third process costs its task struct (2 pages), its pgd, its page table (1 << order pages); the page is shared
      sharedPageInto(k);
      expect(before - k.s.nrFree).toBe(2 + 1 + (1 << order));
    }
  });
});

function sharedPageInto(k: Kernel): void {
  const mm = do_execve(k, -1, [libVma(4)]);
  expect(access(k, mm, LIB, false)).toBe('ok');
}
