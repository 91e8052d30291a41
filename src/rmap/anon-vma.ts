// 2.6.7's reverse map (Andrea Arcangeli's anon_vma, as Hugh Dickins merged it): no per-pte
// records at all. A file page is found through its file's vmas as in objrmap
// (src/rmap/objrmap.ts); an anonymous page's page->mapping points at an anon_vma, the list
// of vmas that may map it, and page->index holds its virtual page number, so the walk
// (page_referenced_anon, try_to_unmap_anon) visits every vma on the list and looks at the
// pte at that address. The list is shared across fork: dup_mmap links the child's copy of
// each vma into the parent vma's anon_vma, so every process of a fork tree that still has
// the vma is on one list, and a walk of any of its pages visits all of them, whether they
// still map that page or have long since copied it on write: the known weakness on long
// fork chains (fixed only in 2.6.34 by Rik van Riel's anon_vma chains).
//
// Lifetime, as events this design owns (src/events.ts):
// - anon_vma_prepare when a private vma is created (mmap, exec, brk's first heap): mmsim
//   prepares it EAGERLY at vma creation, where 2.6.7 does it lazily at the vma's first
//   anonymous fault (do_anonymous_page, do_wp_page). Why: the design interface gives a
//   reverse map a hook where vmas are created, not one per fault, and an eager anon_vma
//   finds the same ptes; it costs one anon_vma (12 bytes) for a private vma never written
//   (text, read-only data), and puts a child of a fork before the first write on its
//   parent's list where 2.6.7 would give each its own anon_vma later.
// - anon_vma_link when fork copies a vma (dup_mmap), before its ptes are copied.
// - anon_vma_unlink when the vma goes (munmap, exit, exec), after its ptes were zapped; the
//   anon_vma is freed when its list empties. brk resizes a vma in place and keeps it.
// Shared file vmas get none: they never hold anonymous pages.
//
// page->mapping/page->index live in page.rmap (the anon_vma id) and page.offset (the
// virtual page number; the page-cache index field, as in the kernel's union of the two).
// Both are set when the page gets its first mapping (page_add_anon_rmap) and cleared when it
// loses its last (clear_page_anon in page_remove_rmap). Later mappings only count
// (page_dup_rmap), as in 2.6.7, so a duplicate link cannot be told from a new one: the count
// that disagrees with the ptes found is the `chain-length` finding.
//
// Overhead (2.6.7 sizes, i386 SMP build): struct anon_vma { spinlock_t lock; struct
// list_head head; } is 4 + 8 = 12 bytes from its own slab cache (no cache-line alignment);
// every vm_area_struct grew by struct list_head anon_vma_node + struct anon_vma * = 12 bytes,
// charged for every vma. No pte_chain blocks remain. A UP build would have 8-byte anon_vmas.

import { PAGE_SIZE } from '../arch/i386/page.js';
import { pte_table_pfn, pte_vaddr } from '../arch/i386/pgtable.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import type { Rule } from '../include/rules.js';
import { ReducerError } from '../reducer/index.js';
import type { DeepReadonly } from '../include/readonly.js';
import { getPage, type State, VmaKind } from '../state.js';
import { rmap_reserve } from '../mm/rmap-slab.js';
import { fileLink, fileNoChain, fileUnlink, fileWalk, isFilePage, mapsPage, pteAt, type VmaWalk } from './objrmap.js';

export const ANON_VMA_BYTES = 12;
export const VMA_ANON_FIELDS_BYTES = 12;

/** A vma on an anon_vma's list, named by its mm and start (vmas have no other identity). */
export interface VmaRef {
  mm: number;
  start: number;
}

export interface AnonVmaSlice {
  /** anon_vma id -> the vmas on its list, in link order. */
  lists: Record<number, VmaRef[]>;
  /** vma key (`mm:start`) -> its anon_vma (vma->anon_vma). */
  vmaAnon: Record<string, number>;
  /** The id the next anon_vma_prepare takes. */
  next: number;
  /** Pages the anon_vma slab cache took from mem_map (rmap_reserve). */
  slabPages: number[];
}

