// --locking bkl: 2.1.47's SMP kernel. One big kernel lock (lock_kernel in
// arch/i386/kernel/traps.c's do_page_fault path, kernel/fork.c, kernel/exit.c, mm/mmap.c) is
// held across the whole fault, kswapd's work and fork/exit/mmap; a page-in drops it while it
// sleeps (schedule() releases the kernel lock, as 2.1's scheduler did) and takes it again.

import { BKL } from '../../include/locks.js';
import { handle_mm_fault } from '../../mm/memory.js';
import { planFault } from '../peek.js';
import type { LockingDesign } from './design.js';

export const bklLocking: LockingDesign = {
  name: 'bkl',
  summary: '2.1.47: the big kernel lock around every fault, kswapd run, fork, exit and mmap; dropped while a page-in sleeps',
  incompatibility: () => null,
  *fault(ctx, mm, addr, write) {
    yield* ctx.acquire(BKL);
    const plan = planFault(ctx.k, mm, addr, write);
    if (plan.readUs > 0) {
      // the read is queued and the process sleeps: schedule() drops the kernel lock
      yield* ctx.release(BKL);
      yield* ctx.sleep(plan.device);
      yield* ctx.acquire(BKL);
    }
    // the pte was read; the fault writes it in its next step
    yield* ctx.preempt();
    const r = ctx.atomic(() => handle_mm_fault(ctx.k, mm, addr, write), plan.readUs > 0);
    yield* ctx.release(BKL);
    return r;
  },
  *lifecycle(ctx, _mm, _kind, body) {
    yield* ctx.acquire(BKL);
    yield* ctx.preempt();
    ctx.atomic(body);
    yield* ctx.release(BKL);
  },
  *kswapdPage(ctx, body) {
    yield* ctx.acquire(BKL);
    const ok = ctx.atomic(body);
    yield* ctx.release(BKL);
    return ok;
  },
  // whoever reclaims holds the BKL, and nobody else holds anything
  reclaimMayTouch: () => true,
};
