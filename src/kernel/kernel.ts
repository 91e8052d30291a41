// The simulated kernel: it reads the machine state, decides, and emits events. It never
// writes the state. Each public method is one kernel operation (begins with an `op` event);
// invariants must hold when it returns.

import type { EventStoreView } from '../event-store.js';
import type { Event, EventCode, EventOf, EventType } from '../events.js';
import { CODE_OF, EVENT_CODE, OP, type OpKind } from '../events.js';
import { codeOf } from '../reducer/index.js';
import type { ReclaimPolicy, RmapDesign } from '../include/design.js';
import type { State } from '../state.js';
import type { DeepReadonly } from '../include/readonly.js';
import { type FileSpec, type KernelConfig, TICK_US } from './config.js';
import { Injector } from '../inject/injector.js';
import { io_complete } from '../mm/page_io.js';

const PTE_LINK = EVENT_CODE.pte_link,
  PTE_UNLINK = EVENT_CODE.pte_unlink,
  PTE_SET = EVENT_CODE.pte_set,
  PTE_CLEAR = EVENT_CODE.pte_clear;

// rmapSteps' walk, in module variables rather than a closure per pte_unlink (the walk is synchronous and never nests)
let walkTarget = 0,
  walkSteps = 0,
  walkFound = 0;
function countStep(p: number): void {
  if (walkFound === 0) walkSteps++;
  if (p === walkTarget) walkFound = walkSteps;
}

export class Kernel {
  readonly rmap: RmapDesign;
  readonly reclaim: ReclaimPolicy;
  readonly files: Map<number, FileSpec>;
  /** CPU time used by user processes since the last tick event. */
  pendingUs = 0;
  /** The jiffy of the last timer interrupt (kernel/sched.ts): swap_tick runs when time passes the next one. */
  jiffy: number;
  /**
   * Kernel CPU charged in ns by the per-step walks (chainStepNs, ptSlotNs, ownerWalkNs,
   * vmaVisitNs) and not yet emitted: whole µs go out with the next tick, the rest carries.
   */
  pendingNs = 0;
  /** Fault injection (record --inject): consulted where a real rmap bug would live. */
  inject: Injector = Injector.none();
  /**
   * SMP only (src/smp/): the step machine already waited for this operation's read (it slept
   * before the atomic step that does the fault), so read_page_sync waits no more. Always false with one CPU.
   */
  ioPrepaid = false;
  /**
   * SMP only: may reclaim, inside an atomic step, take page `pfn` and its ptes now? The
   * locking design's trylock-and-skip (null with one CPU, where nothing else holds a lock).
   */
  reclaimMayTouch: ((pfn: number) => boolean) | null = null;
  /**
   * The machine state, read-only: the event store's own object, which it never replaces
   * (a field, not a getter: the fault path reads it millions of times).
   */
  readonly s: DeepReadonly<State>;

  /** The designs come from the caller (src/run-config.ts asks the registry): the kernel knows none by name. */
  constructor(
    readonly m: EventStoreView,
    readonly cfg: KernelConfig,
    designs: { rmap: RmapDesign; reclaim: ReclaimPolicy },
  ) {
    this.s = m.s;
    this.jiffy = Math.floor(m.s.time / TICK_US);
    this.rmap = designs.rmap;
    this.reclaim = designs.reclaim;
    this.files = new Map(cfg.files.map((f) => [f.inode, f]));
  }

  /**
   * Apply one event. The store, the reducer and the sink switch on the type's code: a hot
   * emitter passes it (CODE_OF.tick; the brand lets it pass only its own event's), any other
   * has it looked up here, once.
   */
  emit(e: Event): void;
  emit<T extends EventType>(e: EventOf<T>, code: EventCode<NoInfer<T>>): void;
  emit(e: Event, code: number = codeOf(e)): void {
    // every reverse-map update passes here: charge the entries it walks (chainStepNs)
    if (code === PTE_UNLINK || code === PTE_LINK) {
      const r = e as EventOf<'pte_link'>;
      this.chargeNs(this.rmapSteps(code === PTE_LINK, r.pte, r.pfn) * this.cfg.latencies.chainStepNs);
    }
    this.m.emit(e, code);
    // flush_tlb_page after set_pte: with several CPUs the reducer says whether others hold the translation
    // (this.s is the store's own state object: one read fewer per event than this.m.s)
    const smp = this.s.smp;
    if (smp !== undefined && (code === PTE_SET || code === PTE_CLEAR) && smp.tlbOwed === (e as EventOf<'pte_set'>).pte)
      this.flushTlbOthers(smp.tlbOwed);
  }

  /** The shootdown IPI (2.1's SMP flush_tlb_page); `no-tlb-shootdown` skips it. */
  private flushTlbOthers(pte: number): void {
    if (this.inject.fire('no-tlb-shootdown')) {
      // injected: the next event leaves the other CPUs with the old translation
      this.inject.note(this.m.events);
      return;
    }
    this.emit({ t: 'tlb_shootdown', pte }, CODE_OF.tlb_shootdown);
  }

  /**
   * Entries a pte_link / pte_unlink walks. A design that keeps a list per page (the seed's
   * chain, Hemment's pools, 2.5's pte_chains) links at the head (one entry) and unlinks by
   * walking from the head to the pte (its position + 1). objrmap and anon_vma keep no per-pte
   * entry (a map count), and `none` keeps nothing.
   */
  private rmapSteps(link: boolean, pte: number, pfn: number): number {
    const d = this.rmap;
    if (!d.caps.tracksPtes) return 0;
    if (link || d.walkCost !== undefined) return 1;
    // the design counts its own walk when it can (pte-chain: no callback, and no link read at the head)
    if (d.unlinkSteps !== undefined) return d.unlinkSteps(this.s, pte, pfn);
    walkTarget = pte;
    walkSteps = 0;
    walkFound = 0;
    d.forEach(this.s, pfn, countStep);
    // a pte not on the map (a kernel bug the checker reports) cost a walk of the whole map
    return walkFound > 0 ? walkFound : walkSteps;
  }

  /** Begin a kernel operation; user time accumulated so far is accounted first. */
  op(kind: OpKind, mm: number, addr = 0): void {
    this.flushTime();
    this.emit({ t: 'op', kind: OP[kind], mm, addr }, CODE_OF.op);
    // the completion interrupts that came due since the last operation
    const f = this.s.io.inflight;
    if (f.length > 0 && f[1] <= this.s.time) io_complete(this);
  }

  /** Charge simulated time to the current operation (with any whole µs the walks have run up). */
  tick(us: number): void {
    const total = us + this.takeWholeUs();
    if (total > 0) this.emit({ t: 'tick', us: total }, CODE_OF.tick);
  }

  /** Charge kernel CPU in ns to the current operation; it goes out with the next tick. */
  chargeNs(ns: number): void {
    this.pendingNs += ns;
  }

  private takeWholeUs(): number {
    if (this.pendingNs < 1000) return 0;
    const us = Math.floor(this.pendingNs / 1000);
    this.pendingNs -= us * 1000;
    return us;
  }

  /** Emit the kernel CPU the walks ran up (to the operation in progress), then the user time since the last flush. */
  flushTime(): void {
    const kernel = this.takeWholeUs();
    if (kernel > 0) this.emit({ t: 'tick', us: kernel }, CODE_OF.tick);
    if (this.pendingUs > 0) {
      const us = this.pendingUs;
      this.pendingUs = 0;
      this.emit({ t: 'user_time', us }, CODE_OF.user_time);
    }
  }
}
