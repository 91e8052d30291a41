import { describe, expect, it } from 'vitest';
import { formatViewState, parseViewState } from '../../../src/view/web/url-state.js';

describe('view state in the URL', () => {
  it('round-trips event, page, diff base and filters', () => {
    const st = { event: 9122, page: 1999, a: 9000, filters: { type: 'pte_set,pte_link', page: '', pte: '0x7fc1d0', mm: '4' } };
    const url = formatViewState(st);
    expect(url).toBe('?e=9122&p=1999&a=9000&type=pte_set%2Cpte_link&pte=0x7fc1d0&mm=4');
    expect(parseViewState(url, 20000, 2048)).toEqual(st);
  });

  it('drops values out of range for the log and defaults to event 0', () => {
    expect(parseViewState('?e=20000&p=2048&a=-1', 20000, 2048)).toEqual({
      event: 0,
      page: null,
      a: null,
      filters: { type: '', page: '', pte: '', mm: '' },
    });
    expect(parseViewState('?e=abc', 10, 10).event).toBe(0);
  });
});
