// The 2.1.47 kswapd's page-table walker (mm/vmscan.c before the seed's patch): no reverse
// map. do_try_to_free_page alternates shrink_mmap (mm/filemap.c: a clock over mem_map that
// frees page-cache pages) with swap_out, which walks processes, their vmas and page tables,
// ageing each page once per pte that maps it. Its static variables (skip_factor, the
// do_try_to_free_page state) and the per-process cursors (p->swap_address, p->swap_cnt) are
// the `old` policy's state slice (src/reclaim/old.ts) and change by its events only.
//
// mmsim leaves out what it does not model: shrink_dcache, kmem_cache_reap and shm_swap
// free nothing here, buffer pages do not exist, and dma is always 0.

import { PAGE_SIZE, PGDIR_SHIFT, SWP_ENTRY, pte_dirty, pte_pfn, pte_present, pte_young } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { getPage, VmaKind, type Mm, type State, type Vma } from '../state.js';
import type { DeepReadonly } from '../include/readonly.js';
import { find_vma, pte_offset, read_pte } from './memory.js';
import { free_page } from './page_alloc.js';
import { shrink_mmap } from './filemap.js';
import { PG_dirty, PG_locked, PG_reserved, PG_swap_cache } from '../include/page-flags.js';
import { AGE_CLUSTER_SIZE, age_page, touch_page } from '../include/swapctl.js';
import { get_swap_page } from './swapfile.js';
import { delete_from_swap_cache, swapCache2188 } from './swap_state.js';
import { DEV_DISK, file_dev, finish_swap_write, queue_write, start_swap_write } from './page_io.js';

/** PAGEOUT_WEIGHT: swap_out's task budget is ((PAGEOUT_WEIGHT * nr_tasks) >> 10) >> priority. */
export const PAGEOUT_WEIGHT = 8192;

/** swap_out's counter: the loop runs while counter >= 0, so it visits counter + 1 tasks at most. */
export function swapOutCounter(nrTasks: number, priority: number): number {
  return ((PAGEOUT_WEIGHT * nrTasks) >> 10) >> priority;
}

/** The old kswapd's state: its static variables and the per-process cursors of task_struct. */
export interface OldKswapdSlice {
  /** swap_out's static skip_factor: how far down the task list the next scan starts. */
  skipFactor: number;
  /** do_try_to_free_page's static state: 0 resumes at shrink_mmap, 4 at swap_out. */
  state: number;
  /** mm id -> p->swap_address (where swap_out_process resumes) and p->swap_cnt (visits left). */
  cursors: Record<number, { addr: number; cnt: number }>;
}

export function oldSlice(s: State): OldKswapdSlice;
export function oldSlice(s: DeepReadonly<State>): DeepReadonly<OldKswapdSlice>;
export function oldSlice(s: DeepReadonly<State>): DeepReadonly<OldKswapdSlice> {
  return s.slices.reclaim as OldKswapdSlice;
}
const cursor = (k: Kernel, mm: number): { addr: number; cnt: number } => oldSlice(k.s).cursors[mm] ?? { addr: 0, cnt: 0 };

/** Outcome of try_to_swap_out: nothing happened, a page was freed, or a pte went but its page stays. */
export const enum SwapResult {
  None = 0,
  Freed = 1,
  Unmapped = 2,
}

/**
 * try_to_swap_out for one present pte: a young pte is made old and its page touched; else
 * the page ages and, at age 0, the pte goes (to swap, to the swap cache's entry, or away).
 * `slots` is how many pte slots the walk passed to get here (accounting only).
 */
