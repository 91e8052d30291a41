// Page ageing constants of include/linux/swapctl.h (2.1.47). Age lives in struct page, so
// every pte that maps a page ages or rejuvenates the same counter.

export const MAX_PAGE_AGE = 20;
export const PAGE_ADVANCE = 3;
export const PAGE_DECLINE = 1;
/** Age of a page fresh from the buddy allocator. */
export const PAGE_INITIAL_AGE = 3;
/** Age of a page entering the page cache (it also gets PG_referenced). */
export const PAGE_AGE_VALUE = 16;

/** touch_page(): a referenced page gets younger by PAGE_ADVANCE, capped at MAX_PAGE_AGE. */
export function touch_page(age: number): number {
  return age < MAX_PAGE_AGE - PAGE_ADVANCE ? age + PAGE_ADVANCE : MAX_PAGE_AGE;
}

/** age_page(): an unreferenced page gets older by PAGE_DECLINE, down to 0 (swappable). */
export function age_page(age: number): number {
  return age > PAGE_DECLINE ? age - PAGE_DECLINE : 0;
}

/** AGE_CLUSTER_SIZE(rss): how many visits swap_out gives a process, rss/32 but at least 4. */
export function AGE_CLUSTER_SIZE(rss: number): number {
  return Math.max(rss >> 5, 4);
}

/** SWAP_CLUSTER_MAX (include/linux/swap.h): swap slots scan_swap_map hands out in one cluster. */
export const SWAP_CLUSTER_MAX = 32;
