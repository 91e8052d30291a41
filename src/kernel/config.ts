// What the simulated kernel needs to know beyond the state: files on backing stores,
// latencies, watermarks. All integers (µs, pages): no floats shape the run.

export type Backing = 'disk' | 'nfs';

export interface FileSpec {
  /** inode number (>= 1) */
  inode: number;
  name: string;
  pages: number;
  backing: Backing;
}

export interface Latencies {
  /** Random 4 KiB read from a 1997 IDE disk (swap or local file). */
  diskReadUs: number;
  /** CPU time to queue an asynchronous write (swap-out, writepage); the write itself overlaps. */
  writeSubmitUs: number;
  /** One 4 KiB page over NFS on 10 Mbit/s Ethernet: ~3.7 ms transfer + ~1 ms round trip. */
  nfsReadUs: number;
  /** copy_page on a 486. */
  pageCopyUs: number;
  /** Entering and leaving the fault handler. */
  faultUs: number;
  /** One reference by a user process (a burst of instructions touching one page). */
  accessUs: number;
  /** kswapd CPU per page examined and per pte visited. */
  scanPageUs: number;
  scanPteUs: number;
  /** fork/exit base cost and per-pte cost. */
  forkUs: number;
  ptePerUs: number;
}

export const DEFAULT_LATENCIES: Latencies = {
  diskReadUs: 12000,
  writeSubmitUs: 50,
  nfsReadUs: 4700,
  pageCopyUs: 40,
  faultUs: 20,
  accessUs: 2,
  scanPageUs: 2,
  scanPteUs: 1,
  forkUs: 300,
  ptePerUs: 1,
};

export interface Watermarks {
  min: number;
  low: number;
  high: number;
}

/** free_area_init (2.1.47): i = total/128 clamped up to 48; min = i, low = 1.5i, high = 2i. */
export function watermarks2147(nframes: number): Watermarks {
  const i = Math.max(nframes >> 7, 48);
  return { min: i, low: i + (i >> 1), high: 2 * i };
}

export const HZ = 100;
export const TICK_US = 1000000 / HZ;
/** swapout_interval: HZ/4 jiffies between periodic kswapd wake-ups. */
export const SWAPOUT_INTERVAL_US = (HZ / 4) * TICK_US;
export { SWAP_CLUSTER_MAX } from '../include/swapctl.js';

/**
 * Strict demand paging (trace replay against textbooks and cache simulators): user pages
 * live in exactly `userFrames` frames [userBase, userBase + userFrames); kernel pages
 * (pgd, page tables) come from the frames below userBase. No watermarks, no kswapd:
 * a user allocation with no free user frame reclaims exactly one page first.
 */
export interface StrictConfig {
  userBase: number;
  userFrames: number;
  /** false: a page loaded by a fault starts with its accessed bit clear (the clock variant). */
  refOnLoad: boolean;
}

export interface KernelConfig {
  files: FileSpec[];
  latencies: Latencies;
  watermarks: Watermarks;
  reclaim: string;
  strict?: StrictConfig;
  /** steal_specific_page: empty an aligned block by flipping its pages when a high-order allocation finds none free (--steal). */
  steal?: boolean;
  /** 2.1.47's page ages (touch_page / age_page) decide when a page goes (--age; clock: off, old: on by default). */
  ageing?: boolean;
}
