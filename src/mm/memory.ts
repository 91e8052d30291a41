// The fault handler and page-table walkers (mm/memory.c, 2.1.47): do_no_page, do_wp_page,
// do_swap_page, copy_page_range (fork) and zap_page_range (exit, munmap). Every pte that
// starts mapping a page is linked and every one that stops is unlinked, as in the seed.

import type { DeepReadonly } from '../include/readonly.js';
import {
  PAGE_SIZE,
  PGDIR_SHIFT,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  SWP_OFFSET,
  ZERO_PAGE_PFN,
  mk_pte,
  pte_dirty,
  pte_is_swap,
  pte_pfn,
  pte_present,
  pte_write,
  pte_young,
} from '../arch/i386/page.js';
import { pte_addr, readPte } from '../arch/i386/pgtable.js';
import type { Kernel } from '../kernel/kernel.js';
import { FAULT, CODE_OF } from '../events.js';
import { getPage, VM_WRITE, VmaKind, type Mm, type Vma } from '../state.js';
import { find_page, read_file_page, try_to_read_ahead } from './filemap.js';
import { GFP_USER, __get_free_pages, free_page } from './page_alloc.js';
import { delete_from_swap_cache, lookup_swap_cache, swapCache2188 } from './swap_state.js';
import { DEV_DISK, inflightDone, read_page_sync, sleep_until } from './page_io.js';
import { rmap_reserve } from './rmap-slab.js';
import { PG_dirty, PG_kernel, PG_locked, PG_reserved, PG_swap_cache } from '../include/page-flags.js';
import { OP } from '../events.js';

export type FaultResult = 'ok' | 'segv' | 'oom';

const USER_PTE = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
const WRITE_PTE = USER_PTE | _PAGE_RW | _PAGE_DIRTY;

export function find_vma(mm: DeepReadonly<Mm>, addr: number): DeepReadonly<Vma> | undefined {
  for (const v of mm.vmas) if (addr >= v.start && addr < v.end) return v;
  return undefined;
}

/** Address of the pte mapping `addr` in `mm`, or 0 when no page table covers it. */
export function pte_offset(_k: Kernel, mm: DeepReadonly<Mm>, addr: number): number {
  const pt = mm.pgdir[Math.floor(addr / (1 << PGDIR_SHIFT))];
  if (pt === undefined) return 0;
  return pte_addr(pt, Math.floor(addr / PAGE_SIZE) & 1023);
}

export function read_pte(k: Kernel, pte: number): number {
  return readPte(k.s, pte);
}

/** pte_alloc: the pte for `addr`, allocating a page table (of the rmap design's order) if needed (0 on OOM). */
export function pte_alloc(k: Kernel, mmId: number, addr: number): number {
  const idx = Math.floor(addr / (1 << PGDIR_SHIFT));
  let mm = k.s.mms[mmId];
  if (mm.pgdir[idx] === undefined) {
    // order 1 for LaHaise's link page, order 0 for designs that keep their map elsewhere
    const order = k.rmap.caps.ptOrder;
    const pfn = __get_free_pages(k, order);
    if (pfn < 0) return 0;
    mm = k.s.mms[mmId];
    if (mm.pgdir[idx] === undefined) k.emit({ t: 'pt_alloc', pfn, mm: mmId, index: idx }, CODE_OF.pt_alloc);
    else free_page(k, pfn, order);
  }
  return pte_offset(k, k.s.mms[mmId], addr);
}

