// Block allocation for the reverse maps that keep their entries in small fixed-size objects
// (pte-pool, pte_chain): kmem_cache_alloc/kmem_cache_free on the arena in the design's state slice. Only the
// reducer reaches these (through a design's link/unlink), so the arena is machine state.

import type { Rule } from '../include/rules.js';
import type { DeepReadonly } from '../include/readonly.js';
import { CHUNK, type State } from '../state.js';
import type { SlabSlice } from '../include/design.js';

/**
 * Fixed-size blocks carved and recycled the way a slab cache would: a free list threaded
 * through word 0 of each free block, new blocks carved at the end. Block 0 is NULL and never
 * handed out. Lives in the slice of the design that uses it.
 */
export interface RmapArena {
  blockWords: number;
  /** Block b occupies words [b * blockWords, (b + 1) * blockWords), chunked like every large table. */
  words: number[][];
  /** Blocks carved so far, block 0 included. */
  nblocks: number;
  free: number;
  used: number;
  /** Most blocks in use at once (the peak overhead). */
  peak: number;
}

/** The arena of the state's rmap design (pte-pool, pte_chain, objrmap, anon_vma keep one as their slice's `arena`). */
export function arenaOf(s: State): RmapArena;
export function arenaOf(s: DeepReadonly<State>): DeepReadonly<RmapArena>;
export function arenaOf(s: DeepReadonly<State>): DeepReadonly<RmapArena> {
  return (s.slices.rmap as { arena: RmapArena }).arena;
}

export function emptyArena(blockWords: number): RmapArena {
  return { blockWords, words: [], nblocks: 1, free: 0, used: 0, peak: 0 };
}

export function wordAt(a: DeepReadonly<RmapArena>, block: number, i: number): number {
  const w = block * a.blockWords + i;
  const c = a.words[Math.floor(w / CHUNK)];
  return c === undefined ? 0 : c[w % CHUNK];
}

export function setWord(a: RmapArena, block: number, i: number, v: number): void {
  const w = block * a.blockWords + i;
  a.words[Math.floor(w / CHUNK)][w % CHUNK] = v;
}

/** kmem_cache_alloc: a zeroed block, recycled from the free list or carved at the end. */
export function blockAlloc(a: RmapArena): number {
  let b: number;
  if (a.free !== 0) {
    b = a.free;
    a.free = wordAt(a, b, 0);
  } else {
    b = a.nblocks++;
    const need = a.nblocks * a.blockWords;
    while (a.words.length * CHUNK < need) a.words.push(new Array<number>(CHUNK).fill(0));
  }
  for (let i = 0; i < a.blockWords; i++) setWord(a, b, i, 0);
  a.used++;
  if (a.used > a.peak) a.peak = a.used;
  return b;
}

/** kmem_cache_free: the block goes on the free list (word 0 links it). */
export function blockFree(a: RmapArena, b: number): void {
  for (let i = 1; i < a.blockWords; i++) setWord(a, b, i, 0);
  setWord(a, b, 0, a.free);
  a.free = b;
  a.used--;
}

/**
 * The arena's own invariant: blocks in use are exactly the blocks hanging off pages, and
 * every other carved block is on the free list (a leak or a double free breaks it).
 */
export function arenaRule(design: string, blocksOf: (s: State, pfn: number) => number): Rule {
  return {
    name: 'rmap-blocks',
    description:
      'blocks of a block-based reverse map (pte-pool, pte_chain, objrmap, anon_vma) in use are exactly those reachable from pages; the rest are free',
    scope: 'global',
    check(v, _id, out) {
      const s = v.s;
      const a = arenaOf(s);
      let reachable = 0;
      for (let pfn = 0; pfn < s.nframes; pfn++) reachable += blocksOf(s, pfn);
      if (reachable !== a.used)
        out.push({ invariant: 'rmap-blocks', message: `${design}: ${a.used} blocks counted in use but pages hold ${reachable}` });
      let free = 0;
      for (let b = a.free; b !== 0 && free <= a.nblocks; b = wordAt(a, b, 0)) free++;
      if (free + a.used + 1 !== a.nblocks) {
        out.push({ invariant: 'rmap-blocks', message: `${design}: ${a.nblocks - 1} blocks carved but ${a.used} in use and ${free} free` });
      }
    },
  };
}

/** Pages the reverse map's slab cache holds (0 for a design without one): its overhead in mem_map. */
export function slabPages(s: { readonly slices: { readonly rmap?: unknown } }): number {
  return (s.slices.rmap as Partial<SlabSlice> | undefined)?.slabPages?.length ?? 0;
}
