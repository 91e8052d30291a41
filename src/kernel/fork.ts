// fork(): copy_mm duplicates the parent's vmas and page tables (copy_page_range).

import type { Kernel } from './kernel.js';
import { __get_free_pages } from '../mm/page_alloc.js';
import { copy_page_range } from '../mm/memory.js';
import { exit_mmap } from '../mm/mmap.js';

/** Returns the child's mm id, or -1 when memory ran out (the half-built child is torn down). */
export function do_fork(k: Kernel, parent: number): number {
  k.op('fork', parent);
  k.tick(k.cfg.latencies.forkUs);
  const pgd = __get_free_pages(k, 0);
  if (pgd < 0) return -1;
  const child = k.s.nextMm;
  k.emit({ t: 'mm_create', mm: child, pgd, parent });
  for (const vma of [...k.s.mms[parent].vmas]) {
    k.emit({ t: 'vma_add', mm: child, ...vma });
    // dup_mmap: anon_vma_link before the ptes are copied
    k.rmap.hooks?.vmaAdded?.(k, child, vma.start, { mm: parent, start: vma.start });
    if (!copy_page_range(k, child, parent, vma)) {
      exit_mmap(k, child);
      return -1;
    }
  }
  return child;
}