/** A user access by `mmId` to `addr`: the MMU sets accessed/dirty, or the kernel takes a fault. */
export function access(k: Kernel, mmId: number, addr: number, write: boolean): FaultResult {
  k.pendingUs += k.cfg.latencies.accessUs;
  for (let tries = 0; tries < 4; tries++) {
    const mm = k.s.mms[mmId];
    const pte = pte_offset(k, mm, addr);
    if (pte !== 0) {
      const v = read_pte(k, pte);
      if (pte_present(v) && (!write || pte_write(v))) {
        if (!pte_young(v) || (write && !pte_dirty(v))) k.emit({ t: 'hw_access', pte, write: write ? 1 : 0 }, CODE_OF.hw_access);
        return 'ok';
      }
    }
    const r = handle_mm_fault(k, mmId, addr, write);
    if (r !== 'ok') return r;
    // the faulting instruction restarts; the pte was set young (and dirty for a write)
    const after = read_pte(k, pte_offset(k, k.s.mms[mmId], addr));
    if (pte_present(after) && (!write || pte_write(after))) return 'ok';
  }
  return 'ok'; // a fault raced with reclaim four times: give the CPU back, the access retries later
}

export function handle_mm_fault(k: Kernel, mmId: number, addr: number, write: boolean): FaultResult {
  k.op('fault', mmId, addr);
  const vma = find_vma(k.s.mms[mmId], addr);
  if (vma === undefined || (write && (vma.prot & VM_WRITE) === 0)) return 'segv';
  k.tick(k.cfg.latencies.faultUs);
  const pte = pte_alloc(k, mmId, addr);
  if (pte === 0) return oom(k, mmId);
  // room on the reverse map's slab for the pte this fault may link (may reclaim: before reading the pte)
  rmap_reserve(k);
  const v = read_pte(k, pte);
  if (v === 0) return do_no_page(k, mmId, vma, addr, pte, write);
  if (pte_is_swap(v)) return do_swap_page(k, mmId, addr, pte, v, write);
  if (write && !pte_write(v)) return do_wp_page(k, mmId, addr, pte, v);
  return 'ok';
}

function oom(k: Kernel, mmId: number): FaultResult {
  k.op('oom', mmId);
  return 'oom';
}

function fault(k: Kernel, mmId: number, addr: number, write: boolean, kind: number): void {
  k.emit({ t: 'fault', mm: mmId, addr, write: write ? 1 : 0, kind }, CODE_OF.fault);
}

/** Allocate a user page; returns -1 when the pte changed meanwhile (reclaim ran) or memory ran out. */
function alloc_user_page(k: Kernel, pte: number, expect: number): number | 'oom' {
  const pfn = __get_free_pages(k, 0, GFP_USER);
  if (pfn < 0) return 'oom';
  if (read_pte(k, pte) !== expect) {
    free_page(k, pfn);
    return -1;
  }
  // e.g. 2.4's lru_cache_add: a new user or page-cache page enters the active list
  k.reclaim.hooks?.pageAdded?.(k, pfn);
  return pfn;
}

function map_new_page(k: Kernel, pte: number, pfn: number, val: number, cowBug = false): void {
  // the strict clock variant: the MMU's accessed bit from the restarted access is not counted
  if (k.cfg.strict?.refOnLoad === false) val = (val & ~_PAGE_ACCESSED) >>> 0;
  const set = k.m.events;
  k.emit({ t: 'pte_set', pte, val }, CODE_OF.pte_set);
  if (cowBug) k.inject.note(set);
  if (k.inject.fire('fault-no-link')) {
    k.inject.note(set);
    return;
  }
  if (k.inject.fire('link-wrong-page')) {
    // with no other user page to link to, the link is right and nothing is injected (or claimed)
    const wrong = wrong_page(k, pfn);
    if (wrong !== pfn) {
      k.inject.note(k.m.events);
      k.emit({ t: 'pte_link', pte, pfn: wrong }, CODE_OF.pte_link);
      return;
    }
  }
  k.emit({ t: 'pte_link', pte, pfn }, CODE_OF.pte_link);
  if (k.inject.fire('double-link')) {
    k.inject.note(k.m.events);
    k.emit({ t: 'pte_link', pte, pfn }, CODE_OF.pte_link);
  }
}

