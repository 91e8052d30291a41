// The SMP machine (--cpus N > 1): N CPUs, each a step machine running one task at a time,
// chosen by a seeded scheduler (./sched.ts) one step at a time. A CPU's task is a user step
// of a process from the one run queue (any process no other CPU is running, drawn by the
// workload's weights, as 2.1's schedule() takes from one run queue), or, on CPU 0, kswapd,
// a kernel thread woken by the timer. The kernel operations themselves are the
// 1-CPU code, run as atomic steps between the yields of the locking design
// (./locking/): what interleaves is the operations, at the points where the real kernel
// could lose the CPU. Every scheduling decision that changes the CPU is a `cpu` event and
// every lock change an event, so a log replays without any of this.

import { pte_dirty, pte_present, pte_write, pte_young } from '../arch/i386/page.js';
import { TICK_US } from '../kernel/config.js';
import type { Kernel } from '../kernel/kernel.js';
import { pte_offset, read_pte, type FaultResult } from '../mm/memory.js';
import { kswapd_due } from '../mm/vmscan.js';
import { DEV_DISK, DEV_NFS, wait_read } from '../mm/page_io.js';
import type { SmpState } from '../state.js';
import type { Proc, Workload } from '../workload/generator.js';
import type { Input } from '../workload/inputs.js';
import type { CpuContext, LifecycleKind, LockingDesign, Steps } from './locking/design.js';
import { lockingDesign } from './locking/registry.js';
import { makeScheduler, type SchedSpec, type Scheduler } from './sched.js';

/** The CPU kswapd runs on. */
export const KSWAPD_CPU = 0;

export interface SmpConfig {
  cpus: number;
  sched: SchedSpec;
  locking: string;
  /** The scheduler's seed when it is not the run's (explore); absent otherwise. */
  schedSeed?: string;
}

const LIFECYCLE: Record<Exclude<Input['a'], 'ref' | 'boot'>, LifecycleKind> = {
  spawn: 'spawn',
  exit: 'exit',
  brk: 'brk',
  mmap: 'mmap',
  munmap: 'munmap',
};

export class SmpEngine {
  readonly design: LockingDesign;
  private readonly sched: Scheduler;
  private readonly tasks: (Steps | null)[];
  private readonly ctxs: CpuContext[];
  /** User time each CPU ran since it last emitted a tick. */
  private readonly userUs: number[];
  private kswapdWanted = false;
  private draining = false;
  /** Set when no CPU can run while some wait: the reducer recorded the deadlock. */
  deadlocked = false;
  /** The process each CPU is running a task for (none for kswapd or an idle CPU). */
  private readonly running = new Set<Proc>();
  private readonly runningOn: (Proc | null)[];
  /** When each process's last task ended (µs, its CPU's clock): its next step cannot start earlier. */
  private readonly readyAt = new Map<Proc, number>();
  /** Workload decisions drawn so far (user steps begun): the comparison's measure of equal work. */
  steps = 0;

  constructor(
    private readonly k: Kernel,
    private readonly workload: Workload,
    readonly cfg: SmpConfig,
    seed: string,
  ) {
    this.design = lockingDesign(cfg.locking);
    this.sched = makeScheduler(cfg.sched, cfg.cpus, cfg.schedSeed ?? seed);
    this.tasks = new Array<Steps | null>(cfg.cpus).fill(null);
    this.userUs = new Array<number>(cfg.cpus).fill(0);
    this.runningOn = new Array<Proc | null>(cfg.cpus).fill(null);
    this.ctxs = Array.from({ length: cfg.cpus }, (_, cpu) => this.context(cpu));
    k.reclaimMayTouch = (pfn) => this.design.reclaimMayTouch(k, this.smp.cur, pfn);
  }

  private get smp(): SmpState {
    return this.k.s.smp as SmpState;
  }

  private context(cpu: number): CpuContext {
    const k = this.k;
    const smp = (): SmpState => this.smp;
    return {
      k,
      cpu,
      *acquire(lock) {
        yield; // a CPU can lose its turn at every lock acquire
        const l = smp().locks[lock];
        if (l !== undefined && (l.owner >= 0 || (l.waiters.length > 0 && l.waiters[0] !== cpu))) {
          k.emit({ t: 'lock_wait', lock });
          // the engine resumes this CPU only once the lock is free and it is first in the queue
          yield;
        }
        k.emit({ t: 'lock_acquire', lock });
      },
      *release(lock) {
        k.emit({ t: 'lock_release', lock });
        yield;
      },
      *releaseAll(locks) {
        for (let i = locks.length - 1; i >= 0; i--) k.emit({ t: 'lock_release', lock: locks[i] });
        yield;
      },
      *sleep(device) {
        // the read is queued on its device (behind what is queued there) and the CPU waits for it
        wait_read(k, device === 'nfs' ? DEV_NFS : DEV_DISK);
        yield;
      },
      *preempt() {
        yield;
      },
      atomic<T>(fn: () => T, prepaid = false): T {
        k.ioPrepaid = prepaid;
        try {
          return fn();
        } finally {
          k.ioPrepaid = false;
        }
      },
    };
  }

  /** Can `cpu` take a step now? */
  private runnable(cpu: number): boolean {
    const smp = this.smp;
    const w = smp.waiting[cpu];
    if (w !== 0) {
      const l = smp.locks[w];
      return l !== undefined && l.owner < 0 && l.waiters[0] === cpu;
    }
    if (this.tasks[cpu] !== null) return true;
    if (this.draining) return false;
    return (cpu === KSWAPD_CPU && this.kswapdWanted) || this.workload.hasFree(this.running);
  }

