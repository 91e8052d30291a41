// Strict demand paging: one process of the full model (page tables, reverse map, page
// cache, events) whose address space is one shared, writable file mapping, so that every
// page referenced occupies exactly one user frame whether it is read or written (an
// anonymous read would map the zero page; a private write would copy). Eviction of a
// written page is a write-back. The kernel runs with a strict allocation path
// (mm/page_alloc.ts): exactly `frames` user frames, no watermarks, no kswapd.

import { DEFAULT_RECLAIM, DEFAULT_RMAP, rmapDesign } from '../designs/registry.js';
import { PAGE_OFFSET, PAGE_SIZE, pte_dirty, pte_pfn, pte_present, pte_young } from '../arch/i386/page.js';
import { DEFAULT_LATENCIES, type KernelConfig, type StrictConfig } from '../kernel/config.js';
import { Kernel } from '../kernel/kernel.js';
import { do_execve } from '../fs/exec.js';
import { COMMIT_EVERY, EventStore, type EngineName, type EventSink } from '../event-store.js';
import { CODE_OF, EVENT_CODE, type Event, type EventOf } from '../events.js';
import { boot } from '../mm/boot.js';
import { access, pte_offset, read_pte } from '../mm/memory.js';
import { strict_next_user_frame } from '../mm/page_alloc.js';
import { makeStrictPolicy, STRICT_POLICIES, type StrictPolicy, type StrictPolicyName } from '../reclaim/strict.js';
import { VM_EXEC, VM_READ, VM_WRITE, VmaKind, type State } from '../state.js';
import { TraceError } from './errors.js';
import { thousands } from '../lib/thousands.js';
import { FreeUserFrames } from './free-frames.js';
import { HitFilter, READ_HIT, WRITE_HIT } from './hit-filter.js';

export interface StrictOptions {
  frames: number;
  policy: StrictPolicyName;
  /** clock only: false = a page loaded by a fault starts unreferenced. Default true. */
  clockRefOnLoad?: boolean;
  /** Frames for pgds and page tables (not counted in `frames`). Default: enough for every region used. */
  kernelFrames?: number;
  /** Swap slots (multi-process traces with anonymous memory). Default 16384. */
  swapSlots?: number;
  engine?: EngineName;
  /** Receives every event (attach a log writer here). */
  sink?: EventSink;
  /** Called once the machine is built, before the first event: a log writer takes its header from here. */
  onStart?: (info: StrictStart) => void;
  /** Stop with an error once the run has emitted more events than this (--max-events). Default DEFAULT_MAX_EVENTS. */
  maxEvents?: number;
  /**
   * How the allocator finds a free user frame: 'on' (default) from an index of free frames
   * beside the machine, 'off' by walking the free lists, 'checked' both, throwing if they
   * differ (tests).
   */
  freeFrameIndex?: 'on' | 'off' | 'checked';
  /**
   * References of the single trace process that need nothing of the kernel (pte present and
   * young, and dirty for a write): 'on' (default) skips access() for them, knowing them from
   * a filter that follows the events; 'off' runs access() for every reference; 'checked'
   * runs it and throws if the filter was wrong (tests).
   */
  hitFilter?: 'on' | 'off' | 'checked';
}

/**
 * The default bound on a trace run's events: a few minutes of work and at most a few GB of
 * log, and far above what a trace of a few million references needs (the fault-heavy bench
 * trace, 1M references at 1,024 frames, emits 15.1M to 17.6M). A few bytes of lackey can ask for millions of pages.
 */
export const DEFAULT_MAX_EVENTS = 100_000_000;

export interface StrictStart {
  machine: EventStore;
  initial: State;
  kernel: KernelConfig;
}

export interface StrictResult {
  policy: StrictPolicyName;
  frames: number;
  references: number;
  faults: number;
  hits: number;
  evictions: number;
  writeBacks: number;
  events: number;
  clockRefOnLoad?: boolean;
  stateHash?: string;
}

