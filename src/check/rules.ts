// The core invariants (DESIGN.md and the 2.1.47 facts), one rule per concern, each judging
// one subject. Designs add their own (src/include/design.ts `rules`). The full check, the
// local check and bisect all run these same functions; they differ only in which subjects
// they pass and how their CheckView answers `mappers` (src/check/view.ts).

import { PAGE_SIZE, PTRS_PER_PTE, pte_is_swap, pte_pfn, pte_present, pte_write, SWP_OFFSET } from '../arch/i386/page.js';
import { pgd_getmm, pmd_getpgd, pte_addr, pte_getpmd, pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';
import { PG_kernel, PG_pgtable, PG_reserved, PG_swap_cache, PG_task } from '../include/page-flags.js';
import { type CheckView, hex, type Rule, type Violation } from '../include/rules.js';
import { buddyBit } from '../reducer/buddy.js';
import { SMP_RULES } from './smp-rules.js';
import { getPage, NR_MEM_LISTS, type PageTable, type State, type Vma } from '../state.js';

export const isUserPage = (s: State, pfn: number): boolean => pfn >= 0 && pfn < s.nframes && (getPage(s, pfn).flags & PG_reserved) === 0;

export function readPteSafe(s: State, pte: number): number {
  const pt = s.pts[pte_table_pfn(pte)];
  if (pt === undefined) return 0;
  const slot = pte_slot(pte);
  return pt.pte[slot >> 6][slot & 63];
}

const ownerMm = (v: CoreView, pte: number): number | undefined => v.table(pte_table_pfn(pte))?.mm;

/** A checker view that also knows the buddy allocator's free blocks (full check) or finds them (local). */
export interface CoreView extends CheckView {
  /** The free block containing `pfn` (its first pfn), or -1. */
  freeBlockOf(pfn: number): number;
  /**
   * `mappers(pfn)` lists every pte mapping the page: always in a full check; in a local check
   * only when the page's reverse map is sound (else its count is not judged: the broken map
   * is the finding).
   */
  exact(pfn: number): boolean;
  /** Every non-empty pte of the state, listed once per check (the global rules each walk them). */
  ptes(): PteList;
  /** The page table at `pfn` (`s.pts[pfn]`; a full check answers from an array: the record is a slow dictionary). */
  table(pfn: number): PageTable | undefined;
  /** readPteSafe through `table`. */
  readPte(pte: number): number;
}

/** Non-empty ptes in page-table order: address, value and owner mm of the i-th, for i < n. */
export interface PteList {
  n: number;
  pte: number[];
  val: number[];
  mm: number[];
}

// ---- page rules: a user frame ----

const freePage: Rule = {
  name: 'free-page',
  description: 'free pages have count 0, no reverse map and sit in exactly one buddy block',
  scope: 'page',
  check(v, pfn, out) {
    const cv = v as CoreView;
    const p = getPage(v.s, pfn);
    if (p.count !== 0) {
      if (cv.freeBlockOf(pfn) >= 0)
        out.push({
          invariant: 'free-page',
          page: pfn,
          message: `count is ${p.count} but the page is inside free block ${cv.freeBlockOf(pfn)}`,
        });
      return;
    }
    if (cv.freeBlockOf(pfn) < 0)
      out.push({ invariant: 'free-page', page: pfn, message: 'count is 0 but the page is in no free buddy block' });
    const head = v.rmap.head(v.s, pfn);
    if (head !== 0 || p.mapcount !== 0) {
      out.push({
        invariant: 'free-page',
        page: pfn,
        message: `free page still has a reverse map (head ${hex(head)}, map count ${p.mapcount})`,
      });
    }
    const m = v.mappers(pfn);
    if (m.length > 0) out.push({ invariant: 'free-page', page: pfn, pte: m[0], message: `free page is mapped by ${m.length} pte(s)` });
  },
};

/** The page is in use and holds user data (not a page table): the rules below apply to it. */
const inUse = (s: State, pfn: number): boolean => {
  const p = getPage(s, pfn);
  return p.count !== 0 && (p.flags & PG_kernel) === 0;
};

const pageCount: Rule = {
  name: 'page-count',
  description: "a page's count equals its mappings plus its page-cache reference (plus 1 for kernel pages)",
  scope: 'page',
  check(v, pfn, out) {
    const p = getPage(v.s, pfn);
    if (p.count === 0) return;
    if ((p.flags & PG_kernel) !== 0) {
      if (p.count !== 1)
        out.push({
          invariant: 'page-count',
          page: pfn,
          message: `kernel frame (page table or task struct) has count ${p.count}, expected 1`,
        });
      return;
    }
    if (!(v as CoreView).exact(pfn)) return;
    const n = v.mappers(pfn).length;
    // rw_swap_page(.., wait 0) holds a reference until the write completes (PG_free_after)
    const io = asyncWriteRef(v.s, pfn);
    const expected = n + (p.inode !== 0 ? 1 : 0) + io;
    if (p.count !== expected) {
      out.push({
        invariant: 'page-count',
        page: pfn,
        message: `count is ${p.count}, expected ${expected} (${n} mapping pte(s)${p.inode !== 0 ? ' + page cache' : ''}${io ? ' + write in flight' : ''})`,
      });
    }
  },
};

/** 1 when `pfn` is under asynchronous write-out (State.io.inflight triples: pfn, done, write). */
function asyncWriteRef(s: State, pfn: number): number {
  const f = s.io.inflight;
  for (let i = 0; i < f.length; i += 3) if (f[i] === pfn && f[i + 2] === 1) return 1;
  return 0;
}

/** The design's map of a page, checked for structure; the chain rules below share it. */
const chainTerminates: Rule = {
  name: 'chain-terminates',
  description: 'chains end in NULL (or close on their head in circular debug mode) and never cycle',
  scope: 'page',
  check(v, pfn, out) {
    if (!v.rmap.caps.tracksPtes || !inUse(v.s, pfn)) return;
    const rep = v.chain(pfn);
    if (rep.problem !== null) out.push({ invariant: 'chain-terminates', page: pfn, message: rep.problem });
  },
};

const chainLength: Rule = {
  name: 'chain-length',
  description: "a page's chain length equals its map count",
  scope: 'page',
  check(v, pfn, out) {
    if (!v.rmap.caps.tracksPtes || !inUse(v.s, pfn)) return;
    const rep = v.chain(pfn);
    const mc = getPage(v.s, pfn).mapcount;
    if (rep.problem === null && rep.ptes.length !== mc) {
      out.push({ invariant: 'chain-length', page: pfn, message: `chain has ${rep.ptes.length} pte(s), map count is ${mc}` });
    }
  },
};

const chainEntryValid: Rule = {
  name: 'chain-entry-valid',
  description: 'every reverse-map entry is a present pte mapping that page',
  scope: 'page',
  check(v, pfn, out) {
    if (!v.rmap.caps.tracksPtes || !inUse(v.s, pfn)) return;
    const ptes = v.chain(pfn).ptes;
    for (let i = 0; i < ptes.length; i++) {
      const pte = ptes[i];
      if (ptes.indexOf(pte) !== i) continue; // reported once (chains are short: no set needed)
      const val = (v as CoreView).readPte(pte);
      if (pte_present(val) && pte_pfn(val) === pfn) continue;
      out.push({
        invariant: 'chain-entry-valid',
        page: pfn,
        pte,
        mm: ownerMm(v as CoreView, pte),
        message: pte_present(val)
          ? `chain entry maps page ${pte_pfn(val)}, not this page`
          : `chain entry is not present (value ${hex(val)})`,
      });
    }
  },
};

const pteOnChain: Rule = {
  name: 'pte-on-chain',
  description: "each present pte mapping a page is on that page's reverse map exactly once",
  scope: 'page',
  check(v, pfn, out) {
    if (!v.rmap.caps.tracksPtes || !inUse(v.s, pfn)) return;
    const chain = v.chain(pfn).ptes;
    for (const pte of v.mappers(pfn)) {
      let n = 0;
      for (let i = 0; i < chain.length; i++) if (chain[i] === pte) n++;
      if (n === 1) continue;
      out.push({
        invariant: 'pte-on-chain',
        page: pfn,
        pte,
        mm: ownerMm(v as CoreView, pte),
        message: n === 0 ? 'present pte maps the page but is not on its chain (missing pte_link?)' : `pte is on the chain ${n} times`,
      });
    }
  },
};

/**
 * Tweedie's invariant (2.1.88 mm/vmscan.c, try_to_swap_out: "pages read in from swap either
 * having the swap cache flag set, OR being marked writable in the pte, but NEVER BOTH"). It is
 * 2.1.88's: 2.1.47's do_wp_page leaves a page it makes writable in the swap cache, so the rule
 * holds only in runs with --swap-cache 2.1.88 (src/check/view.ts rulesFor).
 */
export const swapCacheWritable: Rule = {
  name: 'swap-cache-writable',
  description: 'no page is both in the swap cache and mapped writable (--swap-cache 2.1.88 only: 2.1.47 allows it)',
  scope: 'page',
  check(v, pfn, out) {
    if ((getPage(v.s, pfn).flags & PG_swap_cache) === 0) return;
    for (const pte of v.mappers(pfn)) {
      if (pte_write((v as CoreView).readPte(pte))) {
        out.push({
          invariant: 'swap-cache-writable',
          page: pfn,
          pte,
          mm: ownerMm(v as CoreView, pte),
          message: 'page is in the swap cache and this pte maps it writable',
        });
      }
    }
  },
};

// ---- pte rules: one pte slot ----

/**
 * The vma pte-in-vma found last, and where in its mm's list: the ptes of a table come in
 * address order, so the next one is usually in the same vma. Only a hint: it is used only
 * while that slot of the list still holds that vma and the address is inside it.
 */
let lastVma: { vmas: readonly Vma[] | null; at: number } = { vmas: null, at: 0 };

function inSomeVma(vmas: readonly Vma[], addr: number): boolean {
  const hint = lastVma.vmas === vmas ? vmas[lastVma.at] : undefined;
  if (hint !== undefined && addr >= hint.start && addr < hint.end) return true;
  for (let i = 0; i < vmas.length; i++) {
    if (addr >= vmas[i].start && addr < vmas[i].end) {
      lastVma = { vmas, at: i };
      return true;
    }
  }
  return false;
}

const pteInVma: Rule = {
  name: 'pte-in-vma',
  description: 'every non-empty pte lies inside a vma of its mm',
  scope: 'pte',
  check(v, pte, out) {
    const pt = (v as CoreView).table(pte_table_pfn(pte));
    if (pt === undefined) return;
    const slot = pte_slot(pte);
    const val = pt.pte[slot >> 6][slot & 63];
    if (val === 0) return;
    const mm = v.s.mms[pt.mm];
    const addr = pt.index * (1 << 22) + pte_slot(pte) * PAGE_SIZE;
    if (mm !== undefined && !inSomeVma(mm.vmas, addr)) {
      out.push({ invariant: 'pte-in-vma', pte, mm: pt.mm, message: `pte for address ${hex(addr)} (value ${hex(val)}) lies in no vma` });
    }
  },
};

/** A slot that maps no page keeps no reverse-map link (pte-chain stores one per slot). */
const linkNull: Rule = {
  name: 'link-null',
  description: 'a pte slot that maps no page has a NULL link',
  scope: 'pte',
  check(v, pte, out) {
    if ((v as CoreView).table(pte_table_pfn(pte)) === undefined) return;
    const link = v.rmap.slotLink(v.s, pte);
    if (link === 0 || v.mapsUser(pte)) return;
    out.push({
      invariant: 'link-null',
      pte,
      mm: ownerMm(v as CoreView, pte),
      message: `slot maps no page (value ${hex((v as CoreView).readPte(pte))}) but its link is ${hex(link)} (missing pte_unlink?)`,
    });
  },
};

// ---- table rules: one page table ----

const ptBlock: Rule = {
  name: 'pt-block',
  description:
    "every page table is an aligned block of its design's order (order 1 for pte-chain) owned by one mm, and pgd_getmm(pmd_getpgd(pte_getpmd(pte))) is that mm",
  scope: 'table',
  check(v, ptPfn, out) {
    const s = v.s;
    const pt = s.pts[ptPfn];
    if (pt === undefined) return;
    const bad = (message: string): void => {
      out.push({ invariant: 'pt-block', page: pt.pfn, mm: pt.mm, message });
    };
    const frames = 1 << v.rmap.caps.ptOrder;
    if (pt.pfn % frames !== 0) bad(`page table is not an aligned order-${frames - 1} block`);
    else if (pt.pfn + frames > s.nframes) bad('page table block runs past mem_map');
    else {
      for (let i = 0; i < frames; i++) {
        if ((getPage(s, pt.pfn + i).flags & PG_pgtable) === 0) {
          bad('page-table frames are not marked as page tables');
          break;
        }
      }
    }
    const mm = s.mms[pt.mm];
    if (mm === undefined) {
      bad(`owner mm ${pt.mm} does not exist`);
      return;
    }
    if (mm.pgdir[pt.index] !== pt.pfn) bad(`mm ${pt.mm}'s pgd entry ${pt.index} points at ${String(mm.pgdir[pt.index])}, not this table`);
    const owner = pgd_getmm(s, pmd_getpgd(pte_getpmd(s, pte_addr(pt.pfn, 0))));
    if (owner !== pt.mm) bad(`pgd_getmm(pmd_getpgd(pte_getpmd(pte))) is ${owner}, expected ${pt.mm}`);
  },
};

// ---- global rules: the whole machine ----

const clockHand: Rule = {
  name: 'clock-hand',
  description: 'the clock hand is inside mem_map',
  scope: 'global',
  cheap: true,
  check(v, _id, out) {
    if (!(v.s.hand >= 0 && v.s.hand < v.s.nframes))
      out.push({ invariant: 'clock-hand', message: `hand is ${v.s.hand}, expected 0..${v.s.nframes - 1}` });
  },
};

const rmapUnlinkMissing: Rule = {
  name: 'rmap-unlink-missing',
  description: "pte_unlink never removes a pte that is not on the page's reverse map",
  scope: 'global',
  cheap: true,
  check(v, _id, out) {
    const n = v.s.stats.rmapErrors;
    if (n > 0)
      out.push({ invariant: 'rmap-unlink-missing', message: `${n} pte_unlink(s) removed a pte that was not on the page's reverse map` });
  },
};

/** Calls fn(pte address, value, owner mm) for every non-empty pte, in page-table order. */
export function forEachPte(s: State, fn: (pte: number, val: number, mm: number) => void): void {
  for (const key in s.pts) {
    const pt = s.pts[key];
    const base = pt.pfn * PAGE_SIZE;
    for (let c = 0; c < pt.pte.length; c++) {
      const chunk = pt.pte[c];
      for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) fn(base + (c * 64 + i) * 4, chunk[i], pt.mm);
    }
  }
}

