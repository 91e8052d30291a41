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

  // 2.1.47 kernel/fork.c do_fork: `p = alloc_task_struct(); if (!p) goto bad_fork;` with
  // include/asm-i386/processor.h: alloc_task_struct() is __get_free_pages(GFP_KERNEL, 1, 0), the task
  // struct and kernel stack together; bad_fork_free frees it when a later step fails (-ENOMEM).
  it('a fork allocates an order-1 block for the task struct (do_fork -> alloc_task_struct)', () => {
    const { k } = bareKernel('pte_chain'); // order-0 page tables: only the task struct asks for order 1
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const ev = eventsOf(k, () => do_fork(k, parent));
    const order1 = ev.filter((e) => e.t === 'page_alloc' && e.order === 1);
    expect(order1).toHaveLength(1);
    const child = k.s.nextMm - 1;
    expect(k.s.mms[child].task).toBe((order1[0] as { pfn: number }).pfn);
    expect(checkState(k.s)).toEqual([]);
  });

  it('no two adjacent free pages: the fork is refused (-ENOMEM from alloc_task_struct), counted, and nothing is left of the child', () => {
    const { k } = bareKernel('pte_chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const all: number[] = [];
    while (k.s.nrFree > 0) all.push(__get_free_pages(k, 0, GFP_ATOMIC));
    for (const pfn of all) if (pfn % 2 === 0) free_page(k, pfn); // every other page free: plenty above min_free_pages, no order-1 block
    expect(k.s.nrFree).toBeGreaterThan(k.cfg.watermarks.min);
    const mms = Object.keys(k.s.mms);
    const ev = eventsOf(k, () => expect(do_fork(k, parent)).toBe(-1));
    expect(ev.filter((e) => e.t === 'clock_advance')).toEqual([]); // 2.1.47: no reclaim for a missing order
    expect(Object.keys(k.s.mms)).toEqual(mms);
    expect(k.s.stats).toMatchObject({ forksRefused: 1, allocFailures: [0, 1, 0, 0, 0, 0] });
  });

  it('a fork refused after the task struct was taken gives it back (bad_fork_free -> free_task_struct)', () => {
    const { k } = bareKernel('pte_chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    // one free order-1 block and four lone pages: the task struct fits, then free memory is at
    // min_free_pages (4 on tiny), try_to_free_page finds nothing to free, and the pgd fails
    const all: number[] = [];
    while (k.s.nrFree > 0) all.push(__get_free_pages(k, 0, GFP_ATOMIC));
    const evens = all.filter((pfn) => pfn % 2 === 0);
    const give = [evens[0], evens[0] + 1, ...evens.slice(1, 5)];
    for (const pfn of give) free_page(k, pfn);
    const taken = all.filter((pfn) => !give.includes(pfn));
    expect(k.s.freeArea.map((a) => a.nr)).toEqual([4, 1, 0, 0, 0, 0]);
    const ev = eventsOf(k, () => expect(do_fork(k, parent)).toBe(-1));
    const task = ev.find((e) => e.t === 'page_alloc' && e.order === 1) as { pfn: number };
    expect(ev).toContainEqual({ t: 'page_free', pfn: task.pfn, order: 1, reclaim: 0 });
    expect(k.s.nrFree).toBe(6);
    expect(k.s.stats).toMatchObject({ forksRefused: 1, allocFailures: [1, 0, 0, 0, 0, 0] });
    for (const pfn of taken) free_page(k, pfn);
    expect(checkState(k.s)).toEqual([]);
  });
});
