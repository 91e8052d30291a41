// Page ageing as its own axis (--age; issue 9): 2.1.47's touch_page / age_page
// (include/linux/swapctl.h, mm/vmscan.c try_to_swap_out) for the clock too, or no ages for
// the old kswapd too, so the comparison can separate scanning order from ageing.
import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src/compare/designs.js';
import { makeRunConfig } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { recordEvents } from '../helpers.js';

/** Per page, the ages the run set (page_age events) between its reclaim looks. */
function ageEvents(reclaim: string, rmap: string, age?: '2.1.47' | 'none') {
  const { events } = recordEvents('x486', '2', 150000, { reclaim, rmap, age });
  return events.filter((e) => e.t === 'page_age').length;
}

describe('--age', () => {
  it('clock (default: no ages) sets no page ages while reclaiming; clock --age 2.1.47 ages pages it looks at', () => {
    const none = ageEvents('clock', 'pte-chain');
    const aged = ageEvents('clock', 'pte-chain', '2.1.47');
    expect(aged).toBeGreaterThan(none + 1000);
  });

  it('old (default: 2.1.47 ages) ages pages; old --age none never does in swap_out', () => {
    expect(ageEvents('old', 'none')).toBeGreaterThan(1000);
    expect(ageEvents('old', 'none', 'none')).toBe(0);
  });

  it('clock --age 2.1.47 frees a page only once an unreferenced look takes its age to 0 (age_page)', () => {
    const { events } = recordEvents('x486', '2', 150000, { age: '2.1.47' });
    const age = new Map<number, number>();
    let checked = 0;
    for (const e of events) {
      if (e.t === 'page_age') age.set(e.pfn, e.age);
      if (e.t === 'page_alloc') age.delete(e.pfn);
      if (e.t === 'page_free' && e.reclaim === 1 && age.has(e.pfn)) {
        expect(age.get(e.pfn)).toBe(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('is refused for a policy with its own ageing, and the default is not written into the header', () => {
    const sc = loadScenario('tiny');
    expect(() => makeRunConfig(sc, { seed: '1', reclaim: 'active-inactive', age: 'none' })).toThrow(
      /--age none does not apply to --reclaim active-inactive/,
    );
    expect(makeRunConfig(sc, { seed: '1', reclaim: 'old', age: '2.1.47' }).age).toBeUndefined();
    expect(makeRunConfig(sc, { seed: '1', age: '2.1.47' }).age).toBe('2.1.47');
  });

  it('compare labels: clock+age and old-age', () => {
    expect(parseDesign('clock+age/pte-chain')).toEqual({
      label: 'clock+age/pte-chain',
      reclaim: 'clock',
      rmap: 'pte-chain',
      age: '2.1.47',
    });
    expect(parseDesign('old-age/none')).toMatchObject({ reclaim: 'old', age: 'none' });
    expect(() => parseDesign('active-inactive+age/pte-chain')).toThrow(/ages pages its own way/);
  });
});
