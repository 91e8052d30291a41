// The SMP part of the reducer (--cpus N > 1): which CPU the events belong to, each CPU's
// clock, the locks and their wait queues, and the locking rules seen broken. Locks change
// only through lock_wait, lock_acquire and lock_release events, so a replay (or seek, or
// bisect) rebuilds them without the scheduler. The rules are recorded here, where the events
// pass, because they are about who held what when an edit happened; src/check/smp-rules.ts
// reports what was recorded.

import { pte_table_pfn } from '../arch/i386/pgtable.js';
import { BKL, inOrder, LOCK_KINDS, lockKindOf, lockRank, mmapSem, pageLock, pageTableLock } from '../include/locks.js';
import { owedBefore } from './tlb.js';
import { SMP_VIOLATIONS_KEPT, type LockState, type LockStats, type SmpState, type State } from '../state.js';

export class SmpReducerError extends Error {}

const emptyLockStats = (): LockStats => ({ acquires: 0, contended: 0, waitUs: 0, holdUs: 0 });

/** The SMP part of a booted machine with `ncpus` CPUs, all idle on CPU 0's turn. */
export function initialSmp(ncpus: number, locking: string, sched: string): SmpState {
  return {
    ncpus,
    locking,
    sched,
    cur: 0,
    clock: new Array<number>(ncpus).fill(0),
    opKind: new Array<number>(ncpus).fill(0),
    locks: {},
    held: Array.from({ length: ncpus }, () => []),
    waiting: new Array<number>(ncpus).fill(0),
    waitSince: new Array<number>(ncpus).fill(0),
    lockStats: LOCK_KINDS.map(emptyLockStats),
    switches: 0,
    tlb: Array.from({ length: ncpus }, () => ({})),
    tlbOwed: 0,
    violations: [],
    nviolations: 0,
  };
}

const eventIndex = (s: State): number => s.stats.events - 1;

function violate(s: State, smp: SmpState, rule: string, lock: number, other: number, subject: number): void {
  smp.nviolations++;
  if (smp.violations.length < SMP_VIOLATIONS_KEPT) smp.violations.push({ rule, event: eventIndex(s), cpu: smp.cur, other, lock, subject });
}

function lockOf(smp: SmpState, lock: number): LockState {
  let l = smp.locks[lock];
  if (l === undefined) {
    if (lockKindOf(lock) === undefined) throw new SmpReducerError(`lock ${lock} is not a lock (src/include/locks.ts)`);
    l = { owner: -1, since: 0, waiters: [], freedAt: 0 };
    smp.locks[lock] = l;
  }
  return l;
}

const statsOf = (smp: SmpState, lock: number): LockStats => smp.lockStats[lockRank(lock) - 1];

/** The CPU that `cpu` waits for, through the lock it waits on; -1 when it waits for nothing. */
const waitsFor = (smp: SmpState, cpu: number): number => (smp.waiting[cpu] === 0 ? -1 : (smp.locks[smp.waiting[cpu]]?.owner ?? -1));

/** The scheduler switches CPUs: the machine's time (what the kernel reads as now) becomes that CPU's clock. */
export function applyCpu(s: State, smp: SmpState, cpu: number): void {
  if (!(Number.isInteger(cpu) && cpu >= 0 && cpu < smp.ncpus)) throw new SmpReducerError(`cpu ${cpu} is not a CPU (0..${smp.ncpus - 1})`);
  if (cpu !== smp.cur) smp.switches++;
  smp.cur = cpu;
  s.time = smp.clock[cpu];
}

export function applyLockWait(s: State, smp: SmpState, lock: number): void {
  const c = smp.cur;
  const l = lockOf(smp, lock);
  if (l.owner === c) throw new SmpReducerError(`cpu ${c} waits for ${lock}, which it holds`);
  if (l.owner < 0 && l.waiters.length === 0) throw new SmpReducerError(`cpu ${c} waits for ${lock}, which is free with nobody queued`);
  if (smp.waiting[c] !== 0) throw new SmpReducerError(`cpu ${c} waits for two locks`);
  l.waiters.push(c);
  smp.waiting[c] = lock;
  smp.waitSince[c] = eventIndex(s);
  // a cycle of CPUs each waiting for a lock the next one holds: none can ever run again
  let o = l.owner;
  for (let hops = 0; o >= 0 && hops < smp.ncpus; hops++) {
    if (o === c) {
      violate(s, smp, 'smp-deadlock', lock, l.owner, lock);
      return;
    }
    o = waitsFor(smp, o);
  }
}

