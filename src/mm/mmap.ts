// mmap, munmap and brk (mm/mmap.c). munmap leaves the page tables in place, as 2.1 did.

import type { Kernel } from '../kernel/kernel.js';
import type { Vma } from '../state.js';
import { zap_page_range } from './memory.js';

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