const PAGE_ALLOC = EVENT_CODE.page_alloc,
  PAGE_FREE = EVENT_CODE.page_free,
  PTE_SET = EVENT_CODE.pte_set,
  PTE_CLEAR = EVENT_CODE.pte_clear,
  PTE_MKOLD = EVENT_CODE.pte_mkold,
  HW_ACCESS = EVENT_CODE.hw_access,
  PT_ALLOC = EVENT_CODE.pt_alloc,
  PT_FREE = EVENT_CODE.pt_free;

/**
 * The index of the first reference of `refs[from..to)` (page << 1 | write) that is not a hit
 * by the filter's `bits`, or `to`. A small function apart, so that V8 optimizes it alone and
 * early (a loop inside a larger method kept being deoptimized at its first block).
 */
function hitRun(refs: Uint32Array, from: number, to: number, bits: Uint8Array): number {
  let i = from;
  for (; i < to; i++) {
    const v = refs[i];
    const need = (v & 1) === 0 ? READ_HIT : WRITE_HIT;
    if ((bits[v >>> 1] & need) !== need) break;
  }
  return i;
}

/** Reserved frames: 0 (kernel image) and 1 (empty_zero_page). */
const RESERVED = 2;
export const TRACE_INODE = 1;

export function checkStrictOptions(o: StrictOptions): void {
  if (!Number.isInteger(o.frames) || o.frames < 1) {
    throw new TraceError(`--frames ${String(o.frames)}: strict mode needs at least 1 user frame; pass a whole number >= 1`);
  }
  if (o.frames > 1 << 20) throw new TraceError(`--frames ${o.frames} is too many: at most ${1 << 20} (4 GiB of user frames)`);
  if (o.maxEvents !== undefined && !(Number.isSafeInteger(o.maxEvents) && o.maxEvents >= 1)) {
    throw new TraceError(`--max-events ${String(o.maxEvents)}: pass a whole number >= 1 (e.g. 500M)`);
  }
  if (!(STRICT_POLICIES as readonly string[]).includes(o.policy)) {
    throw new TraceError(`--policy '${String(o.policy)}' is not a strict-mode policy: allowed values are ${STRICT_POLICIES.join(', ')}`);
  }
}

/** The strict machine: build it, then feed it references with ref(). */
export class StrictRun {
  readonly machine: EventStore;
  readonly kernel: Kernel;
  readonly policy: StrictPolicy;
  readonly strict: StrictConfig;
  /**
   * The booted state. The direct engine runs on it rather than on a copy (the copy was 0.4 s
   * of CPU at 65,536 frames), so it is the initial state only until the first event: onStart
   * (a log writer's header) and callers that look before startSingle() see it untouched.
   */
  readonly initial: State;
  readonly kcfg: KernelConfig;
  references = 0;
  readonly maxEvents: number;
  private nextCommit = COMMIT_EVERY;
  /** The single process's hit filter (startSingle), or null. */
  private hits: HitFilter | null = null;
  /** The free-frame index (null: the allocator walks the free lists). */
  private freeFrames: FreeUserFrames | null = null;
  /** opts.sink, read by see() for every event: a field of this object rather than a read through opts. */
  private readonly outSink: EventSink | null;

  /** `regions`: 4 MiB regions the trace touches (sizes the kernel pool: a page table each). */
  constructor(
    readonly opts: StrictOptions,
    regions: number,
    processes = 1,
  ) {
    checkStrictOptions(opts);
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.outSink = opts.sink ?? null;
    const pool = opts.kernelFrames ?? 2 * regions * processes + 2 * processes + 8;
    const userBase = Math.ceil((RESERVED + pool) / 32) * 32;
    this.strict = { userBase, userFrames: opts.frames, refOnLoad: opts.clockRefOnLoad ?? true };
    this.initial = boot({
      nframes: userBase + opts.frames,
      reserved: RESERVED,
      swapSlots: opts.swapSlots ?? 16384,
      // strict mode runs the seed's reverse map; its reference policies keep no design state
      // of their own, so the state's reclaim part is the default policy's (the mem_map hand)
      rmap: DEFAULT_RMAP,
      reclaim: DEFAULT_RECLAIM,
      hand: userBase,
    });
    this.kcfg = {
      files: [{ inode: TRACE_INODE, name: 'trace', pages: PAGE_OFFSET / PAGE_SIZE, backing: 'disk' }],
      latencies: { ...DEFAULT_LATENCIES },
      watermarks: { min: 0, low: 0, high: 0 },
      reclaim: opts.policy,
      strict: this.strict,
    };
    this.machine = new EventStore(this.initial, opts.engine ?? 'direct', true);
    this.policy = makeStrictPolicy(opts.policy, this.strict);
    this.kernel = new Kernel(this.machine, this.kcfg, { rmap: rmapDesign(DEFAULT_RMAP), reclaim: this.policy });
    opts.onStart?.({ machine: this.machine, initial: this.initial, kernel: this.kcfg });
    this.machine.sink = opts.sink ?? null;
    if ((opts.freeFrameIndex ?? 'on') !== 'off') this.indexFreeFrames(opts.freeFrameIndex === 'checked');
  }

