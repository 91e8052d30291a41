// Local checks: only the pages and ptes one kernel operation touched. By induction (every
// pte change touches that pte, every reverse-map change touches that page) they catch the
// same per-page and per-pte breakage as the full check, at a cost proportional to the
// operation instead of the machine. Global invariants (buddy, swap map, rss, pt-block)
// are left to the periodic full check.

import { PAGE_SIZE, pte_pfn, pte_present, pte_write } from '../arch/i386/page.js';
import { PG_pgtable, PG_reserved, PG_swap_cache } from '../mm/page-flags.js';
import type { RmapDesign } from '../rmap/index.js';
import { getPage, type State } from '../state.js';
import type { Event } from '../events.js';
import { hex, type Violation } from './violation.js';
import { checkLru } from './invariants.js';

export class Touched {
  pages = new Set<number>();
  ptes = new Set<number>();
  clear(): void {
    this.pages.clear();
    this.ptes.clear();
  }
}

function readPte(s: State, pte: number): number {
  const pt = s.pts[Math.floor(pte / PAGE_SIZE)];
  if (pt === undefined) return 0;
  const slot = (pte & 4095) >> 2;
  return pt.pte[slot >> 6][slot & 63];
}

/** Record what `e` is about to touch; call before applying it (it reads the old pte). */
export function noteTouches(s: State, e: Event, t: Touched): void {
  switch (e.t) {
    case 'pte_set':
    case 'pte_clear':
    case 'pte_mkold':
    case 'hw_access': {
      t.ptes.add(e.pte);
      const old = readPte(s, e.pte);
      if (pte_present(old)) t.pages.add(pte_pfn(old));
      if (e.t === 'pte_set' && pte_present(e.val)) t.pages.add(pte_pfn(e.val));
      return;
    }
    case 'pte_link':
    case 'pte_unlink':
      t.ptes.add(e.pte);
      t.pages.add(e.pfn);
      return;
    case 'page_alloc':
    case 'page_free':
      for (let i = 0; i < 1 << e.order; i++) t.pages.add(e.pfn + i);
      return;
    case 'pt_free': {
      // freeing a table touches every page its present ptes map (their chains may now dangle)
      const pt = s.pts[e.pfn];
      if (pt !== undefined) for (const c of pt.pte) for (const v of c) if (pte_present(v)) t.pages.add(pte_pfn(v));
      return;
    }
    case 'lru_add':
    case 'lru_move':
    case 'lru_del':
    case 'get_page':
    case 'put_page':
    case 'page_flags':
    case 'swap_cache_add':
    case 'swap_cache_del':
    case 'page_cache_add':
    case 'page_cache_del':
    case 'swap_out':
    case 'swap_in':
      t.pages.add(e.pfn);
      return;
    default:
  }
}

