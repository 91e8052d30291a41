// The machine state: plain data only (no classes, Map, Set or typed arrays), so that Immer
// can draft it and msgpack can store it. Large tables are split into CHUNK-entry chunks so
// that one write copies one chunk, not the table.

export const CHUNK = 64;
export const NR_MEM_LISTS = 6; // buddy orders 0..5
export const PAGE_HASH_BITS = 11;
export const PAGE_HASH_SIZE = 1 << PAGE_HASH_BITS;

/** struct page, reduced to what reclaim and rmap look at. */
export interface Page {
  count: number;
  flags: number;
  age: number;
  /** Page-cache identity: file inode (0 = none) and page index in the file. */
  inode: number;
  offset: number;
  /** pg_swap_entry: swap offset when PG_swap_cache is set, else 0. */
  swap: number;
  /** Buddy free-list links (pfn, -1 = none); `order` is the block order when this page heads a free block, else -1. */
  next: number;
  prev: number;
  order: number;
  /** Number of ptes linked to this page through the reverse map. */
  mapcount: number;
  /** Reverse-map head; its meaning belongs to the rmap design (pte-chain: first pte address, 0 = empty). */
  rmap: number;
  /**
   * LRU list links (pfn, -1 = none), present only in runs whose policy keeps LRU lists
   * (active-inactive); which list the page is on is told by its PG_active / PG_inactive_* flag.
   */
  lruNext?: number;
  lruPrev?: number;
}

export const enum VmaKind {
  Anon = 0,
  PrivateFile = 1,
  SharedFile = 2,
}
export const VM_READ = 1,
  VM_WRITE = 2,
  VM_EXEC = 4;

export interface Vma {
  start: number;
  end: number;
  kind: VmaKind;
  prot: number;
  /** Inode of the mapped file, 0 for anonymous memory. */
  file: number;
  /** File page index of `start`. */
  pgoff: number;
}

export interface Mm {
  id: number;
  /** Frame holding this mm's page directory. */
  pgd: number;
  parent: number;
  vmas: Vma[];
  rss: number;
  /** pgd index -> page-table pfn (pmd folded into pgd on i386). */
  pgdir: Record<number, number>;
  /**
   * The old kswapd's per-process cursor (task_struct in 2.1.47: p->swap_address, p->swap_cnt):
   * where swap_out_process resumes its pte walk, and how many more visits swap_out gives this
   * process before moving on. Unused by the other policies; changed only by swap_* events.
   */
  swapAddress: number;
  swapCnt: number;
}

/** One page table: an order-1 block; `pte` is the first page, `link` the second. */
export interface PageTable {
  pfn: number;
  mm: number;
  index: number;
  /** Non-none ptes in this table. */
  used: number;
  pte: number[][];
  link: number[][];
}

export interface SwapState {
  nslots: number;
  /** swap_map[] use counts, chunked. Slot 0 is the swap header and is never handed out. */
  map: number[][];
  used: number;
  /** scan_swap_map cursor: next slot to try and slots left in the current cluster. */
  clusterNext: number;
  clusterNr: number;
}

/**
 * Fixed-size blocks of the pte-pool and pte_chain reverse maps, carved and recycled the way a
 * slab cache would: a free list threaded through word 0 of each free block, new blocks carved
 * at the end. Block 0 is NULL and never handed out. `blockWords` is 0 for designs without blocks.
 */
export interface RmapArena {
  blockWords: number;
  /** Block b occupies words [b * blockWords, (b + 1) * blockWords), chunked like every large table. */
  words: number[][];
  /** Blocks carved so far, block 0 included. */
  nblocks: number;
  free: number;
  used: number;
  /** Most blocks in use at once (the peak overhead). */
  peak: number;
}

/** State of the old (2.1.47) kswapd that lives in static variables of mm/vmscan.c. */
export interface OldKswapd {
  /** swap_out's static skip_factor: how far down the task list the next scan starts. */
  skipFactor: number;
  /** do_try_to_free_page's static state: 0 resumes at shrink_mmap, 4 at swap_out. */
  state: number;
}