  /** Emit the user time `cpu` has run (it must be the current CPU). */
  private flushUser(cpu: number): void {
    if (this.userUs[cpu] > 0) {
      this.k.emit({ t: 'user_time', us: this.userUs[cpu] });
      this.userUs[cpu] = 0;
    }
  }

  private switchTo(cpu: number): void {
    const cur = this.smp.cur;
    if (cpu === cur) return;
    this.flushUser(cur);
    this.k.emit({ t: 'cpu', cpu });
  }

  /** One scheduler step; false when no CPU can run (all idle while draining, or deadlocked). */
  step(): boolean {
    const runnable: number[] = [];
    for (let c = 0; c < this.cfg.cpus; c++) if (this.runnable(c)) runnable.push(c);
    if (runnable.length === 0) {
      if (this.tasks.some((t) => t !== null)) {
        this.deadlocked = true;
        return false;
      }
      if (this.draining) return false;
      // every process exited: the session starts again, on CPU 0
      this.switchTo(0);
      this.workload.rebootIfEmpty();
      return true;
    }
    const cpu = this.sched.pick(runnable, this.smp.clock);
    this.switchTo(cpu);
    let task = this.tasks[cpu];
    if (task === null) {
      task = cpu === KSWAPD_CPU && this.kswapdWanted ? this.kswapd(this.ctxs[cpu]) : this.userStep(this.ctxs[cpu]);
      this.tasks[cpu] = task;
    }
    if (task.next().done === true) {
      this.tasks[cpu] = null;
      const p = this.runningOn[cpu];
      if (p !== null) {
        this.running.delete(p);
        this.runningOn[cpu] = null;
        if (this.workload.alive(p)) this.readyAt.set(p, this.smp.clock[cpu]);
        else this.readyAt.delete(p);
      }
      this.timer();
    }
    return true;
  }

  /** Let every task in progress finish, starting none, so the run ends between operations with no lock held. */
  drain(): void {
    this.draining = true;
    while (this.step()) {
      /* the tasks run out */
    }
    for (let c = 0; c < this.cfg.cpus; c++) {
      if (this.userUs[c] > 0) {
        this.switchTo(c);
        this.flushUser(c);
      }
    }
  }

  /** The timer interrupt, taken between tasks (kernel/sched.ts): each new jiffy, swap_tick may wake kswapd. */
  private timer(): void {
    const jiffy = Math.floor(this.k.s.time / TICK_US);
    if (jiffy <= this.k.jiffy) return;
    this.k.jiffy = jiffy;
    if (kswapd_due(this.k)) this.kswapdWanted = true;
  }

  /** kswapd: free pages one operation at a time until free memory is back at free_pages_high (as swap_tick's loop). */
  private *kswapd(ctx: CpuContext): Steps {
    this.kswapdWanted = false;
    const wm = this.k.cfg.watermarks;
    let rounds = 0;
    while (this.k.s.nrFree < wm.high && rounds++ < wm.high * 2) {
      const ok = yield* this.design.kswapdPage(ctx, () => {
        this.k.op('kswapd', -1);
        return this.k.reclaim.tryToFreePage(this.k);
      });
      if (!ok) break;
    }
  }

  /** A user step: a process no other CPU is running does what the workload draws for it. */
  private *userStep(ctx: CpuContext): Steps {
    const p = this.workload.pickFree(this.running);
    if (p === null) return;
    this.running.add(p);
    this.runningOn[ctx.cpu] = p;
    this.steps++;
    // a process that last ran on a CPU ahead in time starts when it finished there: this CPU idles until then
    const idle = (this.readyAt.get(p) ?? 0) - this.smp.clock[ctx.cpu];
    if (idle > 0) {
      // idle: neither kernel CPU nor I/O wait (user_time only moves the clock)
      this.flushUser(ctx.cpu);
      this.k.emit({ t: 'user_time', us: idle });
    }
    const i = this.workload.decide(p);
    if (i.a === 'ref') yield* this.reference(ctx, p, i.addr, i.write === 1);
    else if (i.a !== 'boot') yield* this.lifecycle(ctx, p, i);
  }

  private *lifecycle(ctx: CpuContext, p: Proc, i: Input): Steps {
    if (i.a === 'ref' || i.a === 'boot') return;
    this.flushUser(ctx.cpu);
    yield* this.design.lifecycle(ctx, p.mm, LIFECYCLE[i.a], () => this.workload.apply(p, i));
  }

  /** access() as a step machine: the MMU in user mode, a fault through the locking design. */
  private *reference(ctx: CpuContext, p: Proc, addr: number, write: boolean): Steps {
    const k = this.k;
    this.userUs[ctx.cpu] += k.cfg.latencies.accessUs;
    for (let tries = 0; tries < 4; tries++) {
      const pte = pte_offset(k, k.s.mms[p.mm], addr);
      if (pte !== 0) {
        const v = read_pte(k, pte);
        if (pte_present(v) && (!write || pte_write(v))) {
          if (!pte_young(v) || (write && !pte_dirty(v))) k.emit({ t: 'hw_access', pte, write: write ? 1 : 0 });
          return;
        }
      }
      this.flushUser(ctx.cpu);
      const r: FaultResult = yield* this.design.fault(ctx, p.mm, addr, write);
      if (r === 'oom') {
        yield* this.lifecycle(ctx, p, { a: 'exit', pid: p.pid });
        return;
      }
      if (r === 'segv') this.workload.segv(p, addr);
    }
  }
}
