// An injection is claimed only when it happened: link-wrong-page with no other user page to
// link to links the right page, so it must not appear in the injected list (issue 13).
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { readPte } from '../../src/arch/i386/pgtable.js';
import { record, timeline } from '../helpers.js';

describe('record --inject link-wrong-page', () => {
  it('claims only links that went to another page (x486 seed 5: event 88 had none to go to)', () => {
    const r = record({ scenario: 'x486', seed: '5', events: 100000, inject: 'link-wrong-page' });
    expect(r.injected.length).toBeGreaterThan(0);
    expect(r.injected).not.toContain(88);
    const tl = timeline(r.path);
    for (const i of r.injected) {
      const e = tl.event(i);
      expect(e.t).toBe('pte_link');
      if (e.t !== 'pte_link') continue;
      // the state before the link: the pte maps one page and is linked onto another
      expect(pte_pfn(readPte(tl.at(i), e.pte))).not.toBe(e.pfn);
    }
  });
});
