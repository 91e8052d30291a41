// Which swap-cache rules a run follows (--swap-cache). 2.1.47's swap cache is a flag and a
// swap entry on the page, with no way back from an entry to a page: a shared anonymous page
// swapped out and faulted back by each sharer becomes one private copy per sharer, and
// do_wp_page leaves a page it makes writable in the cache (the stale entry goes lazily).
// 2.1.88 (Tweedie's rewrite, mm/swap_state.c) looks an entry up in the swap cache first, so
// a page shared by several ptes stays one page after swap-in, drops the cache entry when a
// sole owner writes, and keeps his invariant: a page read from swap is swap-cached or mapped
// writable, never both.

export type SwapCacheRules = '2.1.47' | '2.1.88';
export const SWAP_CACHE_RULES: readonly SwapCacheRules[] = ['2.1.47', '2.1.88'];
export const DEFAULT_SWAP_CACHE: SwapCacheRules = '2.1.47';
