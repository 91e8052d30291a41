import { describe, expect, it } from 'vitest';
import { checkState } from '../../src/check/invariants.js';
import { apply } from '../../src/reducer/index.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { stateHash } from '../../src/snapshot/hash.js';
import type { State } from '../../src/state.js';
import { OP } from '../../src/events.js';
import { BKL } from '../../src/include/locks.js';
import { cli, recordEvents, simulation, tmp } from '../helpers.js';

describe('SMP engine (--cpus N > 1)', () => {
  it('--cpus 1 is the 1-CPU machine: the same events and state hash as no option, and no SMP state', () => {
    const plain = recordEvents('forky', '3', 30000);
    const one = recordEvents('forky', '3', 30000, { cpus: 1 });
    expect(one.events).toEqual(plain.events);
    expect(stateHash(one.sim.machine.state())).toBe(stateHash(plain.sim.machine.state()));
    expect(one.sim.machine.state().smp).toBeUndefined();
    expect(one.events.some((e) => e.t === 'cpu' || e.t.startsWith('lock_') || e.t === 'tlb_shootdown')).toBe(false);
  });

  it.each(['bkl', 'fine'])('%s: a seeded 4-CPU pct:3 run is reproducible and replays from its events alone', (locking) => {
    const opts = { cpus: 4, sched: 'pct:3', locking };
    const a = recordEvents('forky', '7', 20000, opts);
    const b = simulation('forky', '7', opts).run(20000);
    const end = a.sim.machine.state();
    expect(stateHash(b)).toBe(stateHash(end));
    // every CPU ran, and every lock change is an event the replay applies without a scheduler
    expect(new Set(a.events.filter((e) => e.t === 'cpu').map((e) => (e as { cpu: number }).cpu))).toEqual(new Set([0, 1, 2, 3]));
    expect(a.events.some((e) => e.t === 'lock_wait')).toBe(true);
    const replayed = cloneState(a.sim.initial);
    for (const e of a.events) apply(replayed, e);
    expect(stateHash(replayed)).toBe(stateHash(end));
    // the run ends with every task finished: no lock held or waited for, and every invariant holds
    const smp = end.smp as NonNullable<State['smp']>;
    expect(smp.held.flat()).toEqual([]);
    expect(smp.waiting.every((w) => w === 0)).toBe(true);
    expect(checkState(end)).toEqual([]);
  });

  it('the Immer engine reaches the same state as the direct one', () => {
    const opts = { cpus: 4, sched: 'pct:3', locking: 'fine' };
    const direct = simulation('forky', '7', opts, 'direct').run(10000);
    const viaImmer = simulation('forky', '7', opts, 'immer').run(10000);
    expect(stateHash(viaImmer)).toBe(stateHash(direct));
  });

  it('another schedule of the same seed gives another interleaving', () => {
    const opts = { cpus: 4, locking: 'fine' };
    const rr = simulation('forky', '7', { ...opts, sched: 'rr' }).run(15000);
    const pct = simulation('forky', '7', { ...opts, sched: 'pct:3' }).run(15000);
    expect(stateHash(pct)).not.toBe(stateHash(rr));
  });

  it('kswapd runs as a kernel thread on CPU 0 (mm/vmscan.c kswapd, woken by swap_tick)', () => {
    const { events } = recordEvents('forky', '7', 25000, { cpus: 2, sched: 'rr', locking: 'fine', mem: '2M' });
    let cpu = 0;
    const kswapdCpus = new Set<number>();
    for (const e of events) {
      if (e.t === 'cpu') cpu = e.cpu;
      if (e.t === 'op' && e.kind === OP.kswapd) kswapdCpus.add(cpu);
    }
    expect(kswapdCpus).toEqual(new Set([0]));
  });

  it('bkl: a page-in drops the big kernel lock while it sleeps (2.1 schedule() releases it)', () => {
    const { events } = recordEvents('forky', '7', 60000, { cpus: 2, sched: 'rr', locking: 'bkl' });
    // the sleep: the BKL released, the read queued and waited for, then the BKL taken again
    const i = events.findIndex(
      (e, j) =>
        e.t === 'io_wait' &&
        events[j - 1]?.t === 'io_start' &&
        events[j - 2]?.t === 'lock_release' &&
        (events[j - 2] as { lock: number }).lock === BKL,
    );
    expect(i).toBeGreaterThan(0);
    expect(events.slice(i + 1).find((e) => e.t === 'lock_acquire' || e.t === 'cpu')).toBeDefined();
  });

  it('one disk serves every CPU: a read issued while another is in flight waits for it (its sleep is longer than the read)', () => {
    const { sim, events } = recordEvents('forky', '7', 60000, { cpus: 4, sched: 'time', locking: 'bkl' });
    const waits = events.filter((e) => e.t === 'io_wait').map((e) => (e as { us: number }).us);
    expect(waits.some((us) => us > sim.kernel.cfg.latencies.diskReadUs)).toBe(true);
  });

  it('mmsim run --scenario forky --cpus 4 --sched pct:3 --seed 7 --json twice prints the same report; record + replay verifies', async () => {
    const args = ['--scenario', 'forky', '--cpus', '4', '--sched', 'pct:3', '--seed', '7', '--events', '30000'];
    const a = await cli(['run', ...args, '--json']);
    const b = await cli(['run', ...args, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).smp).toMatchObject({ cpus: 4, locking: 'bkl', sched: 'pct:3', violations: 0 });
    const log = tmp('smp.mmlog');
    const rec = await cli(['record', ...args, '-o', log, '--json']);
    expect(rec.code, rec.stderr).toBe(0);
    const rep = await cli(['replay', log, '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout).hash).toBe(JSON.parse(rec.stdout).hash);
  });

  it('bad --cpus, --sched and --locking values exit 2 with one line naming the value', async () => {
    for (const [args, says] of [
      [['--cpus', '17'], "--cpus '17'"],
      [['--cpus', '0'], "--cpus '0'"],
      [['--cpus', '2', '--sched', 'pct:0'], "--sched 'pct:0'"],
      [['--cpus', '2', '--sched', 'fifo'], "--sched 'fifo'"],
      [['--sched', 'rr'], '--sched rr needs --cpus 2 or more'],
      [['--cpus', '2', '--locking', 'fine', '--reclaim', 'old', '--rmap', 'none'], '--locking fine is modelled for --reclaim clock only'],
    ] as const) {
      const r = await cli(['run', '--scenario', 'tiny', '--events', '100', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(says);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
