// The invariants of DESIGN.md and the facts file, each with a short stable name. They
// hold between kernel operations, not inside them; the checker runs at op boundaries.

import { pte_is_swap, pte_pfn, pte_present, pte_write, SWP_OFFSET, PTRS_PER_PTE, PAGE_SIZE } from '../arch/i386/page.js';
import { pgd_getmm, pmd_getpgd, pte_addr, pte_getpmd } from '../arch/i386/pgtable.js';
import { PG_pgtable, PG_reserved, PG_swap_cache } from '../mm/page-flags.js';
import { buddyBit } from '../reducer/buddy.js';
import { LRU_FLAG, LRU_NAMES, lruListOf } from '../reducer/lru.js';
import { PG_LRU } from '../mm/page-flags.js';
import { rmapDesign } from '../rmap/index.js';
import { NR_MEM_LISTS, getPage, type State } from '../state.js';
import { hex, type Violation } from './violation.js';

export const INVARIANTS: Record<string, string> = {
  'pte-on-chain': "each present pte mapping a page is on that page's reverse map exactly once",
  'chain-entry-valid': 'every reverse-map entry is a present pte mapping that page',
  'chain-terminates': 'chains end in NULL (or close on their head in circular debug mode) and never cycle',
  'chain-length': "a page's chain length equals its map count",
  'link-null': 'a pte slot that maps no page has a NULL link',
  'page-count': "a page's count equals its mappings plus its page-cache reference (plus 1 for kernel pages)",
  'pt-block':
    "every page table is an aligned block of its design's order (order 1 for pte-chain) owned by one mm, and pgd_getmm(pmd_getpgd(pte_getpmd(pte))) is that mm",
  'free-page': 'free pages have count 0, no reverse map and sit in exactly one buddy block',
  buddy: 'buddy lists are well formed, blocks aligned, counters match and pair bits are consistent',
  'swap-map': 'swap_map[e] equals the swap ptes holding e plus the swap cache',
  'swap-cache-writable': 'no page is both in the swap cache and mapped writable',
  'clock-hand': 'the clock hand is inside mem_map',
  rss: "an mm's rss equals the present ptes in its page tables",
  'pte-in-vma': 'every non-empty pte lies inside a vma of its mm',
  'rmap-unlink-missing': "pte_unlink never removes a pte that is not on the page's reverse map",
  'lru-lists':
    'a page is on at most one LRU list, its flag matches that list, list counters equal list lengths, and no freed page is on a list (active-inactive)',
};

export type InvariantName = keyof typeof INVARIANTS;

interface PteRef {
  pte: number;
  mm: number;
  val: number;
}

/** Every non-empty pte, in page-table order. */
function allPtes(s: State): PteRef[] {
  const out: PteRef[] = [];
  for (const key in s.pts) {
    const pt = s.pts[key];
    for (let c = 0; c < pt.pte.length; c++) {
      const chunk = pt.pte[c];
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== 0) out.push({ pte: pte_addr(pt.pfn, c * 64 + i), mm: pt.mm, val: chunk[i] });
      }
    }
  }
  return out;
}

function isUserPage(s: State, pfn: number): boolean {
  return pfn < s.nframes && (getPage(s, pfn).flags & PG_reserved) === 0;
}

