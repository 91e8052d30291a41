// execve(): the old mm goes (exit_mmap), a new one is built with the program's vmas.
// Nothing is faulted in: pages arrive on demand. The process keeps its task struct; one
// started from nothing (init's fork of a boot process) is given one first.

import type { Kernel } from '../kernel/kernel.js';
import { __get_free_pages } from '../mm/page_alloc.js';
import { exit_mmap } from '../mm/mmap.js';
import type { Vma } from '../state.js';
import { alloc_task_struct, free_task_struct, set_task_struct } from '../kernel/fork.js';

/** Returns the new mm id, or -1 when memory ran out. `old` is -1 for a process started from nothing. */
export function do_execve(k: Kernel, old: number, vmas: readonly Vma[]): number {
  k.op('exec', old);
  let task: number | undefined;
  if (old >= 0) {
    task = k.s.mms[old].task;
    exit_mmap(k, old);
  } else {
    task = alloc_task_struct(k);
    if (task < 0) return -1;
  }
  const pgd = __get_free_pages(k, 0);
  if (pgd < 0) {
    // the old image is gone and there is no new one: the process dies for want of memory
    if (old >= 0) k.op('oom', old);
    if (k.cfg.strict === undefined) free_task_struct(k, task);
    return -1;
  }
  const mm = k.s.nextMm;
  k.emit({ t: 'mm_create', mm, pgd, parent: old });
  if (task !== undefined) set_task_struct(k, mm, task);
  for (const v of vmas) {
    k.emit({ t: 'vma_add', mm, ...v });
    k.rmap.hooks?.vmaAdded?.(k, mm, v.start);
  }
  return mm;
}
