// LaHaise's pte chains (1997): every page table is an order-1 block and the second page
// holds, per pte slot, the address of the next pte mapping the same page. page->rmap holds
// the first pte. Normal mode ends the list with NULL; debug mode (chainMode 1) keeps it
// circular, closing on the head, as the posted patch did. The link pages live in this
// design's slice, keyed by the page table they belong to (the second frame of its block).

import { PAGE_SIZE, PTRS_PER_PTE } from '../arch/i386/page.js';
import { pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import { PG_pgtable } from '../include/page-flags.js';
import { getPage, type State } from '../state.js';
import type { DeepReadonly } from '../include/readonly.js';

export interface LinkPageSlice {
  /** 1: circular lists (the seed's debug build), 0: NULL-terminated. */
  circular: number;
  /** Page-table pfn -> its link page: per pte slot, the next pte mapping the same page. */
  links: Record<number, number[][]>;
}

function slice(s: State): LinkPageSlice;
function slice(s: DeepReadonly<State>): DeepReadonly<LinkPageSlice>;
function slice(s: DeepReadonly<State>): DeepReadonly<LinkPageSlice> {
  return s.slices.rmap as LinkPageSlice;
}
const emptyLinks = (): number[][] => Array.from({ length: PTRS_PER_PTE / 64 }, () => new Array<number>(64).fill(0));

function getLink(s: DeepReadonly<State>, pte: number): number {
  const l = slice(s).links[pte_table_pfn(pte)];
  if (l === undefined) return 0;
  const slot = pte_slot(pte);
  return l[slot >> 6][slot & 63];
}

function setLink(s: State, pte: number, next: number): void {
  const l = slice(s).links[pte_table_pfn(pte)];
  if (l === undefined) return; // a link into a freed table: the checker reports the dangling entry
  const slot = pte_slot(pte);
  l[slot >> 6][slot & 63] = next;
}

/** Upper bound on any chain walk: cycles are caught by `seen`; this only bounds a broken walk. */
function chainLimit(s: DeepReadonly<State>): number {
  return s.nframes * PTRS_PER_PTE + 1;
}

/** The chain from `head` with every structural problem named: a Set of the ptes seen catches any cycle. */
function walkChain(s: DeepReadonly<State>, head: number): ChainReport {
  const ptes: number[] = [];
  const circular = slice(s).circular === 1;
  const seen = new Set<number>();
  const limit = chainLimit(s);
  let pte = head;
  for (;;) {
    if (seen.has(pte)) {
      return {
        ptes,
        problem: circular
          ? `chain loops back to pte 0x${pte.toString(16)} instead of closing on the head 0x${head.toString(16)}`
          : `chain loops back to pte 0x${pte.toString(16)} (a NULL-terminated chain must not cycle)`,
      };
    }
    if (s.pts[pte_table_pfn(pte)] === undefined) {
      return { ptes, problem: `chain entry 0x${pte.toString(16)} is not in any allocated page table` };
    }
    seen.add(pte);
    ptes.push(pte);
    if (ptes.length > limit) return { ptes, problem: 'chain longer than all pte slots' };
    const next = getLink(s, pte);
    if (circular && next === head) return { ptes, problem: null };
    if (next === 0) {
      return { ptes, problem: circular ? `circular chain ends in NULL at pte 0x${pte.toString(16)}` : null };
    }
    pte = next;
  }
}

/**
 * The common case without a Set: a chain that ends (NULL, or back at its head when circular)
 * within map count + 1 entries, all in allocated tables, has no cycle (a walk into a cycle
 * never ends). Anything else returns null and is walked by walkChain for the problem.
 */
function soundChain(s: DeepReadonly<State>, pfn: number, head: number): ChainReport | null {
  const circular = slice(s).circular === 1;
  const max = Math.min(getPage(s, pfn).mapcount + 1, chainLimit(s));
  const ptes: number[] = [];
  let pte = head;
  while (ptes.length < max) {
    if (s.pts[pte_table_pfn(pte)] === undefined) return null;
    ptes.push(pte);
    const next = getLink(s, pte);
    if (circular ? next === head : next === 0) return { ptes, problem: null };
    if (next === 0) return null;
    pte = next;
  }
  return null;
}

export const pteChain: RmapDesign = {
  kind: 'rmap',
  name: 'pte-chain',
  summary: "the seed's order-1 page tables whose second page links each pte to the next mapping the same page",
  caps: { tracksPtes: true, ptOrder: 1 },
  initialSlice: (b): LinkPageSlice => ({ circular: b.options.chainMode === 1 ? 1 : 0, links: {} }),
  handlers: {
    // the block's second frame is the link page
    pt_alloc(s, e) {
      slice(s).links[e.pfn] = emptyLinks();
      getPage(s, e.pfn + 1).flags |= PG_pgtable;
    },
    pt_free(s, e) {
      delete slice(s).links[e.pfn];
      getPage(s, e.pfn + 1).flags &= ~PG_pgtable;
    },
  },
  head: (s, pfn) => getPage(s, pfn).rmap,

  link(s, pte, pfn) {
    const page = getPage(s, pfn);
    if (slice(s).circular === 1) {
      if (page.rmap === 0) setLink(s, pte, pte);
      else {
        setLink(s, pte, getLink(s, page.rmap));
        setLink(s, page.rmap, pte);
      }
      if (page.rmap === 0) page.rmap = pte;
    } else {
      setLink(s, pte, page.rmap);
      page.rmap = pte;
    }
    page.mapcount++;
    return true;
  },

  unlink(s, pte, pfn) {
    const page = getPage(s, pfn);
    const head = page.rmap;
    if (head === 0) return false;
    const circular = slice(s).circular === 1;
    const end = circular ? head : 0;
    let limit = page.mapcount + 1;
    if (head === pte) {
      const next = getLink(s, pte);
      page.rmap = circular ? (next === pte ? 0 : next) : next;
      if (circular && page.rmap !== 0) {
        // the last element points at the old head; find it and close on the new head
        let q = next;
        while (getLink(s, q) !== pte && limit-- > 0) q = getLink(s, q);
        setLink(s, q, next);
      }
    } else {
      let prev = head;
      let cur = getLink(s, head);
      while (cur !== pte) {
        if (cur === end || cur === 0 || limit-- <= 0) return false;
        prev = cur;
        cur = getLink(s, cur);
      }
      setLink(s, prev, getLink(s, pte));
    }
    setLink(s, pte, 0);
    page.mapcount--;
    return true;
  },

  forEach(s, pfn, fn) {
    const head = getPage(s, pfn).rmap;
    if (head === 0) return;
    const end = slice(s).circular === 1 ? head : 0;
    let limit = getPage(s, pfn).mapcount + 1; // a kernel walk trusts the map count
    let pte = head;
    do {
      fn(pte);
      pte = getLink(s, pte);
    } while (pte !== end && pte !== 0 && --limit > 0);
  },

  // forEach's walk, counted without a callback per entry: the trace fault path unlinks a pte
  // from a chain of one on every eviction, where the head is the pte and its link is not read
  unlinkSteps(s, pte, pfn) {
    const page = getPage(s, pfn);
    const head = page.rmap;
    if (head === 0) return 0;
    if (head === pte) return 1;
    const end = slice(s).circular === 1 ? head : 0;
    let limit = page.mapcount + 1; // forEach's bound: a kernel walk trusts the map count
    let steps = 0;
    let p = head;
    do {
      steps++;
      if (p === pte) return steps;
      p = getLink(s, p);
    } while (p !== end && p !== 0 && --limit > 0);
    return steps;
  },

  entries(s, pfn): ChainReport {
    const head = getPage(s, pfn).rmap;
    if (head === 0) return { ptes: [], problem: null };
    return soundChain(s, pfn, head) ?? walkChain(s, head);
  },

  slotLink: getLink,

  linkedSlots(s) {
    const out: number[] = [];
    for (const key in slice(s).links) {
      const l = slice(s).links[key];
      for (let c = 0; c < l.length; c++)
        for (let i = 0; i < l[c].length; i++) if (l[c][i] !== 0) out.push(Number(key) * PAGE_SIZE + (c * 64 + i) * 4);
    }
    return out;
  },

  // one link page per page table
  overhead: (s) => {
    const n = Object.keys(slice(s).links).length;
    return { bytes: n * PAGE_SIZE, frames: n };
  },
};
