import { describe, expect, it } from 'vitest';
import { bareKernel } from '../helpers.js';
import { __get_free_pages } from '../../src/mm/page_alloc.js';
import { get_swap_page } from '../../src/mm/swapfile.js';
import { delete_from_swap_cache } from '../../src/mm/swap_state.js';
import { PG_swap_cache } from '../../src/include/page-flags.js';
import { getChunked, getPage } from '../../src/state.js';

describe('delete_from_swap_cache', () => {
  it('takes the page out of the swap cache and drops the cache reference to its entry', () => {
    const { k, events } = bareKernel('pte-chain');
    const pfn = __get_free_pages(k, 0);
    const entry = get_swap_page(k);
    // a page written to swap and kept in the swap cache: one reference on the slot (the cache's)
    k.emit({ t: 'swap_out', pfn, entry, refs: 0 });
    k.emit({ t: 'swap_dup', entry });
    k.emit({ t: 'swap_cache_add', pfn, entry });
    expect(getChunked(k.s.swap.map, entry)).toBe(1);
    events.length = 0;

    delete_from_swap_cache(k, pfn);

    expect(events).toEqual([
      { t: 'swap_cache_del', pfn },
      { t: 'swap_free', entry },
    ]);
    expect(getPage(k.s, pfn).flags & PG_swap_cache).toBe(0);
    expect(getPage(k.s, pfn).swap).toBe(0);
    expect(getChunked(k.s.swap.map, entry)).toBe(0);
  });

  it('does nothing for a page that is not swap-cached', () => {
    const { k, events } = bareKernel('pte-chain');
    const pfn = __get_free_pages(k, 0);
    events.length = 0;
    delete_from_swap_cache(k, pfn);
    expect(events).toEqual([]);
  });
});