export function try_to_swap_out(
  k: Kernel,
  mm: DeepReadonly<Mm>,
  vma: DeepReadonly<Vma>,
  addr: number,
  pte: number,
  slots: number,
): SwapResult {
  const v = read_pte(k, pte);
  const pfn = pte_pfn(v);
  const page = getPage(k.s, pfn);
  if ((page.flags & (PG_reserved | PG_locked)) !== 0) return SwapResult.None;
  k.emit({ t: 'swap_scan', mm: mm.id, addr, pfn, slots });
  k.tick(k.cfg.latencies.scanPteUs);
  const rules88 = swapCache2188(k);
  if (pte_dirty(v) && (page.flags & PG_swap_cache) !== 0 && !rules88) {
    // 2.1.47 (vmscan.c:90): a dirtied page's copy on swap is stale. 2.1.88 has no such rule:
    // a swap-cached page is never writable there, so a dirty bit predates the copy.
    delete_from_swap_cache(k, pfn);
    return touch(k, pte, pfn);
  }
  if (pte_young(v)) return touch(k, pte, pfn);
  // --age none: no ages, an unreferenced pte's page goes at once (the clock's rule)
  const age = k.cfg.ageing === true ? age_page(page.age) : 0;
  if (k.cfg.ageing === true && age !== page.age) k.emit({ t: 'page_age', pfn, age });
  if (age > 0) return SwapResult.None;
  if (pte_dirty(v)) {
    if (vma.kind === VmaKind.SharedFile) {
      // vm_ops->swapout (filemap_swapout): write the page to its file, drop the pte
      k.emit({ t: 'pte_unlink', pte, pfn });
      k.emit({ t: 'pte_clear', pte });
      k.emit({ t: 'writepage', pfn });
      queue_write(k, pfn, file_dev(k, page.inode));
      free_page(k, pfn, 0, 1);
      return SwapResult.Freed;
    }
    if (rules88 && (page.count !== 1 || (page.flags & PG_swap_cache) !== 0)) return swap_out_cached(k, pte, pfn);
    if (page.count !== 1) return SwapResult.None;
    const entry = get_swap_page(k);
    if (entry === 0) return SwapResult.None;
    k.emit({ t: 'pte_unlink', pte, pfn });
    k.emit({ t: 'pte_set', pte, val: SWP_ENTRY(entry) });
    k.emit({ t: 'swap_out', pfn, entry, refs: 1 });
    // rw_swap_page(WRITE, entry, page, wait): kswapd's is asynchronous, direct reclaim's waits
    const write = start_swap_write(k, pfn);
    free_page(k, pfn, 0, 1);
    finish_swap_write(k, write);
    return SwapResult.Freed;
  }
  if ((page.flags & PG_swap_cache) !== 0) {
    if (page.count !== 1 && swapCache2188(k)) {
      // 2.1.88 in_swap_cache: this pte takes its own reference to the entry; the page stays, still
      // swap-cached, for its other users (the last one to go frees it)
      const entry = page.swap;
      k.emit({ t: 'swap_dup', entry });
      k.emit({ t: 'pte_unlink', pte, pfn });
      k.emit({ t: 'pte_set', pte, val: SWP_ENTRY(entry) });
      free_page(k, pfn, 0, 1);
      return SwapResult.Unmapped;
    }
    // find_in_swap_cache: the clean page is on swap; the cache's swap reference passes to the pte
    if (page.count !== 1) return SwapResult.None;
    const entry = page.swap;
    k.emit({ t: 'swap_cache_del', pfn });
    k.emit({ t: 'pte_unlink', pte, pfn });
    k.emit({ t: 'pte_set', pte, val: SWP_ENTRY(entry) });
    free_page(k, pfn, 0, 1);
    return SwapResult.Freed;
  }
  // clean: drop the pte; page_unuse drops a page-cache copy nobody else maps
  k.emit({ t: 'pte_unlink', pte, pfn });
  k.emit({ t: 'pte_clear', pte });
  const count = getPage(k.s, pfn).count;
  if (count === 2 && page.inode !== 0) {
    if ((page.flags & PG_dirty) !== 0) {
      k.emit({ t: 'writepage', pfn });
      queue_write(k, pfn, file_dev(k, page.inode));
    }
    k.emit({ t: 'page_cache_del', pfn });
    free_page(k, pfn, 0, 1);
  }
  free_page(k, pfn, 0, 1);
  return getPage(k.s, pfn).count === 0 ? SwapResult.Freed : SwapResult.Unmapped;
}

/**
 * 2.1.88 try_to_swap_out, a dirty anonymous page that is shared or already swap-cached: the
 * pte takes the swap cache's entry (a new one is allocated, written and added to the cache
 * first), and the page stays for its other users, still cached ("we can swap shared pages,
 * and still keep them shared when they are swapped back in"). The last user frees it.
 */
function swap_out_cached(k: Kernel, pte: number, pfn: number): SwapResult {
  const page = getPage(k.s, pfn);
  let entry = page.swap;
  if ((page.flags & PG_swap_cache) === 0) {
    entry = get_swap_page(k);
    if (entry === 0) return SwapResult.None;
    // the write; the slot's uses: this pte's and the swap cache's
    k.emit({ t: 'swap_out', pfn, entry, refs: 2 });
    k.emit({ t: 'swap_cache_add', pfn, entry });
    // the write occupies the disk; the page stays for its other users (src/mm/page_io.ts)
    queue_write(k, pfn, DEV_DISK);
  } else k.emit({ t: 'swap_dup', entry });
  k.emit({ t: 'pte_unlink', pte, pfn });
  k.emit({ t: 'pte_set', pte, val: SWP_ENTRY(entry) });
  free_page(k, pfn, 0, 1);
  return getPage(k.s, pfn).count === 0 ? SwapResult.Freed : SwapResult.Unmapped;
}

function touch(k: Kernel, pte: number, pfn: number): SwapResult {
  const v = read_pte(k, pte);
  if (pte_young(v)) k.emit({ t: 'pte_mkold', pte });
  if (k.cfg.ageing !== true) return SwapResult.None;
  const page = getPage(k.s, pfn);
  const age = touch_page(page.age);
  if (age !== page.age) k.emit({ t: 'page_age', pfn, age });
  return SwapResult.None;
}

/** swap_out_vma: the pte walk over [start, vma end), skipping ranges with no page table. */
/** What swap_out does with each present pte it walks to: 2.1.47's try_to_swap_out, or 2.4.0's (src/mm/vmscan-240.ts). */
export type PteScan = typeof try_to_swap_out;

