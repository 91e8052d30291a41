// Reference policies for strict demand paging. Each picks exactly one victim among the
// user frames and reclaims it through the kernel (reclaim_page / clock_step), so every
// state change is still an event. Their ordering structures (load order, recency, next
// use) live here, outside the machine state: they are derived from the reference stream
// the driver feeds them, deterministic, and never read by the reducer.

import type { Kernel } from '../kernel/kernel.js';
import type { StrictConfig } from '../kernel/config.js';
import { clock_step, reclaim_page } from '../mm/vmscan.js';
import { getPage } from '../state.js';
import type { ReclaimPolicy } from '../include/design.js';

export const STRICT_POLICIES = ['clock', 'fifo', 'lru', 'opt'] as const;
export type StrictPolicyName = (typeof STRICT_POLICIES)[number];

export interface StrictPolicy extends ReclaimPolicy {
  /**
   * The driver reports each reference that mapped `pfn`; `nextUse` is the index of the page's
   * next reference (Infinity: never). Absent when the policy has no use for it (clock, fifo),
   * which spares the driver a page-table walk per reference.
   */
  referenced?(pfn: number, nextUse: number): void;
}

/** The page-centric clock of mm/vmscan.c, its hand wrapping over the user frames only. */
function strictClock(st: StrictConfig): StrictPolicy {
  const lo = st.userBase,
    hi = st.userBase + st.userFrames;
  return {
    kind: 'reclaim',
    name: 'clock',
    summary: 'the page-centric clock, its hand wrapping over the user frames only',
    caps: { needsRmap: true, lapsMemMap: true, readsRefOnLoad: true },
    tryToFreePage(k) {
      // one turn clears every accessed bit, the next finds one clear
      for (let i = 0; i <= 2 * st.userFrames; i++) if (clock_step(k, lo, hi)) return true;
      return false;
    },
    // no referenced(): the MMU's accessed bit is the clock's only input
  };
}

/** A doubly linked list of frames, head = most recently loaded (fifo) or used (lru); victims from the tail. */
function listPolicy(name: 'fifo' | 'lru', st: StrictConfig): StrictPolicy {
  const n = st.userFrames,
    base = st.userBase;
  const prev = new Int32Array(n).fill(-1),
    next = new Int32Array(n).fill(-1);
  const on = new Uint8Array(n);
  let head = -1,
    tail = -1;
  const remove = (i: number): void => {
    if (!on[i]) return;
    if (prev[i] >= 0) next[prev[i]] = next[i];
    else head = next[i];
    if (next[i] >= 0) prev[next[i]] = prev[i];
    else tail = prev[i];
    prev[i] = next[i] = -1;
    on[i] = 0;
  };
  const push = (i: number): void => {
    remove(i);
    prev[i] = -1;
    next[i] = head;
    if (head >= 0) prev[head] = i;
    else tail = i;
    head = i;
    on[i] = 1;
  };
  return {
    kind: 'reclaim',
    name,
    summary: name === 'fifo' ? 'first in, first out by load time' : 'least recently referenced first',
    caps: { needsRmap: true },
    allocated(_k, pfn) {
      push(pfn - base);
    },
    // fifo orders by load alone
    referenced: name === 'lru' ? (pfn: number) => push(pfn - base) : undefined,
    tryToFreePage(k: Kernel) {
      // stale entries (frames freed by exit or munmap) are dropped; a pinned page goes to the head
      for (let tries = 0; tries <= n && tail >= 0; tries++) {
        const i = tail;
        const pfn = base + i;
        if (getPage(k.s, pfn).count === 0) {
          remove(i);
          continue;
        }
        if (reclaim_page(k, pfn)) {
          remove(i);
          return true;
        }
        push(i);
      }
      return false;
    },
  };
}

/**
 * Belady's OPT: evict the resident page whose next use is furthest away. A max segment
 * tree over the frames' next-use indices gives the victim in O(log n); ties (pages never
 * used again) go to the lowest frame, which does not change the fault count.
 */
function optPolicy(st: StrictConfig): StrictPolicy {
  const n = st.userFrames,
    base = st.userBase;
  let size = 1;
  while (size < n) size <<= 1;
  const tree = new Float64Array(2 * size).fill(-1);
  const set = (i: number, v: number): void => {
    let p = size + i;
    tree[p] = v;
    for (p >>= 1; p >= 1; p >>= 1) tree[p] = Math.max(tree[2 * p], tree[2 * p + 1]);
  };
  return {
    kind: 'reclaim',
    name: 'opt',
    summary: "Belady's optimum: the page whose next use is furthest away",
    caps: { needsRmap: true },
    allocated(_k, pfn) {
      set(pfn - base, -1);
    },
    referenced(pfn, nextUse) {
      set(pfn - base, nextUse);
    },
    tryToFreePage(k) {
      for (let tries = 0; tries <= n && tree[1] >= 0; tries++) {
        let p = 1;
        while (p < size) p = tree[2 * p] >= tree[2 * p + 1] ? 2 * p : 2 * p + 1;
        const i = p - size;
        const ok = getPage(k.s, base + i).count !== 0 && reclaim_page(k, base + i);
        set(i, -1);
        if (ok) return true;
      }
      return false;
    },
  };
}

export function makeStrictPolicy(name: string, st: StrictConfig): StrictPolicy {
  switch (name) {
    case 'clock':
      return strictClock(st);
    case 'fifo':
    case 'lru':
      return listPolicy(name, st);
    case 'opt':
      return optPolicy(st);
    default:
      throw new Error(`unknown strict policy '${name}': allowed values are ${STRICT_POLICIES.join(', ')}`);
  }
}
