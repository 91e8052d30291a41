// Hemment's alternative, named in the seed: per-page pools that hold pointers to the ptes
// mapping the page. mmsim's pool is a list of small pool blocks, each {next; pte[3]}
// (16 bytes, the smallest slab object of the day), hanging off page->rmap. A link fills the
// first empty slot (first fit), an unlink clears its slot and leaves a hole, and a block
// is freed when its last slot empties. Every mapped page owns at least one block; page
// tables stay order 0 (the pool replaces the link page).
//
// What is invented: Hemment's pools were never posted as code, so the block size and the
// first-fit/holes policy are mmsim's reading of "per-page pools". They are the plain
// alternative to pte_chain's compacting blocks and direct pointer.

import { getPage, type State } from '../state.js';
import { PAGE_SIZE } from '../arch/i386/page.js';
import { slabPages } from './arena.js';
import type { DeepReadonly } from '../include/readonly.js';
import { arenaOf, arenaRule, blockAlloc, blockFree, emptyArena, setWord, wordAt } from './arena.js';
import type { ChainReport, RmapDesign } from '../include/design.js';

/** pte pointers per pool block; the block is 1 + POOL_NR words of 4 bytes. */
export const POOL_NR = 3;
export const POOL_BLOCK_BYTES = (1 + POOL_NR) * 4;

/** Bounded walk over a page's pool blocks: calls fn(block); stops at NULL or after `limit` blocks. */
function eachBlock(s: DeepReadonly<State>, pfn: number, fn: (b: number) => boolean | undefined): void {
  let limit = arenaOf(s).nblocks;
  for (let b = getPage(s, pfn).rmap; b !== 0 && limit-- > 0; b = wordAt(arenaOf(s), b, 0)) {
    if (fn(b) === true) return;
  }
}

function find(s: DeepReadonly<State>, pfn: number, pte: number): [number, number] | null {
  let at: [number, number] | null = null;
  eachBlock(s, pfn, (b) => {
    for (let i = 1; i <= POOL_NR; i++)
      if (wordAt(arenaOf(s), b, i) === pte) {
        at = [b, i];
        return true;
      }
    return false;
  });
  return at;
}

/** Pool blocks hanging off a page (for the consistency check). */
export function poolBlocks(s: DeepReadonly<State>, pfn: number): number {
  let n = 0;
  eachBlock(s, pfn, () => {
    n++;
  });
  return n;
}

export const ptePool: RmapDesign = {
  kind: 'rmap',
  name: 'pte-pool',
  summary: "Hemment's per-page pools of pte pointers (16-byte blocks, first fit)",
  caps: { tracksPtes: true, ptOrder: 0 },
  initialSlice: () => ({ arena: emptyArena(1 + POOL_NR), slabPages: [] }),
  slab: { objectBytes: POOL_BLOCK_BYTES, inUse: (s) => arenaOf(s).used },
  rules: [arenaRule('pte-pool', poolBlocks)],
  head: (s, pfn) => getPage(s, pfn).rmap,

  link(s, pte, pfn) {
    if (find(s, pfn, pte) !== null) return false;
    const a = arenaOf(s);
    let hole: [number, number] | null = null;
    eachBlock(s, pfn, (b) => {
      for (let i = 1; i <= POOL_NR; i++)
        if (wordAt(a, b, i) === 0) {
          hole = [b, i];
          return true;
        }
      return false;
    });
    const page = getPage(s, pfn);
    if (hole === null) {
      const b = blockAlloc(arenaOf(s));
      setWord(a, b, 0, page.rmap);
      page.rmap = b;
      hole = [b, 1];
    }
    setWord(a, hole[0], hole[1], pte);
    page.mapcount++;
    return true;
  },

  unlink(s, pte, pfn) {
    const at = find(s, pfn, pte);
    if (at === null) return false;
    const a = arenaOf(s);
    const [b, i] = at;
    setWord(a, b, i, 0);
    const page = getPage(s, pfn);
    page.mapcount--;
    for (let j = 1; j <= POOL_NR; j++) if (wordAt(a, b, j) !== 0) return true;
    // the block emptied: take it off the page's list and give it back
    if (page.rmap === b) page.rmap = wordAt(a, b, 0);
    else
      eachBlock(s, pfn, (p) => {
        if (wordAt(a, p, 0) !== b) return false;
        setWord(a, p, 0, wordAt(a, b, 0));
        return true;
      });
    blockFree(arenaOf(s), b);
    return true;
  },

  forEach(s, pfn, fn) {
    eachBlock(s, pfn, (b) => {
      for (let i = 1; i <= POOL_NR; i++) {
        const pte = wordAt(arenaOf(s), b, i);
        if (pte !== 0) fn(pte);
      }
    });
  },

  entries(s, pfn): ChainReport {
    const ptes: number[] = [];
    const a = arenaOf(s);
    const seen = new Set<number>();
    let problem: string | null = null;
    let limit = a.nblocks;
    for (let b = getPage(s, pfn).rmap; b !== 0; b = wordAt(a, b, 0)) {
      if (limit-- <= 0 || seen.has(b)) {
        problem = `pool block list of pfn ${pfn} loops at block ${b}`;
        break;
      }
      if (b >= a.nblocks) {
        problem = `pool block ${b} of pfn ${pfn} was never allocated`;
        break;
      }
      seen.add(b);
      let n = 0;
      for (let i = 1; i <= POOL_NR; i++) {
        const pte = wordAt(a, b, i);
        if (pte !== 0) {
          ptes.push(pte);
          n++;
        }
      }
      if (n === 0) problem ??= `pool block ${b} of pfn ${pfn} is empty but still on the page's list`;
    }
    return { ptes, problem };
  },

  slotLink: () => 0,

  /** The pages its slab cache took from mem_map (rmap_reserve), as the seed's link pages are counted. */
  overhead: (s) => ({ bytes: slabPages(s) * PAGE_SIZE, frames: slabPages(s) }),
};
