// Bisect, part 2: inside the failing operation, name the event that created the bad
// state. The operation is replayed twice from its start. The first pass collects what it
// touched (ptes with every page they mapped or were linked to, and pages) and finds which
// of them are inconsistent at its end; the second follows those few event by event. The
// culprit is where a subject's final stretch of inconsistency began (the pte_set whose
// pte is never linked, the pte_clear that leaves its link behind, the pt_free under live
// links), or, when that stretch contains a pte_link onto a page the pte does not map,
// that link (a link to the wrong page is the bug, not the pte_set before it).
//
// The subjects' rules are the full check's, restricted to one pte or page: a pte maps a
// user page iff it is on that page's chain exactly once, a slot that maps none has a
// NULL link, and a page's count is its present ptes plus its page-cache reference.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { pte_addr, pte_table_pfn, readLink, readPte } from '../arch/i386/pgtable.js';
import { PG_pgtable, PG_reserved } from '../mm/page-flags.js';
import { apply } from '../reducer/index.js';
import { rmapDesign } from '../rmap/index.js';
import { copyState } from '../snapshot/clone.js';
import { getPage, type State } from '../state.js';
import type { Event } from '../events.js';
import { hex } from '../check/violation.js';
import { checkState } from '../check/invariants.js';

export interface Culprit {
  event: number;
  /** What it broke: `pte 0x…` or `page N`. */
  subject: { pte?: number; page?: number };
  reason: string;
}

const isUser = (s: State, pfn: number): boolean => pfn < s.nframes && (getPage(s, pfn).flags & PG_reserved) === 0;

class Tracker {
  readonly mapped: Int32Array;
  readonly ptes = new Map<number, Set<number>>();
  readonly pages = new Set<number>();

  constructor(s: State) {
    this.mapped = new Int32Array(s.nframes);
    for (const key in s.pts) {
      for (const c of s.pts[key].pte) for (const v of c) if (pte_present(v) && isUser(s, pte_pfn(v))) this.mapped[pte_pfn(v)]++;
    }
  }

  private pte(x: number, ...pfns: number[]): void {
    let c = this.ptes.get(x);
    if (c === undefined) this.ptes.set(x, (c = new Set()));
    for (const p of pfns) {
      c.add(p);
      this.pages.add(p);
    }
  }

  private change(s: State, old: number, val: number): void {
    if (pte_present(old) && isUser(s, pte_pfn(old))) this.mapped[pte_pfn(old)]--;
    if (pte_present(val) && isUser(s, pte_pfn(val))) this.mapped[pte_pfn(val)]++;
  }

  /** Call before applying `e`. */
  before(s: State, e: Event): void {
    switch (e.t) {
      case 'pte_set':
      case 'pte_clear':
      case 'pte_mkold':
      case 'hw_access': {
        const old = readPte(s, e.pte);
        const val = e.t === 'pte_set' ? e.val : e.t === 'pte_clear' ? 0 : old;
        const pfns = [old, val]
          .filter(pte_present)
          .map(pte_pfn)
          .filter((p) => p < s.nframes);
        this.pte(e.pte, ...pfns);
        this.change(s, old, val);
        return;
      }
      case 'pte_link':
      case 'pte_unlink': {
        const old = readPte(s, e.pte);
        this.pte(e.pte, e.pfn, ...(pte_present(old) && pte_pfn(old) < s.nframes ? [pte_pfn(old)] : []));
        return;
      }
      case 'pt_free': {
        const pt = s.pts[e.pfn];
        if (pt === undefined) return;
        for (let slot = 0; slot < 1024; slot++) {
          const v = pt.pte[slot >> 6][slot & 63];
          if (v === 0) continue;
          this.pte(pte_addr(pt.pfn, slot), ...(pte_present(v) && pte_pfn(v) < s.nframes ? [pte_pfn(v)] : []));
          this.change(s, v, 0);
        }
        return;
      }
      case 'page_alloc':
      case 'page_free':
        for (let i = 0; i < 1 << e.order; i++) this.pages.add(e.pfn + i);
        return;
      case 'get_page':
      case 'put_page':
      case 'page_cache_add':
      case 'page_cache_del':
        this.pages.add(e.pfn);
        return;
      default:
    }
  }

  badPte(s: State, x: number): string | null {
    const design = rmapDesign(s.rmap);
    const v = readPte(s, x);
    const live = s.pts[pte_table_pfn(x)] !== undefined;
    const maps = pte_present(v) && isUser(s, pte_pfn(v)) ? pte_pfn(v) : -1;
    for (const p of this.ptes.get(x) ?? []) {
      if (!isUser(s, p)) continue;
      const rep = design.entries(s, p);
      const n = rep.ptes.filter((q) => q === x).length;
      if (rep.problem !== null && (n > 0 || new RegExp(`\\b${hex(x)}\\b`).test(rep.problem)))
        return `page ${p}'s chain is broken at pte ${hex(x)}: ${rep.problem}`;
      const want = maps === p ? 1 : 0;
      if (n !== want) {
        if (want === 1) return `pte ${hex(x)} maps page ${p} but is not on its chain`;
        if (!live) return `pte ${hex(x)} is on page ${p}'s chain but its page table was freed`;
        return maps < 0
          ? `pte ${hex(x)} is on page ${p}'s chain but maps no page (value ${hex(v)})`
          : `pte ${hex(x)} is on page ${p}'s chain but maps page ${maps}`;
      }
    }
    if (live && maps < 0 && readLink(s, x) !== 0) return `pte ${hex(x)} maps no page but its link is ${hex(readLink(s, x))}`;
    return null;
  }