function swap_out_vma(
  k: Kernel,
  mm: DeepReadonly<Mm>,
  vma: DeepReadonly<Vma>,
  start: number,
  walked: { slots: number },
  scan: PteScan,
): SwapResult {
  for (let addr = start; addr < vma.end; addr += PAGE_SIZE) {
    const pte = pte_offset(k, k.s.mms[mm.id], addr);
    if (pte === 0) {
      // pgd_none: on to the next page directory entry
      addr = (Math.floor(addr / (1 << PGDIR_SHIFT)) + 1) * (1 << PGDIR_SHIFT) - PAGE_SIZE;
      continue;
    }
    walked.slots++;
    // swap_out_pmd's loop: every slot passed costs its read and test, present or not
    k.chargeNs(k.cfg.latencies.ptSlotNs);
    if (!pte_present(read_pte(k, pte))) continue;
    const r = scan(k, k.s.mms[mm.id], vma, addr, pte, walked.slots);
    walked.slots = 0;
    if (r !== SwapResult.None) return r;
  }
  return SwapResult.None;
}

/** swap_out_process: resume at p->swap_address and walk the vmas in order. */
export function swap_out_process(k: Kernel, mmId: number, scan: PteScan = try_to_swap_out): SwapResult {
  const mm = k.s.mms[mmId];
  let addr = cursor(k, mmId).addr;
  let vma = find_vma_from(mm, addr);
  const walked = { slots: 0 };
  while (vma !== undefined) {
    if (addr < vma.start) addr = vma.start;
    const r = swap_out_vma(k, mm, vma, addr, walked, scan);
    if (r !== SwapResult.None) return r;
    vma = next_vma(k.s.mms[mmId], vma);
    if (vma !== undefined) addr = vma.start;
  }
  if (cursor(k, mmId).addr !== 0) k.emit({ t: 'swap_address', mm: mmId, addr: 0 });
  return SwapResult.None;
}

/** find_vma: the first vma ending above addr. */
function find_vma_from(mm: DeepReadonly<Mm>, addr: number): DeepReadonly<Vma> | undefined {
  return find_vma(mm, addr) ?? mm.vmas.find((v) => v.end > addr);
}

function next_vma(mm: DeepReadonly<Mm>, vma: DeepReadonly<Vma>): DeepReadonly<Vma> | undefined {
  const i = mm.vmas.findIndex((v) => v.start === vma.start);
  return i < 0 ? undefined : mm.vmas[i + 1];
}

/** The task list in creation order (mm ids ascend as tasks are created). */
function taskList(k: Kernel): number[] {
  return Object.keys(k.s.mms).map(Number);
}

/**
 * swap_out(priority): from the skip_factor-th task, give up to counter + 1 processes a turn
 * each. A process gets AGE_CLUSTER_SIZE(rss) turns before skip_factor moves past it.
 */
export function swap_out(k: Kernel, priority: number, scan: PteScan = try_to_swap_out): boolean {
  const tasks = taskList(k);
  const nr = tasks.length;
  if (nr === 0) return false;
  let counter = swapOutCounter(nr, priority);
  let skip = oldSlice(k.s).skipFactor;
  const setSkip = (v: number): void => {
    skip = v;
    if (oldSlice(k.s).skipFactor !== v) k.emit({ t: 'swap_skip', skip: v });
  };
  if (skip > nr) setSkip(0);
  let at = skip % nr;
  for (; counter >= 0; counter--) {
    // the next task with pages, at most one lap of the list
    let found = -1;
    for (let i = 0; i < nr; i++) {
      const id = tasks[(at + i) % nr];
      if (k.s.mms[id] !== undefined && k.s.mms[id].rss > 0) {
        found = id;
        break;
      }
    }
    if (found < 0) return false;
    setSkip(skip + 1);
    const mm = k.s.mms[found];
    const had = cursor(k, found).cnt;
    let cnt = had === 0 ? AGE_CLUSTER_SIZE(mm.rss) : had;
    cnt--;
    if (cnt !== had) k.emit({ t: 'swap_cnt', mm: found, cnt });
    if (cnt === 0) setSkip(skip + 1);
    const r = swap_out_process(k, found, scan);
    if (r === SwapResult.Freed) return true;
    if (r === SwapResult.None && k.s.mms[found] !== undefined && cursor(k, found).cnt !== 0) setSkip(skip + 1);
    at = skip % nr;
  }
  return false;
}

/**
 * do_try_to_free_page: priority 6 down to 0, shrink_mmap then swap_out at each, resuming
 * with whichever of the two last made progress (the static `state`).
 */
export function do_try_to_free_page(k: Kernel): boolean {
  const setState = (v: number): void => {
    if (oldSlice(k.s).state !== v) k.emit({ t: 'free_state', state: v });
  };
  let resumeAtSwapOut = oldSlice(k.s).state !== 0;
  for (let priority = 6; priority >= 0; priority--) {
    if (!resumeAtSwapOut) {
      if (shrink_mmap(k, priority)) return true;
      // shrink_dcache, kmem_cache_reap and shm_swap free nothing in mmsim
      setState(4);
    }
    resumeAtSwapOut = false;
    if (swap_out(k, priority)) return true;
    setState(0);
  }
  return false;
}