/** Run every invariant (or only `only`) over the whole state. */
export function checkState(s: State, only?: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const want = (name: string): boolean => only === undefined || only.has(name);
  const design = rmapDesign(s.rmap);
  const tracks = design.name !== 'none';
  const ptes = allPtes(s);

  // Which ptes map each page, and the page's reverse map as stored.
  const mapping = new Map<number, number[]>();
  for (const r of ptes) {
    if (!pte_present(r.val)) continue;
    const pfn = pte_pfn(r.val);
    if (!isUserPage(s, pfn)) continue;
    let l = mapping.get(pfn);
    if (l === undefined) mapping.set(pfn, (l = []));
    l.push(r.pte);
  }

  if (want('rmap-unlink-missing') && s.stats.rmapErrors > 0) {
    out.push({
      invariant: 'rmap-unlink-missing',
      message: `${s.stats.rmapErrors} pte_unlink(s) removed a pte that was not on the page's reverse map`,
    });
  }
  if (want('clock-hand') && !(s.hand >= 0 && s.hand < s.nframes)) {
    out.push({ invariant: 'clock-hand', message: `hand is ${s.hand}, expected 0..${s.nframes - 1}` });
  }

  if (want('lru-lists')) checkLru(s, out);

  const freeBlockOf = new Int32Array(s.nframes).fill(-1);
  checkBuddy(s, want, out, freeBlockOf);

  let cacheCount = new Map<number, number>();
  for (let pfn = 0; pfn < s.nframes; pfn++) {
    const p = getPage(s, pfn);
    if ((p.flags & PG_reserved) !== 0) continue;
    if ((p.flags & PG_swap_cache) !== 0) cacheCount.set(p.swap, (cacheCount.get(p.swap) ?? 0) + 1);
    const mapped = mapping.get(pfn) ?? [];
    if (p.count === 0) {
      if (want('free-page')) {
        if (freeBlockOf[pfn] < 0)
          out.push({ invariant: 'free-page', page: pfn, message: 'count is 0 but the page is in no free buddy block' });
        if (p.rmap !== 0 || p.mapcount !== 0)
          out.push({
            invariant: 'free-page',
            page: pfn,
            message: `free page still has a reverse map (head ${hex(p.rmap)}, map count ${p.mapcount})`,
          });
        if (mapped.length)
          out.push({ invariant: 'free-page', page: pfn, pte: mapped[0], message: `free page is mapped by ${mapped.length} pte(s)` });
      }
      continue;
    }
    if (want('free-page') && freeBlockOf[pfn] >= 0) {
      out.push({ invariant: 'free-page', page: pfn, message: `count is ${p.count} but the page is inside free block ${freeBlockOf[pfn]}` });
    }
    if ((p.flags & PG_pgtable) !== 0) {
      if (want('page-count') && p.count !== 1)
        out.push({ invariant: 'page-count', page: pfn, message: `page-table frame has count ${p.count}, expected 1` });
      continue;
    }
    if (want('page-count')) {
      const expected = mapped.length + (p.inode !== 0 ? 1 : 0);
      if (p.count !== expected) {
        out.push({
          invariant: 'page-count',
          page: pfn,
          message: `count is ${p.count}, expected ${expected} (${mapped.length} mapping pte(s)${p.inode !== 0 ? ' + page cache' : ''})`,
        });
      }
    }
    if (!tracks) continue;
    const rep = design.entries(s, pfn);
    if (rep.problem !== null && want('chain-terminates')) out.push({ invariant: 'chain-terminates', page: pfn, message: rep.problem });
    if (want('chain-length') && rep.problem === null && rep.ptes.length !== p.mapcount) {
      out.push({ invariant: 'chain-length', page: pfn, message: `chain has ${rep.ptes.length} pte(s), map count is ${p.mapcount}` });
    }
    const onChain = new Map<number, number>();
    for (const pte of rep.ptes) onChain.set(pte, (onChain.get(pte) ?? 0) + 1);
    if (want('chain-entry-valid')) {
      const mappedSet = new Set(mapped);
      for (const pte of onChain.keys()) {
        if (!mappedSet.has(pte)) {
          const v = readPteSafe(s, pte);
          out.push({
            invariant: 'chain-entry-valid',
            page: pfn,
            pte,
            message: pte_present(v) ? `chain entry maps page ${pte_pfn(v)}, not this page` : `chain entry is not present (value ${hex(v)})`,
          });
        }
      }
    }
    if (want('pte-on-chain')) {
      for (const pte of mapped) {
        const n = onChain.get(pte) ?? 0;
        if (n !== 1)
          out.push({
            invariant: 'pte-on-chain',
            page: pfn,
            pte,
            mm: s.pts[Math.floor(pte / PAGE_SIZE)]?.mm,
            message: n === 0 ? 'present pte maps the page but is not on its chain (missing pte_link?)' : `pte is on the chain ${n} times`,
          });
      }
    }
  }
  // Pages that are free or reserved must not be on someone else's chain either: covered by chain-entry-valid.

  if (want('swap-map')) {
    const swapPtes = new Map<number, number>();
    for (const r of ptes) if (pte_is_swap(r.val)) swapPtes.set(SWP_OFFSET(r.val), (swapPtes.get(SWP_OFFSET(r.val)) ?? 0) + 1);
    for (let e = 1; e < s.swap.nslots; e++) {
      const have = s.swap.map[e >> 6][e & 63];
      const expected = (swapPtes.get(e) ?? 0) + (cacheCount.get(e) ?? 0);
      if (have !== expected) {
        out.push({
          invariant: 'swap-map',
          message: `swap_map[${e}] is ${have}, expected ${expected} (${swapPtes.get(e) ?? 0} swap pte(s) + ${cacheCount.get(e) ?? 0} swap-cache page(s))`,
        });
      }
    }
    for (const e of swapPtes.keys()) {
      if (e <= 0 || e >= s.swap.nslots)
        out.push({ invariant: 'swap-map', message: `a pte holds swap entry ${e}, outside 1..${s.swap.nslots - 1}` });
    }
  }
  cacheCount = new Map();

  for (const r of ptes) {
    const pfn = pte_pfn(r.val);
    if (
      want('swap-cache-writable') &&
      pte_present(r.val) &&
      pte_write(r.val) &&
      isUserPage(s, pfn) &&
      (getPage(s, pfn).flags & PG_swap_cache) !== 0
    ) {
      out.push({
        invariant: 'swap-cache-writable',
        page: pfn,
        pte: r.pte,
        mm: r.mm,
        message: 'page is in the swap cache and this pte maps it writable',
      });
    }
  }

  if (want('link-null') && tracks) {
    // pte-chain keeps its links in the page table's second page: scan only non-NULL links.
    const direct = design.name === 'pte-chain';
    for (const key in s.pts) {
      const pt = s.pts[key];
      for (let slot = 0; slot < PTRS_PER_PTE; slot++) {
        const link = direct ? pt.link[slot >> 6][slot & 63] : design.slotLink(s, pte_addr(pt.pfn, slot));
        if (link === 0) continue;
        const v = pt.pte[slot >> 6][slot & 63];
        if (!(pte_present(v) && isUserPage(s, pte_pfn(v)))) {
          out.push({
            invariant: 'link-null',
            pte: pte_addr(pt.pfn, slot),
            mm: pt.mm,
            message: `slot maps no page (value ${hex(v)}) but its link is ${hex(link)} (missing pte_unlink?)`,
          });
        }
      }
    }
  }

  if (want('pt-block') || want('rss') || want('pte-in-vma')) checkTables(s, want, out, ptes);
  return out;
}

