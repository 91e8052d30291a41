// The 2.5 reverse map (mm/rmap.c, 2.5.4x-2.5.6x): a page mapped once keeps the pte address
// in page->pte.direct with PG_direct set; a page mapped more often has a list of pte_chain
// blocks { next_and_idx; ptes[NRPTE] }, each one cache line. Slots fill from the top down
// and only the head block can be partly empty: next_and_idx holds the next block and the
// index of the head block's first used slot. page_remove_rmap moves the head block's first
// entry into the hole and frees the head block when it empties. A page does not go back to
// direct when page_remove_rmap shrinks its chain to one entry: page_referenced collapses a
// one-entry chain (rmap_collapse), "only done under memory pressure". That is Andrew Morton's
// "multiple pte pointers per pte_chain" patch against 2.5.31 (linux-kernel, 11 August 2002),
// which moved the collapse out of __page_remove_rmap and try_to_unmap (where 2.5.31's
// one-pte-per-pte_chain code did it) into page_referenced, "if a page was previously shared
// then it may become shared again". Neither is in the 2.1-2.4 history this project cites.
//
// NRPTE: L1_CACHE_BYTES = 32 on the i386 builds of the day (Pentium-class cache lines; a
// 486 has 16-byte lines, which would give NRPTE = 3) and 4-byte pte addresses (no highpte),
// so NRPTE = (32 - sizeof(next_and_idx)) / sizeof(pte_addr_t) = (32 - 4) / 4 = 7.
//
// Adding a pte that is already on the map (DEBUG_RMAP's BUG) and removing one that is not
// ("should NEVER happen") return false: the reducer counts them in stats.rmapErrors.

import { PG_direct } from '../include/page-flags.js';
import type { Rule } from '../include/rules.js';
import { getPage, type State } from '../state.js';
import { PAGE_SIZE } from '../arch/i386/page.js';
import { slabPages } from './arena.js';
import type { DeepReadonly } from '../include/readonly.js';
import { arenaOf, arenaRule, blockAlloc, blockFree, emptyArena, setWord, wordAt } from './arena.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import type { Kernel } from '../kernel/kernel.js';
import { ReducerError } from '../reducer/index.js';

export const L1_CACHE_BYTES = 32;
export const NRPTE = (L1_CACHE_BYTES - 4) / 4;
export const PTE_CHAIN_BYTES = L1_CACHE_BYTES;

// next_and_idx packs the next block and the index: blocks are cache-line aligned, so the
// low 5 bits of a real pointer are free for idx (< NRPTE + 1).
const IDX_BITS = 5;
const encode = (next: number, idx: number): number => next * (1 << IDX_BITS) + idx;
const chainNext = (s: DeepReadonly<State>, b: number): number => Math.floor(wordAt(arenaOf(s), b, 0) / (1 << IDX_BITS));
const chainIdx = (s: DeepReadonly<State>, b: number): number => wordAt(arenaOf(s), b, 0) & ((1 << IDX_BITS) - 1);
/** ptes[i] is word 1 + i of the block. */
const getPtes = (s: DeepReadonly<State>, b: number, i: number): number => wordAt(arenaOf(s), b, 1 + i);
const setPtes = (s: State, b: number, i: number, v: number): void => setWord(arenaOf(s), b, 1 + i, v);

const isDirect = (s: DeepReadonly<State>, pfn: number): boolean => (getPage(s, pfn).flags & PG_direct) !== 0;

/** Calls fn(block, i, pte) for every used slot; bounded by the blocks ever carved. */
function eachSlot(s: DeepReadonly<State>, pfn: number, fn: (b: number, i: number, pte: number) => boolean | undefined): void {
  let limit = arenaOf(s).nblocks;
  for (let b = getPage(s, pfn).rmap; b !== 0 && limit-- > 0; b = chainNext(s, b)) {
    for (let i = chainIdx(s, b); i < NRPTE; i++) if (fn(b, i, getPtes(s, b, i)) === true) return;
  }
}

function onMap(s: DeepReadonly<State>, pfn: number, pte: number): boolean {
  if (isDirect(s, pfn)) return getPage(s, pfn).rmap === pte;
  let found = false;
  eachSlot(s, pfn, (_b, _i, p) => (found = p === pte));
  return found;
}

