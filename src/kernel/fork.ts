// fork(): do_fork (kernel/fork.c, 2.1.47) takes the task struct and kernel stack first
// (alloc_task_struct: one order-1 block, include/asm-i386/processor.h), then copy_mm
// duplicates the parent's vmas and page tables (copy_page_range). Out of memory anywhere,
// it undoes what it built (bad_fork_free: free_task_struct) and returns -ENOMEM.

import type { Kernel } from './kernel.js';
import { __get_free_pages, free_page } from '../mm/page_alloc.js';
import { copy_page_range } from '../mm/memory.js';
import { exit_mmap } from '../mm/mmap.js';
import { PG_task } from '../include/page-flags.js';

/** alloc_task_struct: the order-1 block for a new process, or -1. Strict mode models no task structs (trace replay sizes its kernel pool for page tables only): 0. */
export function alloc_task_struct(k: Kernel): number {
  if (k.cfg.strict !== undefined) return 0;
  return __get_free_pages(k, 1);
}

/** The mm `mm` takes the task struct at `task` (fork and a process started from nothing; exec passes it on). */
export function set_task_struct(k: Kernel, mm: number, task: number): void {
  if (k.cfg.strict === undefined) k.emit({ t: 'task_struct', mm, pfn: task });
}

/** free_task_struct: the order-1 block goes back to the buddy lists (release, when the process is reaped). */
export function free_task_struct(k: Kernel, task: number | undefined): void {
  if (task === undefined) return;
  k.emit({ t: 'page_flags', pfn: task, set: 0, clear: PG_task });
  k.emit({ t: 'page_flags', pfn: task + 1, set: 0, clear: PG_task });
  free_page(k, task, 1);
}

/** Returns the child's mm id, or -1 when memory ran out (the fork is refused and nothing of the child is left). */
export function do_fork(k: Kernel, parent: number): number {
  k.op('fork', parent);
  k.tick(k.cfg.latencies.forkUs);
  const task = alloc_task_struct(k);
  if (task < 0) return refuse(k, parent, undefined);
  const pgd = __get_free_pages(k, 0);
  if (pgd < 0) return refuse(k, parent, task);
  const child = k.s.nextMm;
  k.emit({ t: 'mm_create', mm: child, pgd, parent });
  set_task_struct(k, child, task);
  for (const vma of [...k.s.mms[parent].vmas]) {
    k.emit({ t: 'vma_add', mm: child, ...vma });
    // dup_mmap: anon_vma_link before the ptes are copied
    k.rmap.hooks?.vmaAdded?.(k, child, vma.start, { mm: parent, start: vma.start });
    if (!copy_page_range(k, child, parent, vma)) {
      exit_mmap(k, child);
      return refuse(k, parent, task);
    }
  }
  return child;
}

/** bad_fork_free: give back the task struct (if one was taken) and count the refusal. */
function refuse(k: Kernel, parent: number, task: number | undefined): number {
  if (k.cfg.strict === undefined) free_task_struct(k, task);
  k.emit({ t: 'fork_refused', parent });
  return -1;
}
