// do_exit (kernel/exit.c): the process's mm goes (mmput -> exit_mmap, in mm/mmap.ts).

import type { Kernel } from './kernel.js';
import { exit_mmap } from '../mm/mmap.js';

export function do_exit(k: Kernel, mm: number): void {
  k.op('exit', mm);
  exit_mmap(k, mm);
}