function countLists(sl: DeepReadonly<AnonVmaSlice>): number {
  let n = 0;
  for (const _ in sl.lists) n++;
  return n;
}

const key = (mm: number, start: number): string => `${mm}:${start}`;
const hex = (n: number): string => '0x' + n.toString(16);
export function sliceOf(s: State): AnonVmaSlice;
export function sliceOf(s: DeepReadonly<State>): DeepReadonly<AnonVmaSlice>;
export function sliceOf(s: DeepReadonly<State>): DeepReadonly<AnonVmaSlice> {
  return s.slices.rmap as DeepReadonly<AnonVmaSlice>;
}

/** The anon_vma of the vma covering `pte`'s address, or undefined. */
function anonVmaOfPte(s: DeepReadonly<State>, pte: number): { id: number | undefined; addr: number } {
  const pt = s.pts[pte_table_pfn(pte)];
  const addr = pte_vaddr(s, pte);
  const vma = pt === undefined ? undefined : s.mms[pt.mm]?.vmas.find((v) => addr >= v.start && addr < v.end);
  return { id: vma === undefined || pt === undefined ? undefined : sliceOf(s).vmaAnon[key(pt.mm, vma.start)], addr };
}

/** page_referenced_anon's walk: every vma on the page's anon_vma, the pte at the page's address in each. */
export function anonWalk(s: DeepReadonly<State>, pfn: number): VmaWalk {
  const page = getPage(s, pfn);
  const out: VmaWalk = { ptes: [], via: [], vmas: 0 };
  const list = sliceOf(s).lists[page.rmap];
  if (page.rmap === 0 || list === undefined) return out;
  const addr = page.offset * PAGE_SIZE;
  for (const ref of list) {
    out.vmas++;
    const vma = s.mms[ref.mm]?.vmas.find((v) => v.start === ref.start);
    if (vma === undefined || addr < vma.start || addr >= vma.end) continue;
    const pte = pteAt(s, ref.mm, addr);
    if (!mapsPage(s, pte, pfn)) continue;
    out.ptes.push(pte);
    out.via.push(`anon vma ${hex(ref.start)} of mm ${ref.mm} (anon_vma ${page.rmap})`);
  }
  return out;
}

const walk = (s: DeepReadonly<State>, pfn: number): VmaWalk => (isFilePage(s, pfn) ? fileWalk(s, pfn) : anonWalk(s, pfn));

/** Vmas that can hold anonymous pages, so have an anon_vma (eagerly, see the header). */
const wantsAnonVma = (kind: VmaKind): boolean => kind !== VmaKind.SharedFile;

/** anon_vma lists hold exactly the vmas linked to them, every private vma is on one, and none is empty. */
const listsRule: Rule = {
  name: 'anon-vma-lists',
  description: 'anon_vma: every private vma is on exactly one anon_vma, whose list holds exactly the vmas linked to it; no list is empty',
  scope: 'global',
  cheap: true,
  check(v, _id, out) {
    const s = v.s;
    const sl = sliceOf(s);
    const bad = (message: string, mm?: number): void => {
      out.push({ invariant: 'anon-vma-lists', message, mm });
    };
    for (const id in s.mms) {
      const mm = s.mms[id];
      for (const vma of mm.vmas) {
        if (!wantsAnonVma(vma.kind)) continue;
        const av = sl.vmaAnon[key(mm.id, vma.start)];
        if (av === undefined) bad(`vma ${hex(vma.start)} of mm ${mm.id} has no anon_vma`, mm.id);
      }
    }
    for (const k in sl.vmaAnon) {
      const [mm, start] = k.split(':').map(Number);
      const id = sl.vmaAnon[k];
      if (s.mms[mm]?.vmas.some((x) => x.start === start) !== true)
        bad(`anon_vma ${id} is linked to vma ${hex(start)} of mm ${mm}, which does not exist`, mm);
      const n = (sl.lists[id] ?? []).filter((r) => r.mm === mm && r.start === start).length;
      if (n !== 1) bad(`vma ${hex(start)} of mm ${mm} points at anon_vma ${id}, whose list holds it ${n} times`, mm);
    }
    for (const id in sl.lists) {
      const list = sl.lists[id];
      if (list.length === 0) bad(`anon_vma ${id} has an empty list but was not freed`);
      for (const r of list) {
        if (sl.vmaAnon[key(r.mm, r.start)] !== Number(id))
          bad(`anon_vma ${id} lists vma ${hex(r.start)} of mm ${r.mm}, which is not linked to it`, r.mm);
      }
    }
  },
};

