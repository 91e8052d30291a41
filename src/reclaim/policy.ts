// The one interface every reclaim policy implements. tryToFreePage is try_to_free_page():
// free at least one page or report that nothing could be freed.

import type { Kernel } from '../kernel/kernel.js';

export interface ReclaimPolicy {
  readonly name: string;
  /** Reverse-map designs this policy can run with ('*' = any that supports walking a page's ptes). */
  readonly needsRmap: boolean;
  tryToFreePage(k: Kernel): boolean;
  /** The policy keeps 2.4.0's LRU lists: boot adds them to the state and user pages enter them (lru_add). */
  readonly usesLru?: boolean;
  /** Strict mode: the allocator handed `pfn` to a user page (policies that order pages by load time). */
  allocated?(k: Kernel, pfn: number): void;
  /**
   * Strict mode: the free user frame at or after `hand` in clock order, or -1, from an index
   * kept outside the state (src/trace/free-frames.ts); without it the allocator walks the free
   * lists (strict_next_user_frame). Both give the same frame.
   */
  freeUserFrame?(hand: number): number;
}