/** pte_chain blocks hanging off a page (for the consistency check). */
export function chainBlocks(s: DeepReadonly<State>, pfn: number): number {
  if (isDirect(s, pfn)) return 0;
  let n = 0;
  let limit = arenaOf(s).nblocks;
  for (let b = getPage(s, pfn).rmap; b !== 0 && limit-- > 0; b = chainNext(s, b)) n++;
  return n;
}

/**
 * 2.5's page->pte union: PG_direct exactly when the page has one mapping and no chain.
 * `onChains` says which pages keep pte_chains (2.6.0's objrmap: only anonymous ones).
 */
export function directRuleFor(onChains: (s: State, pfn: number) => boolean): Rule {
  return {
    name: 'pte_chain-direct',
    description: 'pte_chain: PG_direct is set only on a page with exactly one mapping, and a page with one mapping is direct or chained',
    scope: 'page',
    check(v, pfn, out) {
      if (!onChains(v.s, pfn)) return;
      const n = v.mappers(pfn).length;
      const direct = isDirect(v.s, pfn);
      if (direct && n !== 1) out.push({ invariant: 'pte_chain-direct', page: pfn, message: `PG_direct with ${n} mappings` });
      if (!direct && n === 1 && chainBlocks(v.s, pfn) === 0) {
        out.push({ invariant: 'pte_chain-direct', page: pfn, message: 'one mapping but neither direct nor chained' });
      }
    },
  };
}

/** page_add_rmap */
export function chainLink(s: State, pte: number, pfn: number): boolean {
  if (onMap(s, pfn, pte)) return false;
  const page = getPage(s, pfn);
  page.mapcount++;
  if (page.rmap === 0) {
    page.rmap = pte;
    page.flags |= PG_direct;
    return true;
  }
  if ((page.flags & PG_direct) !== 0) {
    // convert the direct pointer into a pte_chain
    const b = blockAlloc(arenaOf(s));
    setPtes(s, b, NRPTE - 1, page.rmap);
    setPtes(s, b, NRPTE - 2, pte);
    setWord(arenaOf(s), b, 0, encode(0, NRPTE - 2));
    page.flags &= ~PG_direct;
    page.rmap = b;
    return true;
  }
  const head = page.rmap;
  if (getPtes(s, head, 0) !== 0) {
    // the head block is full: a new head
    const b = blockAlloc(arenaOf(s));
    setWord(arenaOf(s), b, 0, encode(head, NRPTE - 1));
    setPtes(s, b, NRPTE - 1, pte);
    page.rmap = b;
    return true;
  }
  const idx = chainIdx(s, head);
  setPtes(s, head, idx - 1, pte);
  setWord(arenaOf(s), head, 0, wordAt(arenaOf(s), head, 0) - 1);
  return true;
}

/** Forget a page's chain without touching its map count (the page became a file page: objrmap finds it by its file). */
export function chainDrop(s: State, pfn: number): void {
  const page = getPage(s, pfn);
  if ((page.flags & PG_direct) === 0) {
    let limit = arenaOf(s).nblocks;
    for (let b = page.rmap; b !== 0 && limit-- > 0; ) {
      const next = chainNext(s, b);
      blockFree(arenaOf(s), b);
      b = next;
    }
  }
  page.rmap = 0;
  page.flags &= ~PG_direct;
}

/** page_remove_rmap */
export function chainUnlink(s: State, pte: number, pfn: number): boolean {
  const page = getPage(s, pfn);
  if ((page.flags & PG_direct) !== 0) {
    if (page.rmap !== pte) return false;
    page.rmap = 0;
    page.flags &= ~PG_direct;
    page.mapcount--;
    return true;
  }
  const start = page.rmap;
  if (start === 0) return false;
  const victim = chainIdx(s, start);
  let done = false;
  eachSlot(s, pfn, (b, i, p) => {
    if (p !== pte) return false;
    setPtes(s, b, i, getPtes(s, start, victim));
    setPtes(s, start, victim, 0);
    if (victim === NRPTE - 1) {
      // emptied a pte_chain block
      page.rmap = chainNext(s, start);
      blockFree(arenaOf(s), start);
    } else {
      setWord(arenaOf(s), start, 0, wordAt(arenaOf(s), start, 0) + 1);
    }
    done = true;
    return true;
  });
  if (done) page.mapcount--;
  return done;
}

