// steal_specific_page (LaHaise's 1997 "will do" list: "use to build free pages of orders
// approaching max"): when a high-order allocation finds no free block that large, pick an
// aligned block whose in-use pages can all be moved, flip each to a free frame outside it
// (try_to_flip_page_to, through the reverse map), and allocate the emptied block.
// Opt-in (KernelConfig.steal, --steal); needs a reverse map.

import type { Kernel } from '../kernel/kernel.js';
import { getPage, NR_MEM_LISTS } from '../state.js';
import { flippable, try_to_flip_page_to } from './flip.js';
import { freeBlockOrderAt } from '../reducer/buddy.js';

/**
 * The aligned block of `order` to empty, or -1: every page free or flippable, at least one
 * in use, enough free frames outside it to take its pages; the most free pages wins, ties
 * by lowest pfn. Deterministic: reads only the state.
 */
export function steal_candidate(k: Kernel, order: number): number {
  const s = k.s;
  const size = 1 << order;
  let best = -1,
    bestFree = -1;
  for (let b = 0; b + size <= s.nframes; b += size) {
    let free = 0,
      ok = true;
    for (let i = 0; i < size && ok; i++) {
      const p = getPage(s, b + i);
      if (p.count === 0) free++;
      else if (!flippable(p)) ok = false;
    }
    if (!ok || free === size) continue;
    if (s.nrFree - free < size - free) continue; // not enough room outside for its pages
    if (free > bestFree) {
      best = b;
      bestFree = free;
    }
  }
  return best;
}

/** A free frame outside [lo, hi): from the smallest free block first (keeps larger ones whole), the last page of it. */
function free_frame_outside(k: Kernel, lo: number, hi: number): number {
  for (let o = 0; o < NR_MEM_LISTS; o++) {
    for (let b = k.s.freeArea[o].head; b >= 0; b = getPage(k.s, b).next) {
      const end = b + (1 << o);
      if (end <= lo || b >= hi) return end - 1;
    }
  }
  return -1;
}

/** Empty an aligned block of `order` and allocate it; the first pfn, or -1 (counted as a failure). */
export function steal_specific_page(k: Kernel, order: number): number {
  if (!k.rmap.caps.tracksPtes || order < 1) return -1;
  const b = steal_candidate(k, order);
  const fail = (): number => {
    k.emit({ t: 'steal', pfn: 0, order, ok: 0 });
    return -1;
  };
  if (b < 0) return fail();
  const size = 1 << order;
  for (let i = 0; i < size; i++) {
    if (getPage(k.s, b + i).count === 0) continue;
    const dst = free_frame_outside(k, b, b + size);
    if (dst < 0 || !try_to_flip_page_to(k, dst, b + i)) return fail();
  }
  // every page of the block is free again and the buddy allocator has merged it
  const from = freeBlockOrderAt(k.s, b);
  if (from < order) return fail();
  k.emit({ t: 'page_alloc', pfn: b, order, from });
  k.emit({ t: 'steal', pfn: b, order, ok: 1 });
  return b;
}
