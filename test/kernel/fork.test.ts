// do_fork (src/kernel/fork.ts, 2.1.47 kernel/fork.c: copy_mm -> dup_mmap -> copy_page_range):
// what a child gets, and that a fork that runs out of memory half way leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { __get_free_pages, free_page, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, LIB, libVma, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mm], addr)));

describe('do_fork', () => {
  it('the child gets a new pgd, a copy of every vma, and shares every present page (count and map count + 1)', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [libVma(2), anonVma(HEAP, 2)]);
    access(k, parent, LIB, false);
    access(k, parent, HEAP, true);
    const lib = pfnOf(k, parent, LIB);
    const heap = pfnOf(k, parent, HEAP);
    const child = do_fork(k, parent);
    expect(child).toBeGreaterThan(parent);
    const mm = k.s.mms[child];
    expect(mm.parent).toBe(parent);
    expect(mm.pgd).not.toBe(k.s.mms[parent].pgd);
    expect(mm.vmas).toEqual(k.s.mms[parent].vmas);
    expect(pfnOf(k, child, LIB)).toBe(lib);
    expect(pfnOf(k, child, HEAP)).toBe(heap);
    expect(getPage(k.s, lib)).toMatchObject({ count: 3, mapcount: 2 });
    expect(getPage(k.s, heap)).toMatchObject({ count: 2, mapcount: 2 });
    expect(mm.rss).toBe(2);
    expect(k.s.stats.forks).toBe(1);
    expect(checkState(k.s)).toEqual([]);
  });

  it('out of memory for the pgd: returns -1 and creates no mm', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    while (k.s.nrFree > 0) __get_free_pages(k, 0, GFP_ATOMIC);
    const mms = Object.keys(k.s.mms);
    expect(do_fork(k, parent)).toBe(-1);
    expect(Object.keys(k.s.mms)).toEqual(mms);
  });

  it('out of memory for a page table half way: the half-built child is torn down and every count is as before', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const heap = pfnOf(k, parent, HEAP);
    k.emit({ t: 'get_page', pfn: heap }); // pinned: the clock cannot free it to make room
    // one free frame: enough for the child's pgd, not for its order-1 page table
    const taken: number[] = [];
    while (k.s.nrFree > 1) taken.push(__get_free_pages(k, 0, GFP_ATOMIC));
    const next = k.s.nextMm;
    expect(do_fork(k, parent)).toBe(-1);
    expect(k.s.mms[next]).toBeUndefined();
    expect(getPage(k.s, heap)).toMatchObject({ count: 2, mapcount: 1 });
    expect(k.s.nrFree).toBe(1);
    // hand back what the test itself took: then the machine is consistent
    for (const pfn of [...taken, heap]) free_page(k, pfn);
    expect(checkState(k.s)).toEqual([]);
  });

  // 2.1.47 kernel/fork.c with asm-i386/processor.h:171-172 (alloc_task_struct; kernel-2.1-facts.md, "Buddy"):
  // every fork takes an order-1 block for the task struct and kernel stack, freed at exit, so on a
  // fragmented machine fork can fail for want of two adjacent free pages. mmsim's fork takes the pgd only.
  it.fails('a fork allocates an order-1 block for the task struct (alloc_task_struct)', () => {
    const { k } = bareKernel('pte_chain'); // order-0 page tables: only the task struct asks for order 1
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const ev = eventsOf(k, () => do_fork(k, parent));
    expect(ev.filter((e) => e.t === 'page_alloc' && e.order === 1)).toHaveLength(1);
  });
});
