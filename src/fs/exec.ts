// execve(): the old mm goes (exit_mmap), a new one is built with the program's vmas.
// Nothing is faulted in: pages arrive on demand.

import type { Kernel } from '../kernel/kernel.js';
import { __get_free_pages } from '../mm/page_alloc.js';
import { exit_mmap } from '../mm/mmap.js';
import type { Vma } from '../state.js';

/** Returns the new mm id, or -1 when no pgd could be allocated. `old` is -1 for a process started from nothing. */
export function do_execve(k: Kernel, old: number, vmas: readonly Vma[]): number {
  k.op('exec', old);
  if (old >= 0) exit_mmap(k, old);
  const pgd = __get_free_pages(k, 0);
  if (pgd < 0) return -1;
  const mm = k.s.nextMm;
  k.emit({ t: 'mm_create', mm, pgd, parent: old });
  for (const v of vmas) {
    k.emit({ t: 'vma_add', mm, ...v });
    k.rmap.hooks?.vmaAdded?.(k, mm, v.start);
  }
  return mm;
}