/** For link-wrong-page: the next page in use by user space after `pfn`. */
function wrong_page(k: Kernel, pfn: number): number {
  for (let i = 1; i < k.s.nframes; i++) {
    const q = (pfn + i) % k.s.nframes;
    const p = getPage(k.s, q);
    if (p.count > 0 && (p.flags & (PG_reserved | PG_kernel)) === 0) return q;
  }
  return pfn;
}

function do_no_page(k: Kernel, mmId: number, vma: Vma, addr: number, pte: number, write: boolean): FaultResult {
  if (vma.kind === VmaKind.Anon) {
    if (!write) {
      // get_empty_page: a read maps the shared zero page read-only (reserved: never linked)
      fault(k, mmId, addr, write, FAULT.zero);
      k.emit({ t: 'pte_set', pte, val: mk_pte(ZERO_PAGE_PFN, USER_PTE) }, CODE_OF.pte_set);
      return 'ok';
    }
    const pfn = alloc_user_page(k, pte, 0);
    if (pfn === 'oom') return oom(k, mmId);
    if (pfn < 0) return 'ok';
    fault(k, mmId, addr, write, FAULT.anon);
    map_new_page(k, pte, pfn, mk_pte(pfn, WRITE_PTE));
    return 'ok';
  }
  const offset = vma.pgoff + Math.floor((addr - vma.start) / PAGE_SIZE);
  let pfn = find_page(k, vma.file, offset);
  let major = false;
  if (pfn < 0) {
    const got = alloc_user_page(k, pte, 0);
    if (got === 'oom') return oom(k, mmId);
    if (got < 0) return 'ok';
    read_file_page(k, got, vma.file, offset);
    pfn = got;
    major = true;
  } else if ((getPage(k.s, pfn).flags & PG_locked) !== 0) {
    // filemap_nopage's page_locked_wait: a read-ahead still in flight; sleep until it completes
    sleep_until(k, inflightDone(k.s, pfn));
  }
  const r = map_file_page(k, mmId, vma, pte, write, pfn, major, addr);
  // "Do a very limited read-ahead": after a read from disk or NFS, the file's next page (filemap.c, try_to_read_ahead)
  if (major && r === 'ok') try_to_read_ahead(k, vma.file, offset + 1);
  return r;
}

/** The rest of do_no_page for a file page now in the page cache: share it, or copy it for a private writer. */
function map_file_page(
  k: Kernel,
  mmId: number,
  vma: Vma,
  pte: number,
  write: boolean,
  pfn: number,
  major: boolean,
  addr: number,
): FaultResult {
  const lat = k.cfg.latencies;
  fault(k, mmId, addr, write, major ? FAULT.file_major : FAULT.file);
  if (write && vma.kind === VmaKind.PrivateFile) {
    // filemap_nopage with no_share: the writer gets a private copy at once
    k.emit({ t: 'get_page', pfn }, CODE_OF.get_page);
    const copy = alloc_user_page(k, pte, 0);
    free_page(k, pfn);
    if (copy === 'oom') return oom(k, mmId);
    if (copy < 0) return 'ok';
    k.tick(lat.pageCopyUs);
    map_new_page(k, pte, copy, mk_pte(copy, WRITE_PTE));
    return 'ok';
  }
  k.emit({ t: 'get_page', pfn }, CODE_OF.get_page);
  const shared = vma.kind === VmaKind.SharedFile && (vma.prot & VM_WRITE) !== 0;
  map_new_page(k, pte, pfn, mk_pte(pfn, shared ? (write ? WRITE_PTE : USER_PTE | _PAGE_RW) : USER_PTE));
  return 'ok';
}