/** One LRU list: intrusive, doubly linked through page.lruNext/lruPrev; new pages at the head, scans from the tail. */
export interface LruList {
  head: number;
  tail: number;
  nr: number;
}

/** 2.4.0's page lists (policy active-inactive): active, inactive_dirty and inactive_clean, indexed by LRU_* of mm/lru.ts. */
export interface LruState {
  lists: LruList[];
  /** lru_add of a page already on a list, lru_move/lru_del of a page on none (kernel bugs the checker reports). */
  errors: number;
  /** page_free of a page still on a list (the kernel must lru_del first). */
  freedOnList: number;
}

export interface OpState {
  seq: number;
  kind: number;
  mm: number;
  addr: number;
}

export interface Stats {
  events: number;
  ops: number;
  faults: number[];
  scanned: number;
  ptesVisited: number;
  reclaimed: number;
  swapReads: number;
  swapWrites: number;
  fileReads: number;
  fileWrites: number;
  kswapdRuns: number;
  kswapdUs: number;
  /** Pages scanned by direct reclaim (inside an allocating operation, not kswapd). */
  directScanned: number;
  ooms: number;
  forks: number;
  execs: number;
  exits: number;
  /** pte_unlink of a pte that was not on the page's reverse map, or pte_link of one already on it (a kernel bug the checker reports). */
  rmapErrors: number;
  /** pte slots the old kswapd's page-table walk passed over (present or not): its CPU-side cost. */
  pteSlots: number;
  /**
   * --steal only (absent otherwise, so runs without it keep their state hash): high-order
   * blocks emptied by steal_specific_page, attempts that failed, and pages flipped.
   */
  steal?: StealStats;
}

export interface StealStats {
  ok: number;
  failed: number;
  flipped: number;
}

export interface State {
  nframes: number;
  /** Reverse-map design and its mode (pte-chain: 0 = NULL-terminated, 1 = circular debug lists). */
  rmap: string;
  chainMode: number;
  time: number;
  memMap: Page[][];
  freeArea: { head: number; nr: number }[];
  /** Buddy bitmaps per order: one bit per buddy pair, toggled on every alloc/free of either half. */
  buddyMap: number[][][];
  nrFree: number;
  pts: Record<number, PageTable>;
  mms: Record<number, Mm>;
  nextMm: number;
  pageHash: number[][];
  swap: SwapState;
  hand: number;
  /** Blocks of the pte-pool / pte_chain reverse maps (empty for the other designs). */
  rmapArena: RmapArena;
  /** The old kswapd's static variables (policy `old`). */
  oldKswapd: OldKswapd;
  /** The LRU lists, only in runs of a policy that keeps them (absent otherwise, so other runs' states are unchanged). */
  lru?: LruState;
  /** Simulated time (µs) of kswapd's last run: swap_tick wakes it again after swapout_interval. */
  lastKswapd: number;
  op: OpState;
  stats: Stats;
}

export function chunked<T>(n: number, make: (i: number) => T): T[][] {
  const out: T[][] = [];
  for (let base = 0; base < n; base += CHUNK) {
    const c: T[] = [];
    for (let i = base; i < Math.min(n, base + CHUNK); i++) c.push(make(i));
    out.push(c);
  }
  return out;
}

export const getPage = (s: State, pfn: number): Page => s.memMap[pfn >> 6][pfn & 63];
export const getChunked = (t: number[][], i: number): number => t[i >> 6][i & 63];
export const setChunked = (t: number[][], i: number, v: number): void => {
  t[i >> 6][i & 63] = v;
};

export const NR_FAULT_KINDS = 7;
export function emptyStats(): Stats {
  return {
    events: 0,
    ops: 0,
    faults: new Array(NR_FAULT_KINDS).fill(0),
    scanned: 0,
    ptesVisited: 0,
    reclaimed: 0,
    swapReads: 0,
    swapWrites: 0,
    fileReads: 0,
    fileWrites: 0,
    kswapdRuns: 0,
    kswapdUs: 0,
    directScanned: 0,
    ooms: 0,
    forks: 0,
    execs: 0,
    exits: 0,
    rmapErrors: 0,
    pteSlots: 0,
  };
}
