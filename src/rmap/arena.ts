// Block allocation for the reverse maps that keep their entries in small fixed-size objects
// (pte-pool, pte_chain): kmem_cache_alloc/kmem_cache_free on State.rmapArena. Only the
// reducer reaches these (through a design's link/unlink), so the arena is machine state.

import { CHUNK, type RmapArena, type State } from '../state.js';

export function emptyArena(blockWords: number): RmapArena {
  return { blockWords, words: [], nblocks: 1, free: 0, used: 0, peak: 0 };
}

export function wordAt(a: RmapArena, block: number, i: number): number {
  const w = block * a.blockWords + i;
  const c = a.words[Math.floor(w / CHUNK)];
  return c === undefined ? 0 : c[w % CHUNK];
}

export function setWord(a: RmapArena, block: number, i: number, v: number): void {
  const w = block * a.blockWords + i;
  a.words[Math.floor(w / CHUNK)][w % CHUNK] = v;
}

/** kmem_cache_alloc: a zeroed block, recycled from the free list or carved at the end. */
export function blockAlloc(s: State): number {
  const a = s.rmapArena;
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
export function blockFree(s: State, b: number): void {
  const a = s.rmapArena;
  for (let i = 1; i < a.blockWords; i++) setWord(a, b, i, 0);
  setWord(a, b, 0, a.free);
  a.free = b;
  a.used--;
}