function readPteSafe(s: State, pte: number): number {
  const pt = s.pts[Math.floor(pte / PAGE_SIZE)];
  if (pt === undefined) return 0;
  const slot = (pte & 4095) >> 2;
  return pt.pte[slot >> 6][slot & 63];
}

function checkTables(s: State, want: (n: string) => boolean, out: Violation[], ptes: PteRef[]): void {
  const rss = new Map<number, number>();
  for (const key in s.pts) {
    const pt = s.pts[key];
    const mm = s.mms[pt.mm];
    if (want('pt-block')) {
      const bad = (message: string): void => {
        out.push({ invariant: 'pt-block', page: pt.pfn, mm: pt.mm, message });
      };
      const frames = 1 << rmapDesign(s.rmap).ptOrder;
      if (pt.pfn % frames !== 0) bad(`page table is not an aligned order-${frames - 1} block`);
      else if (pt.pfn + frames > s.nframes) bad('page table block runs past mem_map');
      else if ([...Array(frames).keys()].some((i) => (getPage(s, pt.pfn + i).flags & PG_pgtable) === 0))
        bad('page-table frames are not marked as page tables');
      if (mm === undefined) bad(`owner mm ${pt.mm} does not exist`);
      else {
        if (mm.pgdir[pt.index] !== pt.pfn)
          bad(`mm ${pt.mm}'s pgd entry ${pt.index} points at ${String(mm.pgdir[pt.index])}, not this table`);
        const owner = pgd_getmm(s, pmd_getpgd(pte_getpmd(s, pte_addr(pt.pfn, 0))));
        if (owner !== pt.mm) bad(`pgd_getmm(pmd_getpgd(pte_getpmd(pte))) is ${owner}, expected ${pt.mm}`);
      }
    }
  }
  for (const r of ptes) {
    if (pte_present(r.val)) rss.set(r.mm, (rss.get(r.mm) ?? 0) + 1);
    if (want('pte-in-vma')) {
      const mm = s.mms[r.mm];
      const pt = s.pts[Math.floor(r.pte / PAGE_SIZE)];
      const addr = pt.index * (1 << 22) + ((r.pte & 4095) >> 2) * PAGE_SIZE;
      if (mm !== undefined && !mm.vmas.some((v) => addr >= v.start && addr < v.end)) {
        out.push({
          invariant: 'pte-in-vma',
          pte: r.pte,
          mm: r.mm,
          message: `pte for address ${hex(addr)} (value ${hex(r.val)}) lies in no vma`,
        });
      }
    }
  }
  if (want('rss')) {
    for (const id in s.mms) {
      const mm = s.mms[id];
      const n = rss.get(mm.id) ?? 0;
      if (mm.rss !== n)
        out.push({ invariant: 'rss', mm: mm.id, message: `rss is ${mm.rss}, but ${n} present pte(s) are in its page tables` });
    }
  }
}