export function applyLockAcquire(s: State, smp: SmpState, lock: number): void {
  const c = smp.cur;
  const l = lockOf(smp, lock);
  if (l.owner >= 0) throw new SmpReducerError(`cpu ${c} takes ${lock}, which cpu ${l.owner} holds`);
  const queued = smp.waiting[c] === lock;
  if (!queued && l.waiters.length > 0) throw new SmpReducerError(`cpu ${c} takes ${lock} ahead of its waiters`);
  if (queued) {
    if (l.waiters[0] !== c) throw new SmpReducerError(`cpu ${c} takes ${lock} ahead of cpu ${l.waiters[0]}`);
    l.waiters.shift();
    smp.waiting[c] = 0;
  }
  for (const h of smp.held[c]) {
    if (!inOrder(h, lock)) {
      violate(s, smp, 'smp-lock-order', lock, -1, h);
      break;
    }
  }
  const st = statsOf(smp, lock);
  st.acquires++;
  if (queued) st.contended++;
  if (l.freedAt > smp.clock[c]) {
    // the lock was in use until then (in this CPU's time): it waited
    st.waitUs += l.freedAt - smp.clock[c];
    smp.clock[c] = l.freedAt;
    s.time = smp.clock[c];
  }
  l.owner = c;
  l.since = smp.clock[c];
  smp.held[c].push(lock);
}

export function applyLockRelease(smp: SmpState, lock: number): void {
  const c = smp.cur;
  const l = smp.locks[lock];
  if (l === undefined || l.owner !== c) throw new SmpReducerError(`cpu ${c} releases ${lock}, which it does not hold`);
  statsOf(smp, lock).holdUs += smp.clock[c] - l.since;
  l.owner = -1;
  l.freedAt = smp.clock[c];
  const h = smp.held[c];
  h.splice(h.lastIndexOf(lock), 1);
}

/** Time passing with several CPUs (tick, io_wait, user_time): the current CPU's clock, which State.time follows. Returns the CPU's operation kind. */
export function applySmpTick(s: State, smp: SmpState, us: number): number {
  smp.clock[smp.cur] += us;
  s.time = smp.clock[smp.cur];
  return smp.opKind[smp.cur];
}

/** The simulated time of a run: with several CPUs, the latest CPU clock (State.time is the current CPU's). */
export const elapsedUs = (s: { time: number; smp?: { clock: readonly number[] } }): number =>
  s.smp === undefined ? s.time : Math.max(s.time, ...s.smp.clock);

/** An mm's locks go with it (a later mm never reuses its id). */
export function forgetMm(smp: SmpState, mm: number): void {
  for (const lock of [mmapSem(mm), pageTableLock(mm)]) {
    const l = smp.locks[lock];
    if (l !== undefined && l.owner < 0 && l.waiters.length === 0) delete smp.locks[lock];
  }
}

/** Some other CPU holds `lock`: its owner, else -1. */
function foreignOwner(smp: SmpState, lock: number): number {
  const o = smp.locks[lock]?.owner ?? -1;
  return o >= 0 && o !== smp.cur ? o : -1;
}

/** pte_set/pte_clear/pte_mkold: a pte changed while another CPU holds its page table's lock (or the BKL). */
export function checkPteEdit(s: State, smp: SmpState, pte: number): void {
  const mm = s.pts[pte_table_pfn(pte)]?.mm;
  for (const lock of mm !== undefined ? [pageTableLock(mm), BKL] : [BKL]) {
    const o = foreignOwner(smp, lock);
    if (o >= 0) {
      violate(s, smp, 'smp-pte-race', lock, o, pte);
      return;
    }
  }
}

/** pte_link/pte_unlink: a page's chain edited while another CPU holds the page (or the BKL) in its critical section. */
export function checkChainEdit(s: State, smp: SmpState, pfn: number): void {
  for (const lock of [pageLock(pfn), BKL]) {
    const o = foreignOwner(smp, lock);
    if (o >= 0) {
      violate(s, smp, 'smp-chain-race', lock, o, pfn);
      return;
    }
  }
}

/** Before each event: a TLB shootdown owed by the last pte change must be this event (src/reducer/tlb.ts). */
export function checkShootdownOwed(s: State, smp: SmpState, isShootdown: boolean): void {
  const owed = smp.tlbOwed ?? 0;
  const stale = owedBefore(smp, isShootdown);
  if (stale >= 0) violate(s, smp, 'smp-stale-tlb', 0, stale, owed);
}
