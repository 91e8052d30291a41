// What the simulated kernel needs to know beyond the state: files on backing stores,
// latencies, watermarks. All integers (µs, pages): no floats shape the run.

import { type Costs, DEFAULT_COSTS } from '../include/costs.js';

export type Backing = 'disk' | 'nfs';

export interface FileSpec {
  /** inode number (>= 1) */
  inode: number;
  name: string;
  pages: number;
  backing: Backing;
}

/** The cost table lives in src/include/costs.ts (with docs/model.md's "Costs" for the reasons). */
export type Latencies = Costs;
export const DEFAULT_LATENCIES: Latencies = DEFAULT_COSTS;

/** --alloc: 2.1.47's __get_free_pages (the default), or the forgiving allocator mmsim had before (reclaim and retry, then the reserve). */
export const ALLOC_MODES = ['2.1.47', 'retry'] as const;
export type AllocMode = (typeof ALLOC_MODES)[number];

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
  /** The allocator: absent for 2.1.47's __get_free_pages; 'retry' for mmsim's earlier forgiving one (--alloc retry). */
  alloc?: 'retry';
  /** 2.1.47's page ages (touch_page / age_page) decide when a page goes (--age; clock: off, old: on by default). */
  ageing?: boolean;
}