/** Every non-empty pte, in forEachPte's order, as flat arrays. */
export function listPtes(s: State): PteList {
  const l: PteList = { n: 0, pte: [], val: [], mm: [] };
  forEachPte(s, (pte, val, mm) => {
    l.pte.push(pte);
    l.val.push(val);
    l.mm.push(mm);
  });
  l.n = l.pte.length;
  return l;
}

const rss: Rule = {
  name: 'rss',
  description: "an mm's rss equals the present ptes in its page tables",
  scope: 'global',
  check(v, _id, out) {
    const s = v.s;
    const n = new Map<number, number>();
    const l = (v as CoreView).ptes();
    for (let i = 0; i < l.n; i++) if (pte_present(l.val[i])) n.set(l.mm[i], (n.get(l.mm[i]) ?? 0) + 1);
    for (const id in s.mms) {
      const mm = s.mms[id];
      const have = n.get(mm.id) ?? 0;
      if (mm.rss !== have)
        out.push({ invariant: 'rss', mm: mm.id, message: `rss is ${mm.rss}, but ${have} present pte(s) are in its page tables` });
    }
  },
};

const swapMap: Rule = {
  name: 'swap-map',
  description: 'swap_map[e] equals the swap ptes holding e plus the swap cache',
  scope: 'global',
  check(v, _id, out) {
    const s = v.s;
    const ptes = new Map<number, number>();
    const l = (v as CoreView).ptes();
    for (let i = 0; i < l.n; i++) {
      const val = l.val[i];
      if (pte_is_swap(val)) ptes.set(SWP_OFFSET(val), (ptes.get(SWP_OFFSET(val)) ?? 0) + 1);
    }
    const cache = new Map<number, number>();
    for (let pfn = 0; pfn < s.nframes; pfn++) {
      const p = getPage(s, pfn);
      if ((p.flags & (PG_reserved | PG_swap_cache)) === PG_swap_cache) cache.set(p.swap, (cache.get(p.swap) ?? 0) + 1);
    }
    for (let e = 1; e < s.swap.nslots; e++) {
      const have = s.swap.map[e >> 6][e & 63];
      const a = ptes.get(e) ?? 0;
      const b = cache.get(e) ?? 0;
      if (have !== a + b)
        out.push({
          invariant: 'swap-map',
          message: `swap_map[${e}] is ${have}, expected ${a + b} (${a} swap pte(s) + ${b} swap-cache page(s))`,
        });
    }
    for (const e of ptes.keys()) {
      if (e <= 0 || e >= s.swap.nslots)
        out.push({ invariant: 'swap-map', message: `a pte holds swap entry ${e}, outside 1..${s.swap.nslots - 1}` });
    }
  },
};

