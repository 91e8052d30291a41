import { describe, expect, it } from 'vitest';
import { STEP_WINDOW } from '../../src/cli/tt-common.js';
import { LogReader } from '../../src/log/reader.js';
import { Debugger } from '../../src/timetravel/debugger.js';
import { Timeline } from '../../src/timetravel/timeline.js';
import { record } from '../helpers.js';

describe('the debugger over a window of kept states (what mmsim debug opens)', () => {
  const r = record({ scenario: 'tiny', seed: '3', events: 30000, every: 8192 });

  it('steps back inside the window without replaying, to the same place a fresh session reaches', () => {
    const tl = new Timeline(new LogReader(r.path), () => {}, { window: STEP_WINDOW });
    const dbg = new Debugger(tl);
    dbg.exec('goto 9000');
    dbg.exec('step 200');
    const reloads = tl.reloads;
    dbg.exec('back 150');
    const back = dbg.exec('print page 40').concat(dbg.exec('where'));
    expect(tl.reloads).toBe(reloads);

    const fresh = new Debugger(new Timeline(new LogReader(r.path)));
    fresh.exec('goto 9050');
    expect(back).toEqual(fresh.exec('print page 40').concat(fresh.exec('where')));
    expect(back.join('\n')).toMatch(/after event 9050 /);
  });

  it('prev TYPE page P finds the last such event on that page, in the window or not', () => {
    const tl = new Timeline(new LogReader(r.path), () => {}, { window: STEP_WINDOW });
    // a page other than the last one linked before event 11999, and the last pte_link onto it
    const links = [...tl.range(0, 11999)].filter(([, e]) => e.t === 'pte_link') as [number, { pfn: number }][];
    const lastPage = links.at(-1)![1].pfn;
    const page = links.filter(([, e]) => e.pfn !== lastPage).at(-1)![1].pfn;
    const expected = links.filter(([, e]) => e.pfn === page).at(-1)![0];
    // links onto other pages come after it: prev must skip them
    expect(links.some(([i, e]) => i > expected && e.pfn !== page)).toBe(true);
    const dbg = new Debugger(tl);
    dbg.exec('goto 11999');
    dbg.exec(`prev pte_link page ${page}`);
    expect(dbg.pos).toBe(expected + 1);
  });
});