  /**
   * The machine's sink: the events that change free frames or the trace process's ptes go to
   * the free-frame index and the hit filter (one switch for both), then every event to the
   * caller's sink (a log writer).
   */
  private see(e: Event, code: number): void {
    switch (code) {
      case PAGE_ALLOC:
        this.freeFrames?.taken(e as EventOf<'page_alloc'>);
        break;
      case PAGE_FREE:
        this.freeFrames?.freed(e as EventOf<'page_free'>);
        break;
      case PTE_SET:
        this.hits?.pteSet(e as EventOf<'pte_set'>);
        break;
      case PTE_CLEAR:
        this.hits?.pteClear(e as EventOf<'pte_clear'>);
        break;
      case PTE_MKOLD:
      case HW_ACCESS:
      case PT_ALLOC:
      case PT_FREE:
        this.hits?.observe(e);
        break;
    }
    if (this.outSink !== null) this.outSink(e, code);
  }

  /** Give the allocator an index of free user frames, kept up to date from the events. */
  private indexFreeFrames(checked: boolean): void {
    const index = FreeUserFrames.fromState(this.machine.s, this.strict.userBase, this.strict.userFrames);
    this.freeFrames = index;
    this.machine.sink = (e, code) => this.see(e, code);
    this.policy.freeUserFrame = checked
      ? (hand) => {
          const got = index.next(hand),
            walked = strict_next_user_frame(this.kernel, this.strict);
          if (got !== walked) throw new Error(`free-frame index: frame ${got} at hand ${hand}, the free lists say ${walked}`);
          return got;
        }
      : (hand) => index.next(hand);
  }

  /** Start the single trace process: its whole user space is one shared writable file mapping. */
  startSingle(): number {
    // the process's mm is the next one; its page tables come later, each by a pt_alloc the filter sees
    if ((this.opts.hitFilter ?? 'on') !== 'off') {
      const filter = new HitFilter(this.machine.s.nextMm, this.machine.s.nframes);
      this.hits = filter;
      this.machine.sink = (e, code) => this.see(e, code);
    }
    const mm = do_execve(this.kernel, -1, [
      { start: 0, end: PAGE_OFFSET, kind: VmaKind.SharedFile, prot: VM_READ | VM_WRITE | VM_EXEC, file: TRACE_INODE, pgoff: 0 },
    ]);
    if (mm < 0) throw new TraceError(`strict mode: no frame for the process's page directory; raise kernelFrames`);
    if (this.hits !== null && this.hits.mm !== mm) throw new Error(`hit filter: expected mm ${this.hits.mm}, do_execve made ${mm}`);
    return mm;
  }

  /** One reference by `mm` to `addr`; `nextUse` = index of the same page's next reference (Infinity: none). */
  ref(mm: number, addr: number, write: boolean, nextUse: number): void {
    this.references++;
    const hits = this.hits;
    if (hits !== null && mm === hits.mm) {
      if (this.opts.hitFilter === 'checked') {
        this.checkedRef(hits, mm, addr, write, nextUse);
        return;
      }
      const pfn = hits.hit(addr, write);
      if (pfn >= 0) {
        // all access() would do: charge the user time of the access
        const k = this.kernel;
        k.pendingUs += k.cfg.latencies.accessUs;
        if (this.policy.referenced !== undefined && pfn >= this.strict.userBase) this.policy.referenced(pfn, nextUse);
        return;
      }
      const page = Math.floor(addr / PAGE_SIZE);
      const pte = hits.mmuOnly(page, write);
      if (pte !== 0) {
        this.mmuRef(pte, hits.pfns[page], write, nextUse);
        return;
      }
    }
    this.slowRef(mm, addr, write, nextUse);
  }

