// The seed's "kswapd using active/inactive/freeable queues" as two policies sharing one state:
// - active-inactive: 2.4.0 as released (kernel code: src/mm/vmscan-240.ts): no reverse map;
//   only unmapped pages are deactivated, swap_out's page-table walk does the unmapping.
// - 2.4-rmap: van Riel's 2.4-rmap style (kernel code: src/mm/vmscan-lru.ts): the lists aged
//   and emptied through the reverse map.
// This module is their state: the three intrusive lists (new pages at the head, scans from
// the tail; a page is on at most one list and its PG_active / PG_inactive_dirty /
// PG_inactive_clean flag names it), the events that change them, the hooks where pages
// enter and leave, and the list invariant. 2.4.0's swap_out also keeps 2.1.47's per-process
// cursors (src/reclaim/old.ts), so its slice carries them too.

import type { Handlers, ReclaimPolicy } from '../include/design.js';
import { try_to_free_page_240 } from '../mm/vmscan-240.js';
import { oldPolicy } from './old.js';
import { PG_LRU } from '../include/page-flags.js';
import type { Rule } from '../include/rules.js';
import {
  LRU_ACTIVE,
  LRU_FLAG,
  LRU_NAMES,
  type LruSlice,
  lru_cache_add,
  lruListOf,
  lruSlice,
  PAGE_AGE_START,
  try_to_free_page_lists,
} from '../mm/vmscan-lru.js';
import { countScan } from '../reducer/index.js';
import { chunked, getChunked, getPage, setChunked, type State } from '../state.js';

function linkHead(s: State, lru: LruSlice, pfn: number, list: number): void {
  const l = lru.lists[list];
  const p = getPage(s, pfn);
  setChunked(lru.prev, pfn, -1);
  setChunked(lru.next, pfn, l.head);
  if (l.head >= 0) setChunked(lru.prev, l.head, pfn);
  else l.tail = pfn;
  l.head = pfn;
  l.nr++;
  p.flags = (p.flags & ~PG_LRU) | LRU_FLAG[list];
}

function unlink(s: State, lru: LruSlice, pfn: number, list: number): void {
  const l = lru.lists[list];
  const p = getPage(s, pfn);
  const prev = getChunked(lru.prev, pfn),
    next = getChunked(lru.next, pfn);
  if (prev >= 0) setChunked(lru.next, prev, next);
  else l.head = next;
  if (next >= 0) setChunked(lru.prev, next, prev);
  else l.tail = prev;
  setChunked(lru.next, pfn, -1);
  setChunked(lru.prev, pfn, -1);
  l.nr--;
  p.flags &= ~PG_LRU;
}

function listArg(lru: LruSlice, t: string, list: number): void {
  if (!(list >= 0 && list < lru.lists.length)) throw new RangeError(`${t}: list ${list} is not 0..${lru.lists.length - 1}`);
}

/**
 * The lists' invariant: walk each list from its head, following next and checking prev
 * back; every page on it carries that list's flag only, is in use, and is seen once; the
 * counter and tail match the walk; every page with a list flag was met on its list.
 */
const lruListsRule: Rule = {
  name: 'lru-lists',
  description:
    'a page is on at most one LRU list, its flag matches that list, list counters equal list lengths, and no freed page is on a list (active-inactive)',
  scope: 'global',
  // the lists hold user pages only: short enough to walk after every operation
  cheap: true,
  check(v, _id, out) {
    const s = v.s;
    const lru = lruSlice(s);
    const bad = (message: string, page?: number): void => {
      out.push({ invariant: 'lru-lists', message, page });
    };
    if (lru.errors > 0) bad(`${lru.errors} lru_add of a page already on a list, or lru_move/lru_del of a page on none`);
    if (lru.freedOnList > 0) bad(`${lru.freedOnList} page_free(s) of a page still on an LRU list (missing lru_del)`);
    const seen = new Int8Array(s.nframes).fill(-1);
    for (let list = 0; list < lru.lists.length; list++) {
      const l = lru.lists[list];
      let n = 0;
      let prev = -1;
      for (let pfn = l.head; pfn >= 0; ) {
        if (pfn >= s.nframes) {
          bad(`${LRU_NAMES[list]} list links to pfn ${pfn}, outside mem_map`, prev);
          break;
        }
        if (seen[pfn] >= 0) {
          bad(
            `page is met again on the ${LRU_NAMES[list]} list (already on ${LRU_NAMES[seen[pfn]]}): a page is on two lists or a list cycles`,
            pfn,
          );
          break;
        }
        seen[pfn] = list;
        const p = getPage(s, pfn);
        if ((p.flags & PG_LRU) !== LRU_FLAG[list]) {
          const on = lruListOf(p.flags);
          bad(`page is on the ${LRU_NAMES[list]} list but its flags say ${on < 0 ? 'no list' : LRU_NAMES[on]}`, pfn);
        }
        if (p.count === 0) bad(`free page is on the ${LRU_NAMES[list]} list`, pfn);
        const back = getChunked(lru.prev, pfn);
        if (back !== prev) bad(`lruPrev is ${back}, expected ${prev} on the ${LRU_NAMES[list]} list`, pfn);
        n++;
        prev = pfn;
        pfn = getChunked(lru.next, pfn);
      }
      if (l.tail !== prev) bad(`${LRU_NAMES[list]} list tail is ${l.tail}, the walk ends at ${prev}`);
      if (l.nr !== n) bad(`${LRU_NAMES[list]} list counter is ${l.nr}, the list holds ${n} page(s)`);
    }
    for (let pfn = 0; pfn < s.nframes; pfn++) {
      const list = lruListOf(getPage(s, pfn).flags);
      if (list >= 0 && seen[pfn] !== list) bad(`page's flags put it on the ${LRU_NAMES[list]} list, but it is not on it`, pfn);
    }
  },
};