/** Each mapped anonymous page's anon_vma exists and lists a vma covering each pte, at the page's address. */
const pageRule: Rule = {
  name: 'anon-vma-page',
  description:
    "anon_vma: a mapped anonymous page's anon_vma exists, and every pte mapping it lies at page->index in a vma on that anon_vma",
  scope: 'page',
  check(v, pfn, out) {
    const s = v.s;
    const p = getPage(s, pfn);
    if (p.inode !== 0 || p.count === 0) return;
    const mappers = v.mappers(pfn);
    if (mappers.length === 0 && p.mapcount === 0) {
      if (p.rmap !== 0) out.push({ invariant: 'anon-vma-page', page: pfn, message: `unmapped page still points at anon_vma ${p.rmap}` });
      return;
    }
    const list = sliceOf(s).lists[p.rmap];
    if (list === undefined) {
      out.push({
        invariant: 'anon-vma-page',
        page: pfn,
        message: `mapped anonymous page points at anon_vma ${p.rmap}, which does not exist`,
      });
      return;
    }
    for (const pte of mappers) {
      const { id, addr } = anonVmaOfPte(s, pte);
      const pt = s.pts[pte_table_pfn(pte)];
      if (id === p.rmap && addr === p.offset * PAGE_SIZE) continue;
      out.push({
        invariant: 'anon-vma-page',
        page: pfn,
        pte,
        mm: pt?.mm,
        message:
          id !== p.rmap
            ? `pte at ${hex(addr)} lies in a vma of anon_vma ${String(id)}, not the page's anon_vma ${p.rmap}`
            : `pte maps the page at ${hex(addr)}, but page->index says ${hex(p.offset * PAGE_SIZE)}`,
      });
    }
  },
};

function unlinkRef(sl: AnonVmaSlice, id: number, mm: number, start: number): void {
  const list = sl.lists[id];
  const i = list === undefined ? -1 : list.findIndex((r) => r.mm === mm && r.start === start);
  if (list === undefined || i < 0)
    throw new ReducerError(`anon_vma_unlink: vma 0x${start.toString(16)} of mm ${mm} is not on anon_vma ${id}`);
  list.splice(i, 1);
  delete sl.vmaAnon[key(mm, start)];
  if (list.length === 0) delete sl.lists[id]; // the last vma went: anon_vma_free
}