/** rmap_collapse: the page's chain holds exactly one pte; it becomes page->pte.direct and the block is freed. */
export function chainCollapse(s: State, pfn: number): void {
  const page = getPage(s, pfn);
  const b = page.rmap;
  if ((page.flags & PG_direct) !== 0 || b === 0 || chainNext(s, b) !== 0 || chainIdx(s, b) !== NRPTE - 1) {
    throw new ReducerError(`rmap_collapse: pfn ${pfn} is not on a one-entry pte_chain`);
  }
  const pte = getPtes(s, b, NRPTE - 1);
  blockFree(arenaOf(s), b);
  page.rmap = pte;
  page.flags |= PG_direct;
}

/** The page_referenced hook: a page found with one pte on a pte_chain gets it collapsed. */
export function collapseIfSingle(k: Kernel, pfn: number, nptes: number): void {
  if (nptes === 1 && (getPage(k.s, pfn).flags & PG_direct) === 0 && getPage(k.s, pfn).rmap !== 0) {
    k.emit({ t: 'rmap_collapse', pfn });
  }
}

/** Each pte on the page's direct pointer or chain. */
export function chainForEach(s: DeepReadonly<State>, pfn: number, fn: (pte: number) => void): void {
  if (isDirect(s, pfn)) {
    fn(getPage(s, pfn).rmap);
    return;
  }
  eachSlot(s, pfn, (_b, _i, pte) => {
    fn(pte);
  });
}

/** The chain as stored, with its structural problem named. */
export function chainEntries(s: DeepReadonly<State>, pfn: number): ChainReport {
  const page = getPage(s, pfn);
  if (isDirect(s, pfn)) {
    return { ptes: [page.rmap], problem: page.rmap === 0 ? `pfn ${pfn} has PG_direct set but no direct pte` : null };
  }
  const ptes: number[] = [];
  const a = arenaOf(s);
  const seen = new Set<number>();
  let limit = a.nblocks;
  for (let b = page.rmap; b !== 0; b = chainNext(s, b)) {
    if (limit-- <= 0 || seen.has(b)) return { ptes, problem: `pte_chain of pfn ${pfn} loops at block ${b}` };
    if (b >= a.nblocks) return { ptes, problem: `pte_chain block ${b} of pfn ${pfn} was never allocated` };
    const idx = chainIdx(s, b);
    if (b !== page.rmap && idx !== 0) return { ptes, problem: `pte_chain block ${b} of pfn ${pfn} is not full but not the head` };
    if (idx >= NRPTE) return { ptes, problem: `pte_chain block ${b} of pfn ${pfn} is empty but still on the chain` };
    seen.add(b);
    for (let i = idx; i < NRPTE; i++) {
      const pte = getPtes(s, b, i);
      if (pte === 0) return { ptes, problem: `pte_chain block ${b} of pfn ${pfn} has a NULL in used slot ${i}` };
      ptes.push(pte);
    }
  }
  return { ptes, problem: null };
}

export const pte_chain: RmapDesign = {
  kind: 'rmap',
  name: 'pte_chain',
  summary: "2.5's pte_chain blocks of 7 pointers, with the direct single-mapping case (a one-entry chain collapses in page_referenced)",
  caps: { tracksPtes: true, ptOrder: 0 },
  initialSlice: () => ({ arena: emptyArena(1 + NRPTE), slabPages: [] }),
  slab: { objectBytes: PTE_CHAIN_BYTES, inUse: (s) => arenaOf(s).used },
  rules: [arenaRule('pte_chain', chainBlocks), directRuleFor(() => true)],
  owns: ['rmap_collapse'],
  handlers: { rmap_collapse: (s, e) => chainCollapse(s, e.pfn) },
  hooks: { referenced: collapseIfSingle },
  head: (s, pfn) => getPage(s, pfn).rmap,

  link: chainLink,
  unlink: chainUnlink,
  forEach: chainForEach,
  entries: chainEntries,

  slotLink: () => 0,

  /**
   * The pages its pte_chain slab took from mem_map (rmap_reserve): a singly mapped page costs
   * nothing beyond page->pte, which every design's struct page has.
   */
  overhead: (s) => ({ bytes: slabPages(s) * PAGE_SIZE, frames: slabPages(s) }),
};
