// Buddy free lists, as mm/page_alloc.c keeps them in 2.1.47: one list per order, LIFO
// (add_mem_queue inserts at the head, RMQUEUE takes the head), and one bitmap per order
// with a bit per buddy pair that is toggled on every allocation or free of either half,
// so it reads "exactly one of the pair is free". The top order has no bitmap.

import { NR_MEM_LISTS, getPage, type State } from '../state.js';
import { PAGE_INITIAL_AGE } from '../include/swapctl.js';
import type { DeepReadonly } from '../include/readonly.js';

const TOP = NR_MEM_LISTS - 1;

/** Order of the free buddy block that contains `pfn`, or -1 when `pfn` is not free (a pure read: the allocator and page moving ask it). */
export function freeBlockOrderAt(s: DeepReadonly<State>, pfn: number): number {
  for (let o = 0; o < NR_MEM_LISTS; o++) {
    const p = getPage(s, pfn & ~((1 << o) - 1));
    if (p.order === o && p.count === 0) return o;
  }
  return -1;
}

/** change_bit(): toggle the pair bit of `pfn` at `order`; returns the old bit. */
export function toggleBuddyBit(s: State, pfn: number, order: number): number {
  const idx = pfn >> (order + 1);
  const chunk = s.buddyMap[order][idx >> 11];
  const w = (idx >> 5) & 63;
  const bit = 1 << (idx & 31);
  const old = (chunk[w] & bit) !== 0 ? 1 : 0;
  chunk[w] ^= bit;
  return old;
}

export function buddyBit(s: State, pfn: number, order: number): number {
  const idx = pfn >> (order + 1);
  return (s.buddyMap[order][idx >> 11][(idx >> 5) & 63] >>> (idx & 31)) & 1;
}

export function addToFreeList(s: State, pfn: number, order: number): void {
  const area = s.freeArea[order];
  const p = getPage(s, pfn);
  p.order = order;
  p.prev = -1;
  p.next = area.head;
  if (area.head >= 0) getPage(s, area.head).prev = pfn;
  area.head = pfn;
  area.nr++;
}

export function removeFromFreeList(s: State, pfn: number, order: number): void {
  const area = s.freeArea[order];
  const p = getPage(s, pfn);
  if (p.prev >= 0) getPage(s, p.prev).next = p.next;
  else area.head = p.next;
  if (p.next >= 0) getPage(s, p.next).prev = p.prev;
  p.next = -1;
  p.prev = -1;
  p.order = -1;
  area.nr--;
}

/** Take the `order` block at `pfn` out of the free block of order `from` that contains it. */
export function buddyAlloc(s: State, pfn: number, order: number, from: number): void {
  let head = pfn & ~((1 << from) - 1);
  removeFromFreeList(s, head, from);
  if (from < TOP) toggleBuddyBit(s, head, from);
  for (let k = from; k > order; k--) {
    const half = 1 << (k - 1);
    let freeHalf: number;
    if (pfn >= head + half) {
      freeHalf = head;
      head += half;
    } else {
      freeHalf = head + half;
    }
    addToFreeList(s, freeHalf, k - 1);
    toggleBuddyBit(s, freeHalf, k - 1);
  }
  for (let i = 0; i < 1 << order; i++) {
    const p = getPage(s, pfn + i);
    p.count = 1;
    p.age = PAGE_INITIAL_AGE;
  }
  s.nrFree -= 1 << order;
}

/** free_pages_ok(): merge upward while the pair bit says the buddy is free. */
export function buddyFree(s: State, pfn: number, order: number): void {
  for (let i = 0; i < 1 << order; i++) {
    const p = getPage(s, pfn + i);
    p.count = 0;
    p.flags = 0;
    p.age = 0;
  }
  s.nrFree += 1 << order;
  while (order < TOP) {
    if (toggleBuddyBit(s, pfn, order) === 0) break;
    const buddy = pfn ^ (1 << order);
    removeFromFreeList(s, buddy, order);
    pfn &= ~(1 << order);
    order++;
  }
  addToFreeList(s, pfn, order);
}
