// --locking fine: the SMP-friendly fault handler, as 2.4 and 2.5 locked it. The lock order
// (src/include/locks.ts; a CPU blocks on a lock only when it holds none that ranks later):
//
//   mm->mmap_sem  →  mm->page_table_lock  →  the page lock (PG_locked)  →  the pagemap lock
//
// - a fault takes its mm's mmap_sem (2.2 do_page_fault: down(&mm->mmap_sem)) and
//   page_table_lock, reads the pte, and for a read drops page_table_lock while it sleeps;
//   then it locks the page whose chain it edits (copy-on-write source, page-cache page) and,
//   when it touches the page cache or swap map, the pagemap lock;
// - fork, exit, munmap and brk take the mm's mmap_sem and page_table_lock, then lock every
//   page the mm maps in ascending pfn order (their chains are edited), then the pagemap lock;
// - kswapd takes the pagemap lock, and for each page it reaches (holding, in effect, the
//   page) it would need the page_table_lock of every mm that maps it: the classic inversion
//   (page → page_table_lock against a fault's page_table_lock → page). It never blocks
//   there: it trylocks, and skips a page that another CPU has locked or whose mapping mms'
//   page tables another CPU holds (as 2.4's try_to_swap_out does with
//   spin_trylock(&mm->page_table_lock), and 2.5's page_referenced with its trylocks).

import { mmapSem, PAGEMAP_LOCK, pageLock, pageTableLock } from '../../include/locks.js';
import { RECLAIM_POLICIES } from '../../designs/registry.js';
import { pte_table_pfn } from '../../arch/i386/pgtable.js';
import type { Kernel } from '../../kernel/kernel.js';
import { handle_mm_fault } from '../../mm/memory.js';
import { mappedPages, planFault } from '../peek.js';
import type { CpuContext, LockingDesign, Steps } from './design.js';

function* takeAll(ctx: CpuContext, locks: readonly number[], held: number[]): Steps {
  for (const l of locks) {
    yield* ctx.acquire(l);
    held.push(l);
  }
}

export const fineLocking: LockingDesign = {
  name: 'fine',
  summary: 'per-mm mmap_sem and page_table_lock, a per-page lock for I/O and chains, a pagemap lock; kswapd trylocks and skips',
  incompatibility(cfg) {
    if (RECLAIM_POLICIES.get(cfg.reclaim)?.caps.trylocks !== true) {
      const scans = [...RECLAIM_POLICIES.values()].filter((p) => p.caps.trylocks === true).map((p) => p.name);
      return `--locking fine is modelled for --reclaim ${scans.join(', ')} only (its trylock-and-skip lives in that scan), not ${cfg.reclaim}; use --locking bkl`;
    }
    if (cfg.steal === true) return '--locking fine cannot run with --steal (moving a page relinks ptes of mms it holds no lock for)';
    return null;
  },
  *fault(ctx, mm, addr, write) {
    const held: number[] = [];
    yield* takeAll(ctx, [mmapSem(mm), pageTableLock(mm)], held);
    let plan = planFault(ctx.k, mm, addr, write);
    const slept = plan.readUs > 0;
    if (slept) {
      // the read sleeps: page_table_lock is a spinlock and is dropped; mmap_sem is kept
      yield* ctx.release(held.pop() as number);
      yield* ctx.sleep(plan.device);
      yield* takeAll(ctx, [pageTableLock(mm)], held);
      const again = planFault(ctx.k, mm, addr, write);
      plan = { ...again, pagemap: again.pagemap || plan.pagemap };
    }
    const inject = ctx.k.inject;
    let skipped = false;
    let inverted = false;
    if (plan.page >= 0 && inject.fire('lock-order')) {
      inverted = true;
      // injected: the page lock first, then page_table_lock again (the reducer records the order broken)
      yield* ctx.release(held.pop() as number);
      yield* takeAll(ctx, [pageLock(plan.page)], held);
      yield* takeAll(ctx, [pageTableLock(mm)], held);
      inject.note(ctx.k.m.events - 1);
    } else if (plan.page >= 0) {
      // injected: the chain is edited without the page's lock
      skipped = inject.fire('fault-no-page-lock');
      if (!skipped) yield* takeAll(ctx, [pageLock(plan.page)], held);
    }
    if (plan.pagemap) yield* takeAll(ctx, [PAGEMAP_LOCK], held);
    // While this CPU queued for those locks another may have put the page in the page cache
    // (a read-ahead) or the swap cache. Read again now: under the pagemap lock nobody else can
    // add one; if the fault will edit another page's chain than the one locked, drop the page
    // and pagemap locks and take them for that page (the order forbids taking a page lock
    // while holding pagemap).
    for (;;) {
      const now = planFault(ctx.k, mm, addr, write);
      if (skipped || inverted || now.page < 0 || held.includes(pageLock(now.page))) break;
      const extra = held.splice(2);
      yield* ctx.releaseAll(extra);
      plan = { ...now, pagemap: now.pagemap || plan.pagemap };
      yield* takeAll(ctx, [pageLock(plan.page), ...(plan.pagemap ? [PAGEMAP_LOCK] : [])], held);
    }
    // the pte was read; the fault writes it in its next step
    yield* ctx.preempt();
    if (skipped) inject.note(ctx.k.m.events);
    const r = ctx.atomic(() => handle_mm_fault(ctx.k, mm, addr, write), slept);
    yield* ctx.releaseAll(held);
    return r;
  },
  *lifecycle(ctx, mm, kind, body) {
    const held: number[] = [];
    yield* takeAll(ctx, [mmapSem(mm), pageTableLock(mm)], held);
    if (kind !== 'mmap') {
      const m = ctx.k.s.mms[mm];
      const pages = m === undefined ? [] : mappedPages(ctx.k, m);
      yield* takeAll(ctx, [...pages.map(pageLock), PAGEMAP_LOCK], held);
    }
    yield* ctx.preempt();
    ctx.atomic(body);
    yield* ctx.releaseAll(held);
  },
  *kswapdPage(ctx, body) {
    yield* ctx.acquire(PAGEMAP_LOCK);
    const ok = ctx.atomic(body);
    yield* ctx.release(PAGEMAP_LOCK);
    return ok;
  },
  reclaimMayTouch(k: Kernel, cpu: number, pfn: number): boolean {
    const smp = k.s.smp;
    if (smp === undefined) return true;
    const busy = (lock: number): boolean => {
      const o = smp.locks[lock]?.owner ?? -1;
      return o >= 0 && o !== cpu;
    };
    let ok = !busy(pageLock(pfn));
    k.rmap.forEach(k.s, pfn, (pte) => {
      const mm = k.s.pts[pte_table_pfn(pte)]?.mm;
      if (ok && mm !== undefined && busy(pageTableLock(mm))) ok = false;
    });
    if (!ok && k.inject.fire('kswapd-no-trylock')) {
      // injected: kswapd goes on as if its trylocks had succeeded
      k.inject.note(k.m.events);
      return true;
    }
    return ok;
  },
};