  /**
   * References `refs[0..count)` (folded page << 1 | write, as the reference file holds them)
   * by `mm`, with their next uses (null: none). The same as ref() for each, with the hits
   * (nearly all references of a hit-heavy trace) taken in this loop.
   */
  refBlock(mm: number, refs: Uint32Array, count: number, next: Float64Array | null): void {
    const hits = this.hits;
    if (hits === null || mm !== hits.mm || this.opts.hitFilter === 'checked') {
      for (let i = 0; i < count; i++) {
        const v = refs[i];
        this.ref(mm, (v >>> 1) * PAGE_SIZE, (v & 1) === 1, next === null ? Infinity : next[i]);
      }
      return;
    }
    const k = this.kernel,
      referenced = this.policy.referenced?.bind(this.policy),
      accessUs = k.cfg.latencies.accessUs,
      userBase = this.strict.userBase,
      { bits, pfns } = hits;
    for (let i = 0; i < count; ) {
      // a run of hits: all access() would do for each is charge the user time of the access
      const end = hitRun(refs, i, count, bits);
      let pending = k.pendingUs;
      for (let h = i; h < end; h++) pending += accessUs;
      k.pendingUs = pending;
      this.references += end - i;
      if (referenced !== undefined) {
        for (let h = i; h < end; h++) {
          const pfn = pfns[refs[h] >>> 1];
          if (pfn >= userBase) referenced(pfn, next === null ? Infinity : next[h]);
        }
      }
      if (end === count) break;
      // then the reference that is not a hit
      const v = refs[end];
      this.ref(mm, (v >>> 1) * PAGE_SIZE, (v & 1) === 1, next === null ? Infinity : next[end]);
      i = end + 1;
    }
  }

  /** A reference access() would take by emitting one hw_access for `pte` (mapping `pfn`): emit it here, without the walk. */
  private mmuRef(pte: number, pfn: number, write: boolean, nextUse: number): void {
    const k = this.kernel;
    k.pendingUs += k.cfg.latencies.accessUs;
    k.emit({ t: 'hw_access', pte, write: write ? 1 : 0 }, CODE_OF.hw_access);
    if (this.policy.referenced !== undefined && pfn >= this.strict.userBase) this.policy.referenced(pfn, nextUse);
    this.afterEvents();
  }

  /** ref() through access() for every reference, throwing when the filter's answer (hit, MMU only, or neither) was wrong. */
  private checkedRef(hits: HitFilter, mm: number, addr: number, write: boolean, nextUse: number): void {
    const pfn = hits.hit(addr, write),
      page = Math.floor(addr / PAGE_SIZE);
    const pte = pfn >= 0 ? 0 : hits.mmuOnly(page, write);
    const before = this.machine.events;
    this.slowRef(mm, addr, write, nextUse);
    this.checkHit(mm, addr, write, pfn, this.machine.events - before);
    if (pte !== 0) this.checkMmuOnly(mm, addr, write, pte, this.machine.events - before);
  }

  /** The filter said access() would emit one hw_access for `pte`: it did, and the pte is now young (and dirty for a write). */
  private checkMmuOnly(mm: number, addr: number, write: boolean, pte: number, emitted: number): void {
    const what = `hit filter at reference ${this.references} (0x${addr.toString(16)}, ${write ? 'write' : 'read'})`;
    const k = this.kernel;
    const at = pte_offset(k, k.s.mms[mm], addr);
    if (emitted !== 1 || at !== pte)
      throw new Error(
        `${what}: the filter said one hw_access for pte 0x${pte.toString(16)}, access() emitted ${emitted} events, the pte is at 0x${at.toString(16)}`,
      );
    const v = read_pte(k, pte);
    if (!pte_young(v) || (write && !pte_dirty(v)))
      throw new Error(`${what}: after access() the pte is 0x${v.toString(16)}, not young${write ? ' and dirty' : ''}`);
  }

