// exit_mmap (do_exit -> mmput): zap every vma, free the page tables and the pgd.

import type { Kernel } from './kernel.js';
import { free_page } from '../mm/page_alloc.js';
import { zap_page_range } from '../mm/memory.js';

export function do_exit(k: Kernel, mm: number): void {
  k.op('exit', mm);
  exit_mmap(k, mm);
}

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
