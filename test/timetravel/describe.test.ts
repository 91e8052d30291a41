import { describe, expect, it } from 'vitest';
import { pageTableLock } from '../../src/include/locks.js';
import { formatSummary, summary } from '../../src/timetravel/describe.js';
import { simulation } from '../helpers.js';

describe('the machine summary (seek, debug, view)', () => {
  it('names what each CPU holds and waits for in an SMP run, and says nothing of CPUs with one', () => {
    const sim = simulation('tiny', '2', { cpus: 2, sched: 'rr', locking: 'fine' });
    sim.run(2000);
    const mm = Number(Object.keys(sim.machine.s.mms)[0]);
    sim.machine.emit({ t: 'cpu', cpu: 1 });
    sim.machine.emit({ t: 'lock_acquire', lock: pageTableLock(mm) });
    sim.machine.emit({ t: 'cpu', cpu: 0 });
    sim.machine.emit({ t: 'lock_wait', lock: pageTableLock(mm) });
    const x = summary(sim.machine.state());
    expect(x.cpus).toEqual({ current: 0, held: [[], [`page_table_lock(mm ${mm})`]], waiting: [`page_table_lock(mm ${mm})`, null] });
    const text = formatSummary(x);
    expect(text).toMatch(new RegExp(`^cpu 0 \\(running\\) +holds no lock; waits for page_table_lock\\(mm ${mm}\\)$`, 'm'));
    expect(text).toMatch(new RegExp(`^cpu 1 +holds page_table_lock\\(mm ${mm}\\)$`, 'm'));
    const one = summary(simulation('tiny', '2').run(2000));
    expect(one).not.toHaveProperty('cpus');
    expect(formatSummary(one)).not.toContain('cpu ');
  });
});
