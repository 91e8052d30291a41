// 2.4.0's page lists (policy active-inactive): intrusive doubly-linked lists through
// page.lruNext / lruPrev, like the buddy free lists. New pages go to the head; the
// scanners take pages from the tail. A page is on at most one list, and its PG_active /
// PG_inactive_dirty / PG_inactive_clean flag names it.

import { PG_LRU, PG_active, PG_inactive_clean, PG_inactive_dirty } from '../mm/page-flags.js';
import { getPage, type LruState, type State } from '../state.js';

export const LRU_ACTIVE = 0;
export const LRU_INACTIVE_DIRTY = 1;
export const LRU_INACTIVE_CLEAN = 2;
export const LRU_NAMES = ['active', 'inactive_dirty', 'inactive_clean'] as const;
export const LRU_FLAG = [PG_active, PG_inactive_dirty, PG_inactive_clean] as const;

/** The list a page's flags put it on, or -1. */
export function lruListOf(flags: number): number {
  if ((flags & PG_LRU) === 0) return -1;
  return (flags & PG_active) !== 0 ? LRU_ACTIVE : (flags & PG_inactive_dirty) !== 0 ? LRU_INACTIVE_DIRTY : LRU_INACTIVE_CLEAN;
}

function linkHead(s: State, lru: LruState, pfn: number, list: number): void {
  const l = lru.lists[list];
  const p = getPage(s, pfn);
  p.lruPrev = -1;
  p.lruNext = l.head;
  if (l.head >= 0) getPage(s, l.head).lruPrev = pfn;
  else l.tail = pfn;
  l.head = pfn;
  l.nr++;
  p.flags = (p.flags & ~PG_LRU) | LRU_FLAG[list];
}

function unlink(s: State, lru: LruState, pfn: number, list: number): void {
  const l = lru.lists[list];
  const p = getPage(s, pfn);
  const prev = p.lruPrev ?? -1,
    next = p.lruNext ?? -1;
  if (prev >= 0) getPage(s, prev).lruNext = next;
  else l.head = next;
  if (next >= 0) getPage(s, next).lruPrev = prev;
  else l.tail = prev;
  p.lruNext = -1;
  p.lruPrev = -1;
  l.nr--;
  p.flags &= ~PG_LRU;
}

/** lru_add: a page on a list already is an error (counted, the event otherwise ignored). */
export function lruAdd(s: State, lru: LruState, pfn: number, list: number): void {
  if (lruListOf(getPage(s, pfn).flags) >= 0) {
    lru.errors++;
    return;
  }
  linkHead(s, lru, pfn, list);
}

/** lru_move: a page on no list is an error. */
export function lruMove(s: State, lru: LruState, pfn: number, list: number): void {
  const cur = lruListOf(getPage(s, pfn).flags);
  if (cur < 0) {
    lru.errors++;
    return;
  }
  unlink(s, lru, pfn, cur);
  linkHead(s, lru, pfn, list);
}

/** lru_del: a page on no list is an error. */
export function lruDel(s: State, lru: LruState, pfn: number): void {
  const cur = lruListOf(getPage(s, pfn).flags);
  if (cur < 0) {
    lru.errors++;
    return;
  }
  unlink(s, lru, pfn, cur);
}
