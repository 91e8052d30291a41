// mmap, munmap, brk and exit_mmap (mm/mmap.c). munmap leaves the page tables in place, as 2.1 did.

import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from '../state.js';
import { zap_page_range } from './memory.js';
import { free_page } from './page_alloc.js';

export function do_mmap(k: Kernel, mm: number, vma: Vma): void {
  k.op('mmap', mm, vma.start);
  k.emit({ t: 'vma_add', mm, ...vma });
  k.rmap.hooks?.vmaAdded?.(k, mm, vma.start);
}

export function do_munmap(k: Kernel, mm: number, start: number): boolean {
  k.op('munmap', mm, start);
  const vma = k.s.mms[mm].vmas.find((v) => v.start === start);
  if (vma === undefined) return false;
  zap_page_range(k, mm, vma, vma.start, vma.end);
  k.rmap.hooks?.vmaRemoved?.(k, mm, start);
  k.emit({ t: 'vma_remove', mm, start });
  return true;
}

/** sys_brk: move the end of the heap vma that starts at `start`. */
export function do_brk(k: Kernel, mm: number, start: number, newEnd: number): boolean {
  k.op('brk', mm, newEnd);
  const vma = k.s.mms[mm].vmas.find((v) => v.start === start);
  if (vma === undefined || newEnd <= vma.start) return false;
  const copy = { ...vma };
  if (newEnd < copy.end) zap_page_range(k, mm, copy, newEnd, copy.end);
  k.emit({ t: 'vma_remove', mm, start });
  k.emit({ t: 'vma_add', mm, ...copy, end: newEnd });
  // the same vma, resized (2.6's vma_adjust): a design that tracks vmas keeps what it had
  k.rmap.hooks?.vmaAdded?.(k, mm, start);
  return true;
}

/** exit_mmap (do_exit and execve -> mmput): zap every vma, free the page tables and the pgd. */
export function exit_mmap(k: Kernel, mmId: number): void {
  free_live_table_bug(k, mmId);
  for (const vma of [...k.s.mms[mmId].vmas]) {
    zap_page_range(k, mmId, vma, vma.start, vma.end);
    k.rmap.hooks?.vmaRemoved?.(k, mmId, vma.start);
    k.emit({ t: 'vma_remove', mm: mmId, start: vma.start });
  }
  const mm = k.s.mms[mmId];
  for (const idx of Object.keys(mm.pgdir)) {
    const pfn = mm.pgdir[Number(idx)];
    k.emit({ t: 'pt_free', pfn });
    free_page(k, pfn, k.rmap.caps.ptOrder);
  }
  const pgd = k.s.mms[mmId].pgd;
  k.emit({ t: 'mm_destroy', mm: mmId });
  free_page(k, pgd);
}

/** pt-free-live (injected): free a page table that still holds linked ptes, before zapping. */
function free_live_table_bug(k: Kernel, mmId: number): void {
  if (!k.inject.enabled('pt-free-live')) return;
  const mm = k.s.mms[mmId];
  for (const idx of Object.keys(mm.pgdir)) {
    const pt = k.s.pts[mm.pgdir[Number(idx)]];
    if (pt === undefined || !pt.pte.some((c) => c.some((v) => (v & 1) !== 0))) continue;
    if (!k.inject.fire('pt-free-live')) return;
    k.inject.note(k.m.events);
    k.emit({ t: 'pt_free', pfn: pt.pfn });
    free_page(k, pt.pfn, 1);
    return;
  }
}