function do_swap_page(k: Kernel, mmId: number, addr: number, pte: number, v: number, write: boolean): FaultResult {
  const entry = SWP_OFFSET(v);
  const cached = lookup_swap_cache(k, entry);
  if (cached >= 0) {
    // 2.1.88 swap_in (read_swap_cache found it): another pte maps the page, so it is shared and
    // mapped read-only (a write copies it in do_wp_page); the pte's swap reference is dropped
    fault(k, mmId, addr, write, FAULT.swapcache);
    k.emit({ t: 'get_page', pfn: cached }, CODE_OF.get_page);
    map_new_page(k, pte, cached, mk_pte(cached, USER_PTE));
    k.emit({ t: 'swap_free', entry }, CODE_OF.swap_free);
    return 'ok';
  }
  const pfn = alloc_user_page(k, pte, v);
  if (pfn === 'oom') return oom(k, mmId);
  if (pfn < 0) return 'ok';
  fault(k, mmId, addr, write, FAULT.swapin);
  k.emit({ t: 'swap_in', pfn, entry }, CODE_OF.swap_in);
  // rw_swap_page(READ, .., wait 1): behind every write the disk has queued
  read_page_sync(k, pfn, DEV_DISK);
  if (!write) {
    // the pte's swap reference passes to the swap cache; the page stays read-only
    k.emit({ t: 'swap_cache_add', pfn, entry }, CODE_OF.swap_cache_add);
    map_new_page(k, pte, pfn, mk_pte(pfn, USER_PTE));
  } else {
    map_new_page(k, pte, pfn, mk_pte(pfn, WRITE_PTE));
    k.emit({ t: 'swap_free', entry }, CODE_OF.swap_free);
  }
  return 'ok';
}

function do_wp_page(k: Kernel, mmId: number, addr: number, pte: number, v: number): FaultResult {
  const old = pte_pfn(v);
  const page = getPage(k.s, old);
  const reserved = (page.flags & PG_reserved) !== 0;
  if (!reserved && page.count === 1) {
    // we are the only user: take the page over, no copy. 2.1.47 (mm/memory.c do_wp_page) only
    // makes the pte dirty and writable; the stale swap-cache entry goes lazily (try_to_swap_out
    // on the dirty pte, fork, free). 2.1.88 drops it here, keeping Tweedie's invariant.
    fault(k, mmId, addr, true, FAULT.wp);
    if (swapCache2188(k)) delete_from_swap_cache(k, old);
    k.emit({ t: 'pte_set', pte, val: (v | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED) >>> 0 }, CODE_OF.pte_set);
    return 'ok';
  }
  const copy = alloc_user_page(k, pte, v);
  if (copy === 'oom') return oom(k, mmId);
  if (copy < 0) return 'ok';
  fault(k, mmId, addr, true, reserved ? FAULT.anon : FAULT.cow);
  k.tick(k.cfg.latencies.pageCopyUs);
  const bug = !reserved && k.inject.fire('cow-no-unlink');
  if (!reserved) {
    if (!bug) k.emit({ t: 'pte_unlink', pte, pfn: old }, CODE_OF.pte_unlink);
    free_page(k, old);
  }
  map_new_page(k, pte, copy, mk_pte(copy, WRITE_PTE), bug);
  return 'ok';
}

