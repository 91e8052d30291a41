// The machine state: plain data only (no classes, Map, Set or typed arrays), so that Immer
// can draft it and msgpack can store it. Large tables are split into CHUNK-entry chunks so
// that one write copies one chunk, not the table.

import type { DeepReadonly } from './include/readonly.js';

export const CHUNK = 64;
export const NR_MEM_LISTS = 6; // buddy orders 0..5

/** Bucket pointers in one page (PAGE_SIZE / sizeof(struct page *) on i386). */
const PAGE_SIZE_WORDS = 1024;

/**
 * Buckets of the page-cache hash for a machine of `nframes` frames, sized by memory as
 * page_cache_init() (mm/filemap.c, 2.2.14 and 2.4) does on i386: the smallest order of
 * pages whose 4-byte bucket pointers number at least one per frame, so a power of two
 * >= nframes and at least one page's worth (1,024). 2.1.47 fixed it at 2,048
 * (PAGE_HASH_BITS 11): at 65,536 frames its chains were ~32 long.
 */
export function pageHashBuckets(nframes: number): number {
  let buckets = PAGE_SIZE_WORDS;
  while (buckets < nframes) buckets *= 2;
  return buckets;
}

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
  /**
   * The reverse map's word in struct page (2.5's page->pte union, 2.6's page->mapping for
   * anonymous pages); its meaning belongs to the rmap design (pte-chain: first pte address;
   * pte-pool and pte_chain: first block; anon_vma: the anon_vma id). 0 = empty.
   */
  rmap: number;
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
  /** First pfn of the order-1 block holding the process's task struct and kernel stack; absent in strict mode, which has none. */
  task?: number;
}

/** One page table (its first page; a design that needs order-1 tables keeps the second page in its slice). */
export interface PageTable {
  pfn: number;
  mm: number;
  index: number;
  /** Non-none ptes in this table. */
  used: number;
  pte: number[][];
}

export interface SwapState {
  nslots: number;
  /** swap_map[] use counts, chunked. Slot 0 is the swap header and is never handed out. */
  map: number[][];
  used: number;
  /** scan_swap_map cursor: next slot to try and slots left in the current cluster. */
  clusterNext: number;
  clusterNr: number;
  /**
   * --swap-cache 2.1.88 only (absent under 2.1.47's rules, which have no lookup): the swap
   * cache by entry, pfn + 1 of the page caching each slot (0 = none), chunked like `map`.
   * lookup_swap_cache reads it; swap_cache_add and swap_cache_del keep it.
   */
  cache?: number[][];
}

export interface IoState {
  /** Time at which the disk (swap, local files) has served every request queued so far. */
  disk: number;
  /** The same for the NFS server. */
  nfs: number;
  /** nr_async_pages: pages under asynchronous write-out, freed when their write completes. */
  nrAsync: number;
  /** Tracked requests as flat triples (pfn, done, write 0|1), ordered by completion time. */
  inflight: number[];
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
  /** Processes killed for want of memory in the fault path (oom(), or SIGBUS from do_no_page), or whose execve found none. */
  ooms: number;
  /** __get_free_pages failures, per order (0..NR_MEM_LISTS-1); absent until the first (initial states keep their hash). */
  allocFailures?: number[];
  /** do_fork calls refused for want of memory (-ENOMEM): no child; absent until the first. */
  forksRefused?: number;
  forks: number;
  execs: number;
  exits: number;
  /** pte_unlink of a pte that was not on the page's reverse map, or pte_link of one already on it (a kernel bug the checker reports). */
  rmapErrors: number;
  /** pte slots the old kswapd's page-table walk passed over (present or not): its CPU-side cost. */
  pteSlots: number;
  /** Time processes slept on I/O (reads, queueing behind writes, direct reclaim's writes). */
  ioWaitUs: number;
  /** Pages read ahead by filemap_nopage (try_to_read_ahead). */
  readAheads: number;
  /**
   * --steal only (absent otherwise, so runs without it keep their state hash): high-order
   * blocks emptied by steal_specific_page, attempts that failed, and pages flipped.
   */
  steal?: StealStats;
  /**
   * Vmas the reverse-map walks looked at (objrmap, anon_vma); absent for designs whose walk
   * visits none, so their runs keep their state hash.
   */
  vmasVisited?: number;
}

export interface StealStats {
  ok: number;
  failed: number;
  flipped: number;
}

