// do_exit (kernel/exit.c): the process's mm goes (mmput -> exit_mmap, in mm/mmap.ts), then
// its task struct and kernel stack (release -> free_task_struct). In 2.1.47 release runs when
// the parent reaps the zombie; mmsim's processes are reaped at once (docs/model.md).

import type { Kernel } from './kernel.js';
import { exit_mmap } from '../mm/mmap.js';
import { free_task_struct } from './fork.js';

export function do_exit(k: Kernel, mm: number): void {
  k.op('exit', mm);
  const task = k.s.mms[mm].task;
  exit_mmap(k, mm);
  free_task_struct(k, task);
}