  badPage(s: State, pfn: number): string | null {
    if (!isUser(s, pfn)) return null;
    const p = getPage(s, pfn);
    if ((p.flags & PG_pgtable) !== 0) return null;
    if (p.count === 0)
      return p.rmap !== 0 || p.mapcount !== 0
        ? `page ${pfn} is free but still has a reverse map (head ${hex(p.rmap)}, map count ${p.mapcount})`
        : null;
    const want = this.mapped[pfn] + (p.inode !== 0 ? 1 : 0);
    return p.count !== want
      ? `page ${pfn} has count ${p.count} but ${this.mapped[pfn]} mapping pte(s)${p.inode ? ' + page cache' : ''}`
      : null;
  }
}

/** `s0` is the state at the operation's start (not modified); `events` are the operation's, with their indices. */
export function findCulprit(s0: State, events: ReadonlyArray<[number, Event]>): Culprit | null {
  // Pass 1: what the operation touched, and which of it is inconsistent at the end.
  let s = copyState(s0);
  let t = new Tracker(s);
  for (const [, e] of events) {
    t.before(s, e);
    apply(s, e);
  }
  const badPtes = [...t.ptes.keys()].filter((x) => t.badPte(s, x) !== null);
  const badPages = [...t.pages].filter((p) => t.badPage(s, p) !== null);
  if (badPtes.length === 0 && badPages.length === 0) return null;
  const subjects = t.ptes;

  // Pass 2: follow only those, event by event.
  s = copyState(s0);
  t = new Tracker(s);
  for (const [x, c] of subjects) t.ptes.set(x, new Set(c));
  const runStart = new Map<string, number>();
  const wrongLink = new Map<number, number>();
  for (const [i, e] of events) {
    const wrong =
      e.t === 'pte_link' && badPtes.includes(e.pte) && !(pte_present(readPte(s, e.pte)) && pte_pfn(readPte(s, e.pte)) === e.pfn);
    t.before(s, e);
    apply(s, e);
    for (const x of badPtes) {
      const k = `pte ${x}`;
      if (t.badPte(s, x) === null) {
        runStart.delete(k);
        wrongLink.delete(x);
        continue;
      }
      if (!runStart.has(k)) runStart.set(k, i);
      if (wrong && e.pte === x && !wrongLink.has(x)) wrongLink.set(x, i);
    }
    for (const p of badPages) {
      const k = `page ${p}`;
      if (t.badPage(s, p) === null) runStart.delete(k);
      else if (!runStart.has(k)) runStart.set(k, i);
    }
  }
  let best: Culprit | null = null;
  for (const x of badPtes) {
    const at = wrongLink.get(x) ?? runStart.get(`pte ${x}`);
    if (at !== undefined && (best === null || at < best.event)) best = { event: at, subject: { pte: x }, reason: t.badPte(s, x) as string };
  }
  for (const p of badPages) {
    const at = runStart.get(`page ${p}`);
    if (at !== undefined && (best === null || at < best.event))
      best = { event: at, subject: { page: p }, reason: t.badPage(s, p) as string };
  }
  return best;
}

/**
 * When no single pte or page explains the failure (a global invariant: the rmapErrors
 * counter, the swap map, buddy lists), re-run the full check restricted to the failed
 * invariants after every event of the operation and name where the last stretch of failure
 * began. Costs one full check per event, so long operations are capped.
 */
export function findCulpritByCheck(
  s0: State,
  events: ReadonlyArray<[number, Event]>,
  invariants: ReadonlySet<string>,
  cap = 4000,
): Culprit | null {
  if (events.length > cap) return null;
  const s = copyState(s0);
  let start: number | null = null;
  let why = '';
  for (const [i, e] of events) {
    const errors = s.stats.rmapErrors;
    apply(s, e);
    if (s.stats.rmapErrors > errors) {
      const r = e as unknown as Record<string, number>;
      return {
        event: i,
        subject: { pte: r.pte, page: r.pfn },
        reason: `${e.t} of pte ${hex(r.pte ?? 0)} on page ${r.pfn} was refused by the reverse map (counted in rmapErrors)`,
      };
    }
    const v = checkState(s, invariants);
    if (v.length === 0) start = null;
    else if (start === null) {
      start = i;
      why = v[0].message;
    }
  }
  return start === null ? null : { event: start, subject: {}, reason: why };
}
