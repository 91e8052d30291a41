// Bisect, part 2: inside the failing operation, name the event that created the bad
// state. The operation is replayed twice from its start. The first pass collects what it
// touched (ptes with every page they mapped or were linked to, and pages) and finds which
// of them are inconsistent at its end; the second follows those few event by event. The
// culprit is where a subject's final stretch of inconsistency began (the pte_set whose
// pte is never linked, the pte_clear that leaves its link behind, the pt_free under live
// links), or, when that stretch contains a pte_link onto a page the pte does not map,
// that link (a link to the wrong page is the bug, not the pte_set before it).
//
// The subjects' rules are the full check's own (src/check/rules.ts and the designs'),
// run on one pte (the page rules of every page it touched, kept to violations naming it,
// and the pte rules) or one page, over a pte index kept exact event by event.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { readPteSafe } from '../check/rules.js';
import { touches } from '../check/local.js';
import { IndexedView, rulesFor, runRules } from '../check/view.js';
import { checkState } from '../check/invariants.js';
import { hex } from '../check/violation.js';
import type { Rule } from '../include/rules.js';
import { apply } from '../reducer/index.js';
import { copyState } from '../snapshot/copy.js';
import type { State } from '../state.js';
import type { Event } from '../events.js';

export interface Culprit {
  event: number;
  /** What it broke: `pte 0x…` or `page N`. */
  subject: { pte?: number; page?: number };
  reason: string;
}

/** The page invariants a page can break on its own (not through one of its ptes). */
const PAGE_OWN = new Set(['page-count', 'free-page']);

class Tracker {
  readonly ptes = new Map<number, Set<number>>();
  readonly pages = new Set<number>();
  private view: IndexedView;
  private readonly rules: readonly Rule[];

  constructor(private readonly s: State) {
    this.view = new IndexedView(s);
    this.rules = rulesFor(s);
  }

  /** Call before applying `e`. */
  before(e: Event): void {
    touches(
      this.s,
      e,
      (x, pfns) => {
        let c = this.ptes.get(x);
        if (c === undefined) this.ptes.set(x, (c = new Set()));
        for (const p of pfns) {
          c.add(p);
          this.pages.add(p);
        }
      },
      (p) => this.pages.add(p),
    );
    const s = this.s;
    switch (e.t) {
      case 'pte_set':
      case 'pte_clear':
        this.view.update(e.pte, readPteSafe(s, e.pte), e.t === 'pte_set' ? e.val : 0);
        return;
      case 'pt_free': {
        const pt = s.pts[e.pfn];
        if (pt === undefined) return;
        for (let slot = 0; slot < 1024; slot++) {
          const v = pt.pte[slot >> 6][slot & 63];
          if (v !== 0) this.view.update(e.pfn * 4096 + slot * 4, v, 0);
        }
        return;
      }
      default:
        this.view.invalidate();
        this.view.buddyChanged();
    }
  }

  /** After applying: the reverse maps may have changed. */
  after(): void {
    this.view.invalidate();
  }

  badPte(x: number): string | null {
    const pages = [...(this.ptes.get(x) ?? [])].filter((p) => p >= 0 && p < this.s.nframes);
    const v = runRules(this.view, this.rules, { pages, ptes: [x], tables: [], global: false });
    const hit =
      v.find((w) => w.pte === x) ?? v.find((w) => w.invariant === 'chain-terminates' && new RegExp(`\\b${hex(x)}\\b`).test(w.message));
    return hit === undefined
      ? null
      : `pte ${hex(x)}: ${hit.invariant}: ${hit.message}${hit.page !== undefined ? ` (page ${hit.page})` : ''}`;
  }

  badPage(pfn: number): string | null {
    const v = runRules(this.view, this.rules, { pages: [pfn], ptes: [], tables: [], global: false });
    const hit = v.find((w) => PAGE_OWN.has(w.invariant) && w.pte === undefined);
    return hit === undefined ? null : `page ${pfn}: ${hit.invariant}: ${hit.message}`;
  }
}

/** `s0` is the state at the operation's start (not modified); `events` are the operation's, with their indices. */
export function findCulprit(s0: State, events: ReadonlyArray<[number, Event]>): Culprit | null {
  // Pass 1: what the operation touched, and which of it is inconsistent at the end.
  let s = copyState(s0);
  let t = new Tracker(s);
  for (const [, e] of events) {
    t.before(e);
    apply(s, e);
    t.after();
  }
  const badPtes = [...t.ptes.keys()].filter((x) => t.badPte(x) !== null);
  const badPages = [...t.pages].filter((p) => t.badPage(p) !== null);
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
      e.t === 'pte_link' && badPtes.includes(e.pte) && !(pte_present(readPteSafe(s, e.pte)) && pte_pfn(readPteSafe(s, e.pte)) === e.pfn);
    t.before(e);
    apply(s, e);
    t.after();
    for (const x of badPtes) {
      const k = `pte ${x}`;
      if (t.badPte(x) === null) {
        runStart.delete(k);
        wrongLink.delete(x);
        continue;
      }
      if (!runStart.has(k)) runStart.set(k, i);
      if (wrong && e.pte === x && !wrongLink.has(x)) wrongLink.set(x, i);
    }
    for (const p of badPages) {
      const k = `page ${p}`;
      if (t.badPage(p) === null) runStart.delete(k);
      else if (!runStart.has(k)) runStart.set(k, i);
    }
  }
  let best: Culprit | null = null;
  for (const x of badPtes) {
    const at = wrongLink.get(x) ?? runStart.get(`pte ${x}`);
    if (at !== undefined && (best === null || at < best.event)) best = { event: at, subject: { pte: x }, reason: t.badPte(x) as string };
  }
  for (const p of badPages) {
    const at = runStart.get(`page ${p}`);
    if (at !== undefined && (best === null || at < best.event)) best = { event: at, subject: { page: p }, reason: t.badPage(p) as string };
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
  /** pte_links onto a page their pte does not map (a count-only map, objrmap's file pages or anon_vma, takes them silently). */
  const wrongLinks: number[] = [];
  for (const [i, e] of events) {
    if (e.t === 'pte_link' && !(pte_present(readPteSafe(s, e.pte)) && pte_pfn(readPteSafe(s, e.pte)) === e.pfn)) wrongLinks.push(i);
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
  if (start === null) return null;
  // as in findCulprit: a link to the wrong page inside the failing stretch is the bug, not the pte_set before it
  const link = wrongLinks.find((i) => i >= (start as number));
  return link !== undefined
    ? { event: link, subject: {}, reason: `${why} (pte_link at ${link} is onto a page its pte does not map)` }
    : { event: start, subject: {}, reason: why };
}