/**
 * Walk the buddy free lists: the free block each frame is in (-1: none), and every
 * structural problem found on the way (for the `buddy` rule).
 */
export function walkBuddy(s: State): { freeBlockOf: Int32Array; problems: Violation[] } {
  const freeBlockOf = new Int32Array(s.nframes).fill(-1);
  const problems: Violation[] = [];
  const bad = (message: string, page?: number): void => {
    problems.push({ invariant: 'buddy', message, page });
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
      }
      prev = pfn;
      n++;
    }
    if (n !== area.nr) bad(`free list ${order} holds ${n} blocks but its counter says ${area.nr}`);
    total += n << order;
  }
  if (total !== s.nrFree) bad(`free lists hold ${total} pages but nr_free_pages is ${s.nrFree}`);
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
  return { freeBlockOf, problems };
}

/** alloc_task_struct's blocks: each process's task struct is an aligned order-1 block marked PG_task, and every PG_task frame is one. */
const taskStruct: Rule = {
  name: 'task-struct',
  description: "every process's task struct is an aligned order-1 block in use and marked PG_task, and no other frame is marked PG_task",
  scope: 'global',
  check(v, _id, out) {
    const s = v.s;
    const owned = new Set<number>();
    for (const key in s.mms) {
      const mm = s.mms[key];
      if (mm.task === undefined) continue;
      const t = mm.task;
      const bad = (message: string): void => {
        out.push({ invariant: 'task-struct', page: t, mm: mm.id, message });
      };
      if (t % 2 !== 0 || t + 2 > s.nframes) {
        bad(`task struct at ${t} is not an aligned order-1 block in mem_map`);
        continue;
      }
      for (const pfn of [t, t + 1]) {
        const p = getPage(s, pfn);
        if (owned.has(pfn)) bad(`frame ${pfn} holds the task struct of two processes`);
        owned.add(pfn);
        if (p.count === 0 || (p.flags & PG_task) === 0)
          bad(`frame ${pfn} of the task struct is ${p.count === 0 ? 'free' : 'not marked PG_task'}`);
      }
    }
    for (let pfn = 0; pfn < s.nframes; pfn++) {
      if ((getPage(s, pfn).flags & PG_task) !== 0 && !owned.has(pfn))
        out.push({ invariant: 'task-struct', page: pfn, message: "frame is marked PG_task but is no process's task struct" });
    }
  },
};

const buddy: Rule = {
  name: 'buddy',
  description: 'buddy lists are well formed, blocks aligned, counters match and pair bits are consistent',
  scope: 'global',
  check(v, _id, out) {
    out.push(...walkBuddy(v.s).problems);
  },
};

/** Reserved frames (the kernel image) are never handed out, so never checked as user pages. */
export const CORE_RULES: readonly Rule[] = [
  pteOnChain,
  chainEntryValid,
  chainTerminates,
  chainLength,
  linkNull,
  pageCount,
  ptBlock,
  freePage,
  buddy,
  taskStruct,
  swapMap,
  clockHand,
  rss,
  pteInVma,
  rmapUnlinkMissing,
  ...SMP_RULES,
];

export { PTRS_PER_PTE };
