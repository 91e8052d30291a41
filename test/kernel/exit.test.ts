// do_exit / exit_mmap (src/kernel/exit.ts; 2.1.47 kernel/exit.c -> mm/mmap.c exit_mmap): every
// vma zapped, every page table and the pgd freed; pages shared with others or the page cache stay.
import { describe, expect, it } from 'vitest';
import { SWP_OFFSET, pte_pfn } from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_exit } from '../../src/kernel/exit.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { reclaim_page } from '../../src/mm/vmscan.js';
import { swapCount } from '../../src/reducer/index.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, LIB, libVma, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));

describe('do_exit (exit_mmap)', () => {
  it('a lone process: anonymous pages, swap slots, page tables and pgd all return; page-cache pages stay cached', () => {
    const { k } = bareKernel('pte-chain');
    const boot = k.s.nrFree;
    const mm = do_execve(k, -1, [libVma(2), anonVma(HEAP, 3)]);
    access(k, mm, LIB, false);
    access(k, mm, HEAP, true);
    access(k, mm, HEAP + 4096, true);
    expect(reclaim_page(k, pfnOf(k, mm, HEAP + 4096))).toBe(true);
    const entry = SWP_OFFSET(read_pte(k, pteOf(k, mm, HEAP + 4096)));
    const lib = pfnOf(k, mm, LIB);
    const tables = Object.values(k.s.mms[mm].pgdir);
    const pgd = k.s.mms[mm].pgd;
    const task = k.s.mms[mm].task as number;
    expect(tables).toHaveLength(2); // LIB and HEAP lie in different 4 MB regions
    const ev = eventsOf(k, () => do_exit(k, mm));
    expect(k.s.mms[mm]).toBeUndefined();
    expect(ev.filter((e) => e.t === 'pt_free').map((e) => (e.t === 'pt_free' ? e.pfn : -1))).toEqual(tables);
    // pte-chain page tables are order-1 blocks: freed as such
    expect(ev.filter((e) => e.t === 'page_free' && tables.includes(e.pfn)).map((e) => (e.t === 'page_free' ? e.order : -1))).toEqual([
      1, 1,
    ]);
    expect(ev).toContainEqual({ t: 'page_free', pfn: pgd, order: 0, reclaim: 0 });
    // release -> free_task_struct: the order-1 task struct and kernel stack go last
    expect(ev.at(-1)).toEqual({ t: 'page_free', pfn: task, order: 1, reclaim: 0 });
    expect(swapCount(k.s, entry)).toBe(0);
    expect(getPage(k.s, lib)).toMatchObject({ count: 1, mapcount: 0, inode: 1 });
    // only page-cache pages are still in use: the library page and the page read ahead after it (filemap_nopage)
    expect(k.s.nrFree).toBe(boot - 2);
    expect(k.s.stats.exits).toBe(1);
    expect(checkState(k.s)).toEqual([]);
  });

  it('a page shared with a forked child loses one reference and one mapping; the child keeps it mapped', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const pfn = pfnOf(k, parent, HEAP);
    const child = do_fork(k, parent);
    do_exit(k, parent);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, mapcount: 1 });
    expect(pfnOf(k, child, HEAP)).toBe(pfn);
    expect(checkState(k.s)).toEqual([]);
  });

  it('every pte is unlinked before its page table is freed (no pt_free while the rmap still points into it)', () => {
    const { k } = bareKernel('pte-chain');
    const parent = do_execve(k, -1, [anonVma(HEAP, 2)]);
    access(k, parent, HEAP, true);
    access(k, parent, HEAP + 4096, true);
    do_fork(k, parent);
    const ev = eventsOf(k, () => do_exit(k, parent));
    const types = ev.map((e) => e.t);
    expect(types.filter((t) => t === 'pte_unlink')).toHaveLength(2);
    expect(types.lastIndexOf('pte_unlink')).toBeLessThan(types.indexOf('pt_free'));
  });
});
