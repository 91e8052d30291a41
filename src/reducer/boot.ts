// The state a run starts from, built on the reducer side (the only code that writes state).
// Like mem_init(): every frame starts reserved, then each frame past the kernel's reservation
// is handed to the buddy allocator one at a time, in pfn order, so the free lists come out as
// the kernel builds them. Nothing here is an event: boot happens before the first one, so the
// log, `stats.events` and every counter start at zero (the log stores this state's hash).

import type { DesignOptions } from '../include/design.js';
import { PG_DMA, PG_reserved } from '../include/page-flags.js';
import { NR_MEM_LISTS, chunked, pageHashBuckets, emptyStats, getPage, type Page, type State } from '../state.js';
import { buddyFree } from './buddy.js';
import { reclaimOf, rmapOf } from './designs.js';

/** Frames below 16 MiB are ISA-DMA capable. */
const MAX_DMA_PFN = (16 << 20) >> 12;

export interface BootConfig {
  nframes: number;
  /** Frames 0..reserved-1 hold the kernel image, mem_map and boot allocations. */
  reserved: number;
  swapSlots: number;
  /** The designs (registry names), each of which builds its own state slice. */
  rmap: string;
  reclaim: string;
  options?: DesignOptions;
  /** Initial clock hand (strict mode starts it at the first user frame). */
  hand?: number;
  /** --swap-cache 2.1.88: keep the swap cache's index by entry (lookup_swap_cache). */
  swapCacheLookup?: boolean;
}

/** A reserved struct page: what every frame is before mem_init frees it. */
function reservedPage(pfn: number): Page {
  return {
    count: 1,
    flags: PG_reserved | (pfn < MAX_DMA_PFN ? PG_DMA : 0),
    age: 0,
    inode: 0,
    offset: 0,
    swap: 0,
    next: -1,
    prev: -1,
    order: -1,
    mapcount: 0,
    rmap: 0,
  };
}

/** The machine before mem_init: every frame reserved, empty free lists, the designs' slices. */
export function emptyState(cfg: BootConfig): State {
  const { nframes } = cfg;
  const s: State = {
    nframes,
    rmap: cfg.rmap,
    reclaim: cfg.reclaim,
    slices: {},
    time: 0,
    memMap: chunked(nframes, reservedPage),
    freeArea: Array.from({ length: NR_MEM_LISTS }, () => ({ head: -1, nr: 0 })),
    buddyMap: Array.from({ length: NR_MEM_LISTS - 1 }, (_, order) => chunked(Math.ceil((nframes >> (order + 1)) / 32) + 1, () => 0)),
    nrFree: 0,
    pts: {},
    mms: {},
    nextMm: 1,
    pageHash: Array.from({ length: pageHashBuckets(nframes) }, () => []),
    swap: {
      nslots: cfg.swapSlots,
      map: chunked(cfg.swapSlots, () => 0),
      used: 0,
      clusterNext: 1,
      clusterNr: 0,
      ...(cfg.swapCacheLookup === true ? { cache: chunked(cfg.swapSlots, () => 0) } : {}),
    },
    hand: cfg.hand ?? 0,
    lastKswapd: 0,
    io: { disk: 0, nfs: 0, nrAsync: 0, inflight: [] },
    op: { seq: 0, kind: 0, mm: -1, addr: 0 },
    stats: emptyStats(),
  };
  const info = { nframes, options: cfg.options ?? {}, userBase: cfg.hand };
  const rmapSlice = rmapOf(s).initialSlice?.(info);
  const reclaimSlice = reclaimOf(s).initialSlice?.(info);
  if (rmapSlice !== undefined) s.slices.rmap = rmapSlice;
  if (reclaimSlice !== undefined) s.slices.reclaim = reclaimSlice;
  return s;
}

/** free_all_bootmem: frames [from, nframes) leave the reservation for the buddy lists, in pfn order. */
export function freeAllBootmem(s: State, from: number): void {
  for (let pfn = from; pfn < s.nframes; pfn++) {
    const p = getPage(s, pfn);
    p.flags &= ~PG_reserved;
    p.count = 0;
    const dma = p.flags & PG_DMA;
    buddyFree(s, pfn, 0);
    p.flags = dma;
  }
}

/** The booted machine: the skeleton with every frame past the reservation free. */
export function bootState(cfg: BootConfig): State {
  const s = emptyState(cfg);
  freeAllBootmem(s, cfg.reserved);
  return s;
}