function checkBuddy(s: State, want: (n: string) => boolean, out: Violation[], freeBlockOf: Int32Array): void {
  const bad = (message: string, page?: number): void => {
    if (want('buddy')) out.push({ invariant: 'buddy', message, page });
  };
  let total = 0;
  for (let order = 0; order < NR_MEM_LISTS; order++) {
    const area = s.freeArea[order];
    let n = 0;
    let prev = -1;
    for (let pfn = area.head; pfn >= 0; pfn = getPage(s, pfn).next) {
      if (pfn >= s.nframes || n > s.nframes) {
        bad(`free list ${order} is corrupt at pfn ${pfn}`);
        break;
      }
      const p = getPage(s, pfn);
      if (p.prev !== prev) bad(`free list ${order}: page ${pfn} has prev ${p.prev}, expected ${prev}`, pfn);
      if (p.order !== order) bad(`page ${pfn} is on free list ${order} but records order ${p.order}`, pfn);
      if (pfn % (1 << order) !== 0) bad(`free block at ${pfn} is not aligned to order ${order}`, pfn);
      for (let i = 0; i < 1 << order && pfn + i < s.nframes; i++) {
        if (freeBlockOf[pfn + i] >= 0) bad(`page ${pfn + i} is in two free blocks (${freeBlockOf[pfn + i]} and ${pfn})`, pfn + i);
        freeBlockOf[pfn + i] = pfn;
        const q = getPage(s, pfn + i);
        if (q.count !== 0 && want('free-page'))
          out.push({ invariant: 'free-page', page: pfn + i, message: `page is in free block ${pfn} but has count ${q.count}` });
      }
      prev = pfn;
      n++;
    }
    if (n !== area.nr) bad(`free list ${order} holds ${n} blocks but its counter says ${area.nr}`);
    total += n << order;
  }
  if (total !== s.nrFree) bad(`free lists hold ${total} pages but nr_free_pages is ${s.nrFree}`);
  if (!want('buddy')) return;
  // Pair bits: set exactly when one buddy of the pair is a free block of that order.
  for (let order = 0; order < NR_MEM_LISTS - 1; order++) {
    const size = 1 << order;
    for (let pfn = 0; pfn + size < s.nframes; pfn += 2 * size) {
      const a = freeBlockOf[pfn] === pfn && getPage(s, pfn).order === order;
      const b = freeBlockOf[pfn + size] === pfn + size && getPage(s, pfn + size).order === order;
      if (buddyBit(s, pfn, order) !== (a !== b ? 1 : 0)) {
        bad(
          `pair bit for pages ${pfn}/${pfn + size} at order ${order} is ${buddyBit(s, pfn, order)}, but ${a ? 'first' : b ? 'second' : 'neither'} buddy is free`,
          pfn,
        );
      }
    }
  }
}

/**
 * Invariant 5 (2.4): walk each LRU list from its head, following lruNext and checking lruPrev
 * back; every page on it carries that list's flag only, is in use, and is seen once; the
 * counter and tail match the walk; every page with a list flag was met on its list. Without
 * LRU lists (every policy but active-inactive) no page may carry a list flag.
 */
export function checkLru(s: State, out: Violation[]): void {
  const lru = s.lru;
  const bad = (message: string, page?: number): void => {
    out.push({ invariant: 'lru-lists', message, page });
  };
  if (lru === undefined) {
    for (let pfn = 0; pfn < s.nframes; pfn++) {
      if ((getPage(s, pfn).flags & PG_LRU) !== 0) {
        bad('page carries an LRU flag but this run keeps no LRU lists', pfn);
        return;
      }
    }
    return;
  }
  if (lru.errors > 0) bad(`${lru.errors} lru_add of a page already on a list, or lru_move/lru_del of a page on none`);
  if (lru.freedOnList > 0) bad(`${lru.freedOnList} page_free(s) of a page still on an LRU list (missing lru_del)`);
  const seen = new Int8Array(s.nframes).fill(-1);
  for (let list = 0; list < lru.lists.length; list++) {
    const l = lru.lists[list];
    let n = 0,
      prev = -1;
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
      if ((p.flags & PG_LRU) !== LRU_FLAG[list])
        bad(
          `page is on the ${LRU_NAMES[list]} list but its flags say ${lruListOf(p.flags) < 0 ? 'no list' : LRU_NAMES[lruListOf(p.flags)]}`,
          pfn,
        );
      if (p.count === 0) bad(`free page is on the ${LRU_NAMES[list]} list`, pfn);
      if ((p.lruPrev ?? -1) !== prev) bad(`lruPrev is ${p.lruPrev ?? -1}, expected ${prev} on the ${LRU_NAMES[list]} list`, pfn);
      n++;
      prev = pfn;
      pfn = p.lruNext ?? -1;
    }
    if (l.tail !== prev) bad(`${LRU_NAMES[list]} list tail is ${l.tail}, the walk ends at ${prev}`);
    if (l.nr !== n) bad(`${LRU_NAMES[list]} list counter is ${l.nr}, the list holds ${n} page(s)`);
  }
  for (let pfn = 0; pfn < s.nframes; pfn++) {
    const list = lruListOf(getPage(s, pfn).flags);
    if (list >= 0 && seen[pfn] !== list) bad(`page's flags put it on the ${LRU_NAMES[list]} list, but it is not on it`, pfn);
  }
}
