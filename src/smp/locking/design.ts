// A locking design: how a CPU's kernel operations take locks around their atomic steps. The
// step machines are generators: each `yield` is a point where the CPU can lose its turn
// (lock acquire and release, between reading and writing a pte, an I/O wait), and the
// kernel reads the state afresh after each. Designs are listed in ./registry.ts.

import type { Kernel } from '../../kernel/kernel.js';
import type { FaultResult } from '../../mm/memory.js';
import type { Device } from '../peek.js';

/** A step machine: yields where the CPU may lose its turn, returns T. */
export type Steps<T = void> = Generator<void, T, void>;

/** What a design's step machines may do on their CPU (src/smp/engine.ts implements it). */
export interface CpuContext {
  readonly k: Kernel;
  readonly cpu: number;
  /** Take `lock`, queueing behind its holder and earlier waiters (lock_wait, then lock_acquire). */
  acquire(lock: number): Steps;
  release(lock: number): Steps;
  /**
   * Release `locks` last first in the step that ends the critical section (then a yield): a
   * page the atomic step freed must not stay locked while another CPU allocates it, as
   * free_pages never frees a locked page.
   */
  releaseAll(locks: readonly number[]): Steps;
  /**
   * Wait for a read from `device` (src/mm/page_io.ts wait_read): this CPU's clock moves on,
   * the others run meanwhile. One disk and one network serve all CPUs, in order.
   */
  sleep(device: Device): Steps;
  /** A point where the CPU may lose its turn without taking or dropping a lock. */
  preempt(): Steps;
  /** Run an atomic kernel step whose read was already waited for by sleep() when `prepaid`. */
  atomic<T>(fn: () => T, prepaid?: boolean): T;
}

export type LifecycleKind = 'spawn' | 'exit' | 'brk' | 'mmap' | 'munmap';

export interface LockingDesign {
  readonly name: string;
  readonly summary: string;
  /** Why this design cannot run with these settings, or null. */
  incompatibility(cfg: { reclaim: string; steal?: boolean }): string | null;
  /** handle_mm_fault for one faulting access. */
  fault(ctx: CpuContext, mm: number, addr: number, write: boolean): Steps<FaultResult>;
  /** fork, exit, brk, mmap or munmap of `mm`: `body` is the kernel operation. */
  lifecycle(ctx: CpuContext, mm: number, kind: LifecycleKind, body: () => void): Steps;
  /** One kswapd operation (`body`: op kswapd and try_to_free_page); returns what the body returned. */
  kswapdPage(ctx: CpuContext, body: () => boolean): Steps<boolean>;
  /** Inside an atomic step on `cpu`: may reclaim take page `pfn` and its ptes (trylock and skip)? */
  reclaimMayTouch(k: Kernel, cpu: number, pfn: number): boolean;
}