export const anonVma: RmapDesign = {
  kind: 'rmap',
  name: 'anon_vma',
  summary: "2.6.7's anon_vma: anonymous pages found through the vma list they may be mapped by, file pages through their file",
  caps: { tracksPtes: true, ptOrder: 0 },
  initialSlice: (): AnonVmaSlice => ({ lists: {}, vmaAnon: {}, next: 1, slabPages: [] }),
  slab: { objectBytes: ANON_VMA_BYTES, inUse: (s) => countLists(sliceOf(s)) },
  owns: ['anon_vma_prepare', 'anon_vma_link', 'anon_vma_unlink'],
  rules: [listsRule, pageRule, fileNoChain],
  handlers: {
    anon_vma_prepare(s, e) {
      const sl = sliceOf(s);
      if (e.id !== sl.next || sl.vmaAnon[key(e.mm, e.start)] !== undefined) {
        throw new ReducerError(`anon_vma_prepare: anon_vma ${e.id} (next is ${sl.next}) for vma 0x${e.start.toString(16)} of mm ${e.mm}`);
      }
      sl.next++;
      sl.lists[e.id] = [{ mm: e.mm, start: e.start }];
      sl.vmaAnon[key(e.mm, e.start)] = e.id;
    },
    anon_vma_link(s, e) {
      const sl = sliceOf(s);
      if (sl.lists[e.id] === undefined || sl.vmaAnon[key(e.mm, e.start)] !== undefined) {
        throw new ReducerError(`anon_vma_link: vma 0x${e.start.toString(16)} of mm ${e.mm} into anon_vma ${e.id}`);
      }
      sl.lists[e.id].push({ mm: e.mm, start: e.start });
      sl.vmaAnon[key(e.mm, e.start)] = e.id;
    },
    anon_vma_unlink(s, e) {
      unlinkRef(sliceOf(s), e.id, e.mm, e.start);
    },
    page_cache_add(s, e) {
      // only --steal's flip links ptes to a page before it enters the page cache: its file finds it now
      const p = getPage(s, e.pfn);
      p.rmap = 0;
    },
  },
  hooks: {
    vmaAdded(k, mm, start, from) {
      const sl = sliceOf(k.s);
      const vma = k.s.mms[mm]?.vmas.find((v) => v.start === start);
      if (vma === undefined || !wantsAnonVma(vma.kind) || sl.vmaAnon[key(mm, start)] !== undefined) return; // brk: same vma, resized
      const parent = from === undefined ? undefined : sl.vmaAnon[key(from.mm, from.start)];
      if (parent !== undefined) {
        k.emit({ t: 'anon_vma_link', id: parent, mm, start });
        return;
      }
      rmap_reserve(k); // anon_vma_alloc: the slab may need a page first
      k.emit({ t: 'anon_vma_prepare', id: sliceOf(k.s).next, mm, start });
    },
    vmaRemoved(k, mm, start) {
      const id = sliceOf(k.s).vmaAnon[key(mm, start)];
      if (id !== undefined) k.emit({ t: 'anon_vma_unlink', id, mm, start });
    },
  },
  head: (s, pfn) => getPage(s, pfn).rmap,

  link(s, pte, pfn) {
    if (isFilePage(s, pfn)) return fileLink(s, pfn);
    const page = getPage(s, pfn);
    if (page.mapcount === 0) {
      // page_add_anon_rmap: page->mapping = vma->anon_vma, page->index = the virtual page
      // (no anon_vma: a pte outside any private vma, only --steal's flip of a page about to
      // enter the page cache; the count alone is kept and the page-cache add makes it a file page)
      const { id, addr } = anonVmaOfPte(s, pte);
      if (id !== undefined) {
        page.rmap = id;
        page.offset = addr / PAGE_SIZE;
      }
    }
    page.mapcount++; // page_dup_rmap for every later mapping
    return true;
  },

  unlink(s, _pte, pfn) {
    if (isFilePage(s, pfn)) return fileUnlink(s, pfn);
    const page = getPage(s, pfn);
    if (page.mapcount === 0) return false;
    if (--page.mapcount === 0) {
      // clear_page_anon
      page.rmap = 0;
      page.offset = 0;
    }
    return true;
  },

  forEach(s, pfn, fn) {
    for (const pte of walk(s, pfn).ptes) fn(pte);
  },
  walkCost: (s, pfn) => walk(s, pfn).vmas,

  entries(s, pfn): ChainReport {
    const p = getPage(s, pfn);
    const w = walk(s, pfn);
    const dangling = p.inode === 0 && p.rmap !== 0 && sliceOf(s).lists[p.rmap] === undefined;
    return { ptes: w.ptes, via: w.via, problem: dangling ? `page ${pfn} points at anon_vma ${p.rmap}, which was freed` : null };
  },
  slotLink: () => 0,

  /** The anon_vma slab's pages (taken from mem_map) and the bytes every vma grew by (its own slab, shared with the kernel). */
  overhead(s) {
    const pages = sliceOf(s).slabPages.length;
    let vmas = 0;
    for (const id in s.mms) vmas += s.mms[id].vmas.length;
    return { bytes: pages * PAGE_SIZE + vmas * VMA_ANON_FIELDS_BYTES, frames: pages };
  },
};
