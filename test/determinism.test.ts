import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEvents } from '../src/event-store.js';
import { apply } from '../src/reducer/index.js';
import { cloneState } from '../src/snapshot/clone.js';
import { stateHash } from '../src/snapshot/hash.js';
import { mmsim, recordEvents, simulation, tmp } from './helpers.js';

describe('determinism', () => {
  it('the same seed gives byte-identical logs; another seed does not', () => {
    const a = tmp('a.mmlog'),
      b = tmp('b.mmlog'),
      c = tmp('c.mmlog');
    for (const [f, seed] of [
      [a, '7'],
      [b, '7'],
      [c, '8'],
    ]) {
      const r = mmsim(['record', '--scenario', 'x486', '--seed', seed, '--events', '20000', '-o', f]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it.each(['tiny', 'forky', 'x486'])('%s: the Immer engine and the direct engine reach the same state hash', (scenario) => {
    const direct = simulation(scenario, '3', {}, 'direct').run(20000);
    const viaImmer = simulation(scenario, '3', {}, 'immer').run(20000);
    expect(stateHash(viaImmer)).toBe(stateHash(direct));
  });

  // x486 (its first lru_move after ~25,000 events, ~1 s of CPU with the Immer engine) in npm run soak only
  it.each(
    process.env.MMSIM_SOAK === '1'
      ? ([
          ['tiny', 20000],
          ['x486', 30000],
        ] as const)
      : ([['tiny', 20000]] as const),
  )('%s: active-inactive (LRU lists in the state) reaches the same hash in both engines and by replay', (scenario, n) => {
    const opts = { reclaim: 'active-inactive' };
    const direct = simulation(scenario, '3', opts, 'direct').run(n);
    const viaImmer = simulation(scenario, '3', opts, 'immer').run(n);
    expect(stateHash(viaImmer)).toBe(stateHash(direct));
    const { sim, events } = recordEvents(scenario, '3', n, opts);
    expect(events.some((e) => e.t === 'lru_move')).toBe(true);
    const replayed = cloneState(sim.initial);
    for (const e of events) apply(replayed, e);
    expect(stateHash(replayed)).toBe(stateHash(sim.machine.state()));
  });

  it('clock and old runs emit no LRU events and keep no LRU state', () => {
    for (const reclaim of ['clock', 'old']) {
      const { sim, events } = recordEvents('tiny', '4', 20000, { reclaim, rmap: reclaim === 'old' ? 'none' : 'pte-chain' });
      expect(
        events.filter((e) => e.t.startsWith('lru_')),
        reclaim,
      ).toEqual([]);
      expect(sim.machine.state().slices.reclaim ?? {}, reclaim).not.toHaveProperty('lists');
    }
  });

  it('applying a run event by event and in batches gives the same hash', () => {
    const { sim, events } = recordEvents('x486', '5', 20000);
    const final = stateHash(sim.machine.state());
    let one = sim.initial;
    for (const e of events) one = applyEvents(one, [e]);
    let batched = sim.initial;
    for (let i = 0; i < events.length; i += 1000) batched = applyEvents(batched, events.slice(i, i + 1000));
    const direct = cloneState(sim.initial);
    for (const e of events) apply(direct, e);
    expect(stateHash(one)).toBe(final);
    expect(stateHash(batched)).toBe(final);
    expect(stateHash(direct)).toBe(final);
  });

  it('Immer states are immutable values: an old state is untouched by later events', () => {
    const { sim, events } = recordEvents('tiny', '2', 3000);
    const before = stateHash(sim.initial);
    const mid = applyEvents(sim.initial, events.slice(0, 1500));
    const midHash = stateHash(mid);
    applyEvents(mid, events.slice(1500));
    expect(stateHash(sim.initial)).toBe(before);
    expect(stateHash(mid)).toBe(midHash);
  });
});

describe('the Immer engine', () => {
  it('commits immutable states equal to the mirror the kernel reads, and never changes an old one', () => {
    const sim = simulation('forky', '6', {}, 'immer');
    const kept: Array<{ state: ReturnType<typeof sim.machine.state>; hash: string }> = [];
    for (const n of [5000, 10000, 20000]) {
      sim.run(n);
      const committed = sim.machine.state();
      const hash = stateHash(committed);
      expect(hash).toBe(stateHash(sim.machine.s)); // the mirror
      kept.push({ state: committed, hash });
    }
    for (const k of kept) expect(stateHash(k.state)).toBe(k.hash);
    // committed states share structure: page-cache buckets nobody touched are the same arrays
    const [a, b] = kept;
    let shared = 0;
    for (let i = 0; i < a.state.pageHash.length; i++) if (a.state.pageHash[i] === b.state.pageHash[i]) shared++;
    expect(a.state).not.toBe(b.state);
    expect(shared).toBeGreaterThan(a.state.pageHash.length / 2);
    expect(shared).toBeLessThan(a.state.pageHash.length);
  });
});
