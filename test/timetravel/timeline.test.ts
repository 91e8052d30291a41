// Seeking through a sound log never takes a snapshot for damaged: every design's state (its
// slices included) has the shape the snapshot check expects.
import { describe, expect, it } from 'vitest';
import { stateHash } from '../../src/snapshot/hash.js';
import { record, timeline } from '../helpers.js';
import { LogReader } from '../../src/log/reader.js';
import { Timeline } from '../../src/timetravel/timeline.js';

describe('Timeline over every design', () => {
  it.each([
    ['clock', 'pte-chain'],
    ['old', 'none'],
    ['active-inactive', 'pte-pool'],
    ['clock', 'pte_chain'],
  ])('%s/%s: snapshots load without warnings and reach the recorded final state', (reclaim, rmap) => {
    const r = record({ scenario: 'tiny', seed: '3', events: 40000, every: 8192, reclaim, rmap });
    const warnings: string[] = [];
    const tl = timeline(r.path, warnings);
    const last = tl.at(tl.events);
    expect(warnings).toEqual([]);
    expect(stateHash(last)).toBe(r.hash);
  });
});

describe('Timeline engines and the window of kept states', () => {
  const r = record({ scenario: 'tiny', seed: '3', events: 40000, every: 8192 });
  const positions = [0, 5000, 5001, 5003, 4999, 5002, 20000, 19990, 8192, 40000, 12345, 12000, 30000];

  it('direct, immer and a window reach the same state at every position asked, in any order', () => {
    const direct = timeline(r.path);
    const immer = new Timeline(new LogReader(r.path), () => {}, { engine: 'immer' });
    const windowed = new Timeline(new LogReader(r.path), () => {}, { window: 64 });
    for (const n of positions) {
      const pos = Math.min(n, direct.events);
      const h = stateHash(direct.at(pos));
      expect(stateHash(immer.at(pos)), `immer at ${pos}`).toBe(h);
      expect(stateHash(windowed.at(pos)), `window at ${pos}`).toBe(h);
    }
    expect(stateHash(immer.at(immer.events))).toBe(r.hash);
  });

  it('steps back inside the window without a replay, and never changes a state it handed out', () => {
    const tl = new Timeline(new LogReader(r.path), () => {}, { window: 64 });
    const at10k = tl.at(10000);
    const h = stateHash(at10k);
    for (let pos = 10001; pos <= 10040; pos++) tl.at(pos);
    const reloads = tl.reloads;
    const back = tl.at(10005);
    expect(tl.reloads).toBe(reloads);
    expect(stateHash(back)).toBe(stateHash(timeline(r.path).at(10005)));
    expect(tl.at(10000)).toBe(at10k); // the kept value itself, unchanged by the steps after it
    expect(stateHash(at10k)).toBe(h);
    tl.at(9000); // outside the window: a replay from the snapshot before it
    expect(tl.reloads).toBe(reloads + 1);
  });

  it('step() with the immer engine leaves the state it was given as it was', () => {
    const tl = new Timeline(new LogReader(r.path), () => {}, { engine: 'immer' });
    const s = tl.at(7000);
    const h = stateHash(s);
    const next = tl.step(s, tl.event(7000), 7000);
    expect(stateHash(s)).toBe(h);
    expect(stateHash(next)).toBe(stateHash(timeline(r.path).at(7001)));
  });
});