export interface State {
  nframes: number;
  /** The reverse-map design and the reclaim policy (registry names): the reducer dispatches to them. */
  rmap: string;
  reclaim: string;
  /** Each active design's own state (src/include/design.ts); absent for a design that keeps none. */
  slices: { rmap?: unknown; reclaim?: unknown };
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
  /**
   * The clock hand over mem_map: shrink_mmap's static `clock` in 2.1.47's mm/filemap.c, which
   * the seed's single-handed kswapd clock reuses.
   */
  hand: number;
  /** Simulated time (µs) of kswapd's last run: swap_tick wakes it again after swapout_interval. */
  lastKswapd: number;
  /** The block devices and the requests in flight (src/mm/page_io.ts). */
  io: IoState;
  op: OpState;
  stats: Stats;
  /** --cpus N with N > 1 only (absent otherwise, so 1-CPU runs keep their state hash): the CPUs and their locks. */
  smp?: SmpState;
}

/** A lock that is held, waited on or was once released (src/include/locks.ts names it). */
export interface LockState {
  /** The CPU holding it, or -1. */
  owner: number;
  /** The owner's clock (µs) when it took the lock. */
  since: number;
  /** CPUs waiting for it, first come first served. */
  waiters: number[];
  /** The releasing CPU's clock at the last release: a later taker's clock moves up to it. */
  freedAt: number;
}

/** Per lock kind (src/include/locks.ts LOCK_KINDS order). */
export interface LockStats {
  acquires: number;
  /** Acquisitions that had to wait in the queue (a lock_wait first). */
  contended: number;
  /** Time CPUs spent waiting: queued, or moved up to the last release of the lock. */
  waitUs: number;
  holdUs: number;
}

/** A locking rule the reducer saw broken (src/check/smp-rules.ts reports them). */
export interface SmpViolation {
  rule: string;
  /** The event index (stats.events before it) that broke it. */
  event: number;
  cpu: number;
  /** The other CPU involved (the lock's holder), or -1. */
  other: number;
  lock: number;
  /** The pte, pfn or lock the rule is about. */
  subject: number;
}

export interface SmpState {
  ncpus: number;
  /** The locking design and the schedule (--locking, --sched), so a replay's report names them. */
  locking: string;
  sched: string;
  /** The CPU whose events these are (the last `cpu` event). */
  cur: number;
  /** Each CPU's own clock (µs); State.time is the latest of them. */
  clock: number[];
  /** The kind of each CPU's last `op` (its ticks count as kswapd's when that was kswapd). */
  opKind: number[];
  locks: Record<number, LockState>;
  /** Locks each CPU holds, in the order it took them. */
  held: number[][];
  /** The lock each CPU waits for, or 0. */
  waiting: number[];
  /** stats.events when that wait began. */
  waitSince: number[];
  lockStats: LockStats[];
  /** `cpu` events: how often the scheduler switched CPUs. */
  switches: number;
  /**
   * Each CPU's TLB: the ptes whose translation it may still use (pte → 1). A CPU caches a pte
   * it walked (hw_access) or that its own fault just set; it loses it when it changes the pte
   * itself (the local flush), by another CPU's tlb_shootdown, or when the page table is freed.
   * Absent in logs recorded before the TLB was modelled (src/reducer/tlb.ts creates it).
   */
  tlb?: Record<number, 1>[];
  /** A pte the current CPU took a translation away from while other CPUs hold it: the shootdown is owed next; 0 when none. */
  tlbOwed?: number;
  /** The first violations (at most SMP_VIOLATIONS_KEPT) and how many there were. */
  violations: SmpViolation[];
  nviolations: number;
}

export const SMP_VIOLATIONS_KEPT = 16;

export function chunked<T>(n: number, make: (i: number) => T): T[][] {
  const out: T[][] = [];
  for (let base = 0; base < n; base += CHUNK) {
    const c: T[] = [];
    for (let i = base; i < Math.min(n, base + CHUNK); i++) c.push(make(i));
    out.push(c);
  }
  return out;
}

/** struct page of `pfn`: writable for the reducer, read-only for the kernel (which reads a DeepReadonly<State>). */
export function getPage(s: State, pfn: number): Page;
export function getPage(s: DeepReadonly<State>, pfn: number): DeepReadonly<Page>;
export function getPage(s: DeepReadonly<State>, pfn: number): DeepReadonly<Page> {
  return s.memMap[pfn >> 6][pfn & 63];
}
export const getChunked = (t: readonly (readonly number[])[], i: number): number => t[i >> 6][i & 63];
export const setChunked = (t: number[][], i: number, v: number): void => {
  t[i >> 6][i & 63] = v;
};

/** Fault kinds every run counts from boot; later kinds (swapcache) get a slot on their first fault. */
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
    ioWaitUs: 0,
    readAheads: 0,
  };
}
