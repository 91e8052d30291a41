// Kernel constants (src/kernel/config.ts) against 2.1.47: free_area_init's watermarks, HZ, swapout_interval.
import { describe, expect, it } from 'vitest';
import { HZ, SWAP_CLUSTER_MAX, SWAPOUT_INTERVAL_US, TICK_US, watermarks2147 } from '../../src/kernel/config.js';

describe('free_area_init watermarks (2.1.47): i = total/128, at least 48; min i, low 1.5i, high 2i', () => {
  it('8 MB (2048 frames): 48 / 72 / 96 (the clamp)', () => {
    expect(watermarks2147(2048)).toEqual({ min: 48, low: 72, high: 96 });
  });
  it('32 MB (8192 frames): 64 / 96 / 128', () => {
    expect(watermarks2147(8192)).toEqual({ min: 64, low: 96, high: 128 });
  });
});

describe('timing constants', () => {
  it('HZ 100 (a 10 ms jiffy), swapout_interval HZ/4 = 250 ms, SWAP_CLUSTER_MAX 32', () => {
    expect([HZ, TICK_US, SWAPOUT_INTERVAL_US, SWAP_CLUSTER_MAX]).toEqual([100, 10000, 250000, 32]);
  });
});