  /** The hit filter's answer (`pfn`, -1: miss) against what access() did: a hit emits nothing, a miss something. */
  private checkHit(mm: number, addr: number, write: boolean, pfn: number, emitted: number): void {
    const what = `hit filter at reference ${this.references} (0x${addr.toString(16)}, ${write ? 'write' : 'read'})`;
    if (pfn < 0) {
      if (emitted === 0) throw new Error(`${what}: access() needed no event, the filter missed it`);
      return;
    }
    if (emitted !== 0) throw new Error(`${what}: the filter said hit, access() emitted ${emitted} events`);
    const k = this.kernel;
    const pte = pte_offset(k, k.s.mms[mm], addr);
    const v = pte === 0 ? 0 : read_pte(k, pte);
    if (!pte_present(v) || pte_pfn(v) !== pfn) throw new Error(`${what}: the pte is 0x${v.toString(16)}, the filter says frame ${pfn}`);
  }

  /** One reference through access(): faults, accessed/dirty bits, the policy's report. */
  private slowRef(mm: number, addr: number, write: boolean, nextUse: number): void {
    const k = this.kernel;
    const r = access(k, mm, addr, write);
    if (r === 'oom') {
      throw new TraceError(
        `strict mode ran out of frames at reference ${this.references} (0x${addr.toString(16)}): the kernel pool for page tables is too small (kernelFrames) or every user frame is pinned`,
      );
    }
    if (r === 'segv')
      throw new TraceError(`reference ${this.references}: address 0x${addr.toString(16)} is outside the process's mappings`);
    if (this.policy.referenced !== undefined) {
      const pte = pte_offset(k, k.s.mms[mm], addr);
      const v = pte === 0 ? 0 : read_pte(k, pte);
      if (pte_present(v)) {
        const pfn = pte_pfn(v);
        if (pfn >= this.strict.userBase) this.policy.referenced(pfn, nextUse);
      }
    }
    this.afterEvents();
  }

  /** After a reference that emitted events: commit a batch (Immer) every COMMIT_EVERY events, and keep to --max-events. */
  private afterEvents(): void {
    if (this.machine.events >= this.nextCommit) {
      this.machine.commit();
      this.nextCommit = this.machine.events + COMMIT_EVERY;
    }
    if (this.machine.events > this.maxEvents) this.overBound();
  }

  /** Throws when the run has gone past --max-events (the driver calls it after work done outside ref()). */
  checkEventBound(): void {
    if (this.machine.events > this.maxEvents) this.overBound();
  }

  private overBound(): never {
    throw new TraceError(
      `the run passed ${thousands(this.maxEvents)} events (the --max-events bound) at reference ${thousands(this.references)}; raise --max-events (e.g. --max-events 1000M) or trim the trace`,
    );
  }

  /** The counts, and the final state's hash by `hashState` if given (snapshot/hash.ts: stateHash, loaded by callers that want it). */
  result(hashState: ((s: State) => string) | null = null): StrictResult {
    const s = this.machine.state();
    const faults = s.stats.faults.reduce((a, b) => a + b, 0);
    const r: StrictResult = {
      policy: this.opts.policy,
      frames: this.opts.frames,
      references: this.references,
      faults,
      hits: this.references - faults,
      evictions: s.stats.reclaimed,
      writeBacks: s.stats.fileWrites + s.stats.swapWrites,
      events: this.machine.events,
    };
    if (this.policy.caps.readsRefOnLoad === true) r.clockRefOnLoad = this.strict.refOnLoad;
    if (hashState !== null) r.stateHash = hashState(s);
    return r;
  }
}

/** Next-use index of every position of an in-memory reference string (Infinity: never again). */
export function nextUses(pages: readonly number[]): number[] {
  const out = new Array<number>(pages.length);
  const seen = new Map<number, number>();
  for (let i = pages.length - 1; i >= 0; i--) {
    out[i] = seen.get(pages[i]) ?? Infinity;
    seen.set(pages[i], i);
  }
  return out;
}