/** zap_pte_range over [start, end) of one vma: unlink and drop every mapping. */
export function zap_page_range(k: Kernel, mmId: number, vma: Vma, start: number, end: number): void {
  let ptes = 0;
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    const pte = pte_offset(k, k.s.mms[mmId], addr);
    if (pte === 0) {
      addr = (Math.floor(addr / (1 << PGDIR_SHIFT)) + 1) * (1 << PGDIR_SHIFT) - PAGE_SIZE;
      continue;
    }
    const v = read_pte(k, pte);
    if (v === 0) continue;
    ptes++;
    if (pte_present(v)) {
      const pfn = pte_pfn(v);
      const page = getPage(k.s, pfn);
      if ((page.flags & PG_reserved) !== 0) {
        k.emit({ t: 'pte_clear', pte }, CODE_OF.pte_clear);
        continue;
      }
      if (vma.kind === VmaKind.SharedFile && pte_dirty(v) && (page.flags & PG_dirty) === 0) {
        // the dirty bit dies with the pte: keep it on the page so reclaim writes it back
        k.emit({ t: 'page_flags', pfn, set: PG_dirty, clear: 0 }, CODE_OF.page_flags);
      }
      const exiting = k.s.op.kind === OP.exit || k.s.op.kind === OP.exec;
      const noUnlink = k.inject.fire(exiting ? 'exit-no-unlink' : 'munmap-no-unlink');
      if (!noUnlink) k.emit({ t: 'pte_unlink', pte, pfn }, CODE_OF.pte_unlink);
      const clear = k.m.events;
      if (noUnlink) k.inject.note(clear);
      k.emit({ t: 'pte_clear', pte }, CODE_OF.pte_clear);
      if (k.inject.fire('count-leak')) {
        k.inject.note(clear);
        continue;
      }
      free_page(k, pfn);
    } else {
      k.emit({ t: 'pte_clear', pte }, CODE_OF.pte_clear);
      k.emit({ t: 'swap_free', entry: SWP_OFFSET(v) }, CODE_OF.swap_free);
    }
  }
  k.tick(ptes * k.cfg.latencies.ptePerUs);
}

/**
 * copy_page_range for one vma (fork): swap ptes are duplicated, present pages shared and,
 * in private writable mappings, write-protected in both for copy-on-write. The child's
 * ptes start old and are linked. Returns false when a page table could not be allocated.
 */
export function copy_page_range(k: Kernel, child: number, parent: number, vma: Vma): boolean {
  const cow = vma.kind !== VmaKind.SharedFile && (vma.prot & VM_WRITE) !== 0;
  let ptes = 0;
  for (let addr = vma.start; addr < vma.end; addr += PAGE_SIZE) {
    const src = pte_offset(k, k.s.mms[parent], addr);
    if (src === 0) {
      addr = (Math.floor(addr / (1 << PGDIR_SHIFT)) + 1) * (1 << PGDIR_SHIFT) - PAGE_SIZE;
      continue;
    }
    let v = read_pte(k, src);
    if (v === 0) continue;
    const dst = pte_alloc(k, child, addr);
    if (dst === 0) return false;
    rmap_reserve(k);
    v = read_pte(k, src); // allocating may have reclaimed the parent's page
    if (v === 0) continue;
    ptes++;
    if (pte_is_swap(v)) {
      k.emit({ t: 'swap_dup', entry: SWP_OFFSET(v) }, CODE_OF.swap_dup);
      k.emit({ t: 'pte_set', pte: dst, val: v }, CODE_OF.pte_set);
      continue;
    }
    const pfn = pte_pfn(v);
    const page = getPage(k.s, pfn);
    if ((page.flags & PG_reserved) !== 0) {
      k.emit({ t: 'pte_set', pte: dst, val: v }, CODE_OF.pte_set);
      continue;
    }
    let pv = v;
    if ((page.flags & PG_swap_cache) !== 0 && !swapCache2188(k)) {
      // 2.1.47 copy_one_pte: a shared page may not stay swap-cached; its pte becomes dirty
      // (2.1.88 keeps it cached: "No longer needed with the new swap cache code")
      delete_from_swap_cache(k, pfn);
      pv = (pv | _PAGE_DIRTY) >>> 0;
    }
    if (cow && pte_write(pv)) pv = (pv & ~_PAGE_RW) >>> 0;
    if (pv !== v) k.emit({ t: 'pte_set', pte: src, val: pv }, CODE_OF.pte_set);
    k.emit({ t: 'get_page', pfn }, CODE_OF.get_page);
    k.emit({ t: 'pte_set', pte: dst, val: (pv & ~_PAGE_ACCESSED) >>> 0 }, CODE_OF.pte_set);
    k.emit({ t: 'pte_link', pte: dst, pfn }, CODE_OF.pte_link);
  }
  k.tick(ptes * k.cfg.latencies.ptePerUs);
  return true;
}
