// do_mmap / do_munmap / do_brk (src/mm/mmap.ts, 2.1.47 mm/mmap.c). munmap zaps the range and
// drops the vma but leaves the page tables in place, as 2.1 did.
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { do_execve } from '../../src/fs/exec.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { do_brk, do_mmap, do_munmap } from '../../src/mm/mmap.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, LIB, libVma } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));

describe('do_mmap', () => {
  it('adds the vma, kept sorted by start address; nothing is faulted in', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
    do_mmap(k, mm, libVma(2));
    do_mmap(k, mm, anonVma(0x1000000, 1));
    expect(k.s.mms[mm].vmas.map((v) => v.start)).toEqual([0x1000000, HEAP, LIB]);
    expect(k.s.mms[mm].rss).toBe(0);
    expect(Object.keys(k.s.mms[mm].pgdir)).toEqual([]);
  });
});

describe('do_munmap', () => {
  it('zaps the vma (its pages freed, the page-cache page kept) and removes it; the page table stays', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2), libVma(1)]);
    access(k, mm, HEAP, true);
    access(k, mm, LIB, false);
    const heap = pfnOf(k, mm, HEAP);
    const lib = pfnOf(k, mm, LIB);
    const tables = { ...k.s.mms[mm].pgdir };
    expect(do_munmap(k, mm, HEAP)).toBe(true);
    expect(do_munmap(k, mm, LIB)).toBe(true);
    expect(k.s.mms[mm].vmas).toEqual([]);
    expect(getPage(k.s, heap).count).toBe(0);
    expect(getPage(k.s, lib)).toMatchObject({ count: 1, mapcount: 0, inode: 1 });
    expect(k.s.mms[mm].pgdir).toEqual(tables);
    expect(read_pte(k, pteOf(k, mm, HEAP))).toBe(0);
    expect(k.s.mms[mm].rss).toBe(0);
    expect(checkState(k.s)).toEqual([]);
  });

  it('returns false for an address where no vma starts, and changes nothing', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
    expect(do_munmap(k, mm, HEAP + 4096)).toBe(false);
    expect(k.s.mms[mm].vmas).toHaveLength(1);
  });
});

describe('do_brk (sys_brk)', () => {
  it('shrinking zaps exactly the pages past the new end', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
    for (let i = 0; i < 4; i++) access(k, mm, HEAP + i * 4096, true);
    const pfns = [0, 1, 2, 3].map((i) => pfnOf(k, mm, HEAP + i * 4096));
    expect(do_brk(k, mm, HEAP, HEAP + 2 * 4096)).toBe(true);
    expect(k.s.mms[mm].vmas[0]).toMatchObject({ start: HEAP, end: HEAP + 2 * 4096 });
    expect(pfns.map((p) => getPage(k.s, p).count)).toEqual([1, 1, 0, 0]);
    expect(k.s.mms[mm].rss).toBe(2);
  });

  it('growing moves the end and faults nothing in; a new end at or below the start is refused', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    expect(do_brk(k, mm, HEAP, HEAP + 8 * 4096)).toBe(true);
    expect(k.s.mms[mm].vmas[0].end).toBe(HEAP + 8 * 4096);
    expect(k.s.mms[mm].rss).toBe(1);
    expect(do_brk(k, mm, HEAP, HEAP)).toBe(false);
    expect(do_brk(k, mm, HEAP + 4096, HEAP + 9 * 4096)).toBe(false);
    expect(k.s.mms[mm].vmas[0].end).toBe(HEAP + 8 * 4096);
  });
});
