// The interface every design implements, in the style of Immer's plugins: a reverse map or a
// reclaim policy is one module that declares its state slice, the events it owns and the
// reducer handlers for them, the hooks the kernel calls where the real kernel would, the
// capabilities the core asks about instead of names, its invariants and its overhead.
// Only src/designs/registry.ts knows designs by name; the reducer finds the active ones
// through src/reducer/designs.ts, where the registry loads them.

import type { Event, EventOf, EventType } from '../events.js';
import type { Kernel } from '../kernel/kernel.js';
import type { State } from '../state.js';
import type { DeepReadonly } from './readonly.js';
import type { Rule } from './rules.js';

/** What a design may read when it builds its slice at boot. */
export interface BootInfo {
  nframes: number;
  /** Design options from the run configuration (e.g. the pte-chain's chain mode). */
  options: DesignOptions;
  /** Strict mode: the first user frame (a clock hand starts there). */
  userBase?: number;
}

export interface DesignOptions {
  /** pte-chain lists NULL-terminated (0) or circular as in the seed's debug build (1). */
  chainMode?: number;
}

export type Handler<T extends EventType> = (s: State, e: EventOf<T>) => void;
/** Reducer handlers: for the design's own events, and reactions to core events (run before the core's own change). */
export type Handlers = { readonly [T in EventType]?: Handler<T> };

/** The part of a design the reducer and the checker use: pure functions of the state. */
export interface DesignStatePart {
  readonly kind: 'rmap' | 'reclaim';
  /** The name the command line takes (`--rmap`, `--reclaim`) and the log stores. */
  readonly name: string;
  /** One line for --help and docs. */
  readonly summary: string;
  /** The design's state slice at boot; absent for a design that keeps none. */
  initialSlice?(b: BootInfo): unknown;
  /** Events only this design emits: the reducer refuses them in a run without it. */
  readonly owns?: readonly EventType[];
  readonly handlers?: Handlers;
  /** The design's own invariants, run by the full check, the local check and bisect. */
  readonly rules?: readonly Rule[];
}

/** A pte-to-page map as stored, with structural problems named (for the checker and `seek`). */
export interface ChainReport {
  /** pte addresses in map order. */
  ptes: number[];
  /** A structural problem (cycle, wrong closure, dangling entry), or null. */
  problem: string | null;
  /** How the ptes were found, when it is not a plain list (objrmap: via the file's vmas). */
  via?: string[];
}

export interface Overhead {
  /** Bytes the design's kernel would allocate for its reverse map in this state. */
  bytes: number;
  /** Frames of mem_map it holds (link pages). */
  frames: number;
}

export interface RmapCaps {
  /** forEach finds every pte that maps a user page (false only for the old kernel's none). */
  readonly tracksPtes: boolean;
  /** Order of a page-table allocation: 1 for LaHaise's layout (pte page + link page). */
  readonly ptOrder: 0 | 1;
}

/** The kernel side of a reverse map: lifecycle points where the design emits its own events. */
export interface RmapHooks {
  /** A vma was created (mmap, brk, exec); `from` is the parent's vma when fork copies it. */
  vmaAdded?(k: Kernel, mm: number, start: number, from?: { mm: number; start: number }): void;
  /** A vma is about to go for good (munmap, exit, exec), after its ptes were zapped; not when brk resizes it. */
  vmaRemoved?(k: Kernel, mm: number, start: number): void;
  /** page_referenced walked `pfn`'s map and found `nptes` ptes (reclaim is looking at the page: memory pressure). */
  referenced?(k: Kernel, pfn: number, nptes: number): void;
}