export function checkTouched(s: State, design: RmapDesign, t: Touched, only?: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const want = (name: string): boolean => only === undefined || only.has(name);
  const tracks = design.name !== 'none';
  const chains = new Map<number, number[]>();
  // Counts are judged against the chain; a page whose chain is already known to be wrong
  // (a present pte missing, or an entry that does not map it) is not also blamed for its
  // count, which may well be right.
  const countChecks: Violation[] = [];
  const unlinkedPages = new Set<number>();
  for (const pfn of t.pages) {
    if (pfn < 0 || pfn >= s.nframes) continue;
    const p = getPage(s, pfn);
    if ((p.flags & PG_reserved) !== 0) continue;
    if (p.count === 0) {
      if (want('free-page') && p.order < 0 && !inFreeBlock(s, pfn))
        out.push({ invariant: 'free-page', page: pfn, message: 'count is 0 but the page is in no free buddy block' });
      if (want('free-page') && (p.rmap !== 0 || p.mapcount !== 0))
        out.push({
          invariant: 'free-page',
          page: pfn,
          message: `free page still has a reverse map (head ${hex(p.rmap)}, map count ${p.mapcount})`,
        });
      continue;
    }
    if ((p.flags & PG_pgtable) !== 0 || !tracks) continue;
    const rep = design.entries(s, pfn);
    chains.set(pfn, rep.ptes);
    if (rep.problem !== null) {
      if (want('chain-terminates')) out.push({ invariant: 'chain-terminates', page: pfn, message: rep.problem });
      continue;
    }
    if (want('chain-length') && rep.ptes.length !== p.mapcount) {
      out.push({ invariant: 'chain-length', page: pfn, message: `chain has ${rep.ptes.length} pte(s), map count is ${p.mapcount}` });
    }
    const seen = new Set<number>();
    for (const pte of rep.ptes) {
      const v = readPte(s, pte);
      if (want('pte-on-chain') && seen.has(pte))
        out.push({ invariant: 'pte-on-chain', page: pfn, pte, message: 'pte is on the chain more than once' });
      seen.add(pte);
      if (!(pte_present(v) && pte_pfn(v) === pfn)) unlinkedPages.add(pfn);
      if (want('chain-entry-valid') && !(pte_present(v) && pte_pfn(v) === pfn)) {
        out.push({
          invariant: 'chain-entry-valid',
          page: pfn,
          pte,
          message: pte_present(v) ? `chain entry maps page ${pte_pfn(v)}, not this page` : `chain entry is not present (value ${hex(v)})`,
        });
      }
    }
    const expected = rep.ptes.length + (p.inode !== 0 ? 1 : 0);
    if (want('page-count') && p.count !== expected) {
      countChecks.push({
        invariant: 'page-count',
        page: pfn,
        message: `count is ${p.count}, expected ${expected} (${rep.ptes.length} mapping pte(s)${p.inode !== 0 ? ' + page cache' : ''})`,
      });
    }
  }
  for (const pte of t.ptes) {
    const v = readPte(s, pte);
    const user = pte_present(v) && pte_pfn(v) < s.nframes && (getPage(s, pte_pfn(v)).flags & PG_reserved) === 0;
    if (user) {
      const pfn = pte_pfn(v);
      if (tracks && want('pte-on-chain')) {
        const chain = chains.get(pfn) ?? design.entries(s, pfn).ptes;
        if (!chain.includes(pte)) unlinkedPages.add(pfn);
        if (!chain.includes(pte))
          out.push({
            invariant: 'pte-on-chain',
            page: pfn,
            pte,
            mm: s.pts[Math.floor(pte / PAGE_SIZE)]?.mm,
            message: 'present pte maps the page but is not on its chain (missing pte_link?)',
          });
      }
      if (want('swap-cache-writable') && pte_write(v) && (getPage(s, pfn).flags & PG_swap_cache) !== 0) {
        out.push({ invariant: 'swap-cache-writable', page: pfn, pte, message: 'page is in the swap cache and this pte maps it writable' });
      }
    } else if (tracks && want('link-null') && s.pts[Math.floor(pte / PAGE_SIZE)] !== undefined && design.slotLink(s, pte) !== 0) {
      out.push({
        invariant: 'link-null',
        pte,
        message: `slot maps no page (value ${hex(v)}) but its link is ${hex(design.slotLink(s, pte))} (missing pte_unlink?)`,
      });
    }
  }
  for (const v of countChecks) if (!unlinkedPages.has(v.page as number)) out.push(v);
  // the LRU lists are short enough (user pages only) to walk whole after every operation
  if (want('lru-lists') && s.lru !== undefined) checkLru(s, out);
  if (want('rmap-unlink-missing') && s.stats.rmapErrors > 0) {
    out.push({
      invariant: 'rmap-unlink-missing',
      message: `${s.stats.rmapErrors} pte_unlink(s) removed a pte that was not on the page's reverse map`,
    });
  }
  return out;
}

function inFreeBlock(s: State, pfn: number): boolean {
  for (let order = 1; order < s.freeArea.length; order++) {
    const head = pfn & ~((1 << order) - 1);
    if (getPage(s, head).order === order && getPage(s, head).count === 0) return true;
  }
  return false;
}