const emptyLists = (nframes: number): LruSlice => ({
  lists: Array.from({ length: 3 }, () => ({ head: -1, tail: -1, nr: 0 })),
  next: chunked(nframes, () => -1),
  prev: chunked(nframes, () => -1),
  errors: 0,
  freedOnList: 0,
});

const lruHandlers: Handlers = {
  /** add_page_to_*_list: a page already on a list is an error (counted, the event otherwise ignored). */
  lru_add(s, e) {
    const lru = lruSlice(s);
    listArg(lru, e.t, e.list);
    if (lruListOf(getPage(s, e.pfn).flags) >= 0) lru.errors++;
    else linkHead(s, lru, e.pfn, e.list);
  },
  /** Off its list and onto the head of `list` (a rotation when it is the same list); a page on none is an error. */
  lru_move(s, e) {
    const lru = lruSlice(s);
    listArg(lru, e.t, e.list);
    const cur = lruListOf(getPage(s, e.pfn).flags);
    if (cur < 0) {
      lru.errors++;
      return;
    }
    unlink(s, lru, e.pfn, cur);
    linkHead(s, lru, e.pfn, e.list);
  },
  lru_del(s, e) {
    const lru = lruSlice(s);
    const cur = lruListOf(getPage(s, e.pfn).flags);
    if (cur < 0) lru.errors++;
    else unlink(s, lru, e.pfn, cur);
  },
  lru_scan(s, e) {
    countScan(s, e.ptes);
  },
  // A page still on a list must have left it (lru_del) first: counted for the checker. Its
  // links stay behind in the list, so the list walk finds a free page on it too.
  page_free(s, e) {
    for (let i = 0; i < 1 << e.order; i++) if ((getPage(s, e.pfn + i).flags & PG_LRU) !== 0) lruSlice(s).freedOnList++;
  },
};

const lruHooks: ReclaimPolicy['hooks'] = {
  pageAdded: lru_cache_add,
  // the page-cache page starts at PAGE_AGE_START (page_cache_add set 2.1's PAGE_AGE_VALUE)
  pageCached: (k, pfn) => k.emit({ t: 'page_age', pfn, age: PAGE_AGE_START }),
  pageFreeing: (k, pfn) => {
    if ((getPage(k.s, pfn).flags & PG_LRU) !== 0) k.emit({ t: 'lru_del', pfn });
  },
  // dst takes src's list (at its head; the position is not kept)
  pageMoved: (k, from, to) => {
    const list = lruListOf(getPage(k.s, from).flags);
    if (list < 0) return;
    k.emit({ t: 'lru_add', pfn: to, list });
    k.emit({ t: 'lru_del', pfn: from });
  },
};

/** van Riel's 2.4-rmap style: the lists aged, laundered and emptied through the reverse map. */
export const rmap24Policy: ReclaimPolicy = {
  kind: 'reclaim',
  name: '2.4-rmap',
  summary: "van Riel's 2.4-rmap: 2.4's active / inactive_dirty / inactive_clean lists, ageing and unmapping through the reverse map",
  caps: { needsRmap: true },
  initialSlice: (b) => emptyLists(b.nframes),
  owns: ['lru_add', 'lru_move', 'lru_del', 'lru_scan'],
  handlers: lruHandlers,
  rules: [lruListsRule],
  tryToFreePage: try_to_free_page_lists,
  hooks: lruHooks,
};

/**
 * 2.4.0 as released: the same lists without a reverse map; refill_inactive_scan deactivates
 * only unmapped pages and swap_out's page-table walk (2.1.47's task cursors) unmaps.
 */
export const activeInactivePolicy: ReclaimPolicy = {
  kind: 'reclaim',
  name: 'active-inactive',
  summary: "2.4.0's active / inactive_dirty / inactive_clean lists; swap_out's page-table walk unmaps, no reverse map needed",
  // measured: 835,360 events against the clock's 123,529 for x486 seed 1's 100,000 steps (docs/designs.md)
  caps: { needsRmap: false, relativeCost: 7 },
  initialSlice: (b) => ({ ...emptyLists(b.nframes), ...(oldPolicy.initialSlice?.(b) as object) }),
  owns: ['lru_add', 'lru_move', 'lru_del', 'lru_scan', 'swap_cnt', 'swap_address', 'swap_scan', 'swap_skip', 'free_state'],
  handlers: {
    ...lruHandlers,
    swap_skip: oldPolicy.handlers?.swap_skip,
    swap_cnt: oldPolicy.handlers?.swap_cnt,
    swap_address: oldPolicy.handlers?.swap_address,
    swap_scan: oldPolicy.handlers?.swap_scan,
    free_state: oldPolicy.handlers?.free_state,
    mm_destroy: oldPolicy.handlers?.mm_destroy,
  },
  rules: [lruListsRule],
  tryToFreePage: try_to_free_page_240,
  hooks: lruHooks,
};

export { LRU_ACTIVE };