export interface RmapDesign extends DesignStatePart {
  readonly kind: 'rmap';
  readonly caps: RmapCaps;
  /** pte_link(pte, page): record that `pte` maps `pfn`; false when it already did (a duplicate add). */
  link(s: State, pte: number, pfn: number): boolean;
  /** pte_unlink(pte, page): forget it; false when `pte` was not on `pfn`'s map. */
  unlink(s: State, pte: number, pfn: number): boolean;
  /** Calls fn for each pte mapping `pfn` (bounded: a corrupt map never hangs the caller). */
  forEach(s: DeepReadonly<State>, pfn: number, fn: (pte: number) => void): void;
  /**
   * Entries a pte_unlink of `pte` from `pfn`'s map walks: its position on forEach's walk + 1,
   * or every entry forEach visits when `pte` is not there. Absent: the kernel counts them with
   * a forEach callback. A design offers it when it can answer without a callback per entry
   * (pte-chain: a pte at the head is 1 step, with no read of its link); it must agree with
   * that count on every map, broken ones included (test/rmap/unlink-steps.test.ts).
   */
  unlinkSteps?(s: DeepReadonly<State>, pte: number, pfn: number): number;
  /** The map as stored, with structural problems named. */
  entries(s: DeepReadonly<State>, pfn: number): ChainReport;
  /** Link of a pte slot as the design stores it (pte-chain: the next pte; others 0). */
  slotLink(s: DeepReadonly<State>, pte: number): number;
  /** Every pte slot whose stored link is not NULL (pte-chain's link pages); absent: the design stores none. */
  linkedSlots?(s: DeepReadonly<State>): number[];
  /** A word that names the page's reverse-map head for messages (pte-chain: first pte; 0 = none). */
  head(s: DeepReadonly<State>, pfn: number): number;
  overhead(s: DeepReadonly<State>): Overhead;
  /**
   * Work a walk of `pfn`'s map costs beyond its ptes (objrmap/anon_vma: vmas visited); the
   * kernel's walk reports it in an `rmap_walk` event and stats.vmasVisited counts it. Absent:
   * the design's walk visits no vmas (and no event is emitted, so those logs are unchanged).
   */
  walkCost?(s: DeepReadonly<State>, pfn: number): number;
  readonly hooks?: RmapHooks;
  /**
   * Objects the design allocates from a slab cache of its own (pte-pool blocks, pte_chains,
   * anon_vmas). The cache's pages come from mem_map through the buddy allocator, like the
   * seed's link pages (rmap_reserve, src/mm/rmap.ts), and are listed in the slice's
   * `slabPages`. Absent: the design allocates nothing beyond struct page and page tables.
   */
  readonly slab?: { readonly objectBytes: number; inUse(s: DeepReadonly<State>): number };
}

/** A reverse map's slice when it has a slab cache: the pages the cache took (never given back). */
export interface SlabSlice {
  slabPages: number[];
}

/** Page ageing as an axis of its own (issue 9): 2.1.47's page ages, or none. */
export type AgeMode = '2.1.47' | 'none';
export const AGE_MODES: readonly AgeMode[] = ['2.1.47', 'none'];

export interface ReclaimCaps {
  /** The policy finds a page's ptes through the reverse map (cannot run with a design that tracks none). */
  readonly needsRmap: boolean;
  /** A lap of the mem_map hand (clock_advance back to 0) is one of its passes over memory (compare's touches per pass). */
  readonly lapsMemMap?: boolean;
  /** Events it emits per workload step relative to the clock's (schedules the longest comparison jobs first). */
  readonly relativeCost?: number;
  /**
   * Page ageing (`--age`): what the policy does by default ('2.1.47': a page must be found
   * unreferenced until its age falls to 0; 'none': the first unreferenced look frees it).
   * Absent: the policy has ageing of its own and --age does not apply.
   */
  readonly age?: AgeMode;
  /** Strict mode: a page's accessed bit at load decides its fate (`--clock-ref-on-load` applies and is reported). */
  readonly readsRefOnLoad?: boolean;
  /**
   * Its scan asks before it takes a page (clock_step's Kernel.reclaimMayTouch): the hook
   * `--locking fine`'s trylock-and-skip needs. A policy without it cannot run under fine locking.
   */
  readonly trylocks?: boolean;
}

/** Kernel lifecycle points a reclaim policy may act on (by emitting its own events). */
export interface ReclaimHooks {
  /** A page became a user or page-cache page (2.4's lru_cache_add). */
  pageAdded?(k: Kernel, pfn: number): void;
  /** A freshly read page entered the page cache. */
  pageCached?(k: Kernel, pfn: number): void;
  /** A page is about to be freed. */
  pageFreeing?(k: Kernel, pfn: number): void;
  /** try_to_flip_page_to moved `from`'s contents to `to`; `from` is freed next. */
  pageMoved?(k: Kernel, from: number, to: number): void;
}

export interface ReclaimPolicy extends DesignStatePart {
  readonly kind: 'reclaim';
  readonly caps: ReclaimCaps;
  /** try_to_free_page(): free at least one page or report that nothing could be freed. */
  tryToFreePage(k: Kernel): boolean;
  readonly hooks?: ReclaimHooks;
  /** Strict mode: the allocator handed `pfn` to a user page (policies that order pages by load time). */
  allocated?(k: Kernel, pfn: number): void;
  /**
   * Strict mode: the free user frame at or after `hand` in clock order, or -1, from an index
   * kept outside the state (src/trace/free-frames.ts); without it the allocator walks the free
   * lists (strict_next_user_frame). Both give the same frame.
   */
  freeUserFrame?(hand: number): number;
}

export type Design = RmapDesign | ReclaimPolicy;
export type { Event };
