// Seeking through a sound log never takes a snapshot for damaged: every design's state (its
// slices included) has the shape the snapshot check expects.
import { describe, expect, it } from 'vitest';
import { stateHash } from '../../src/snapshot/hash.js';
import { record, timeline } from '../helpers.js';

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
