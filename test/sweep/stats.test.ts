import { describe, expect, it } from 'vitest';
import { meanInterval, tCdf, tQuantile } from '../../src/sweep/stats.js';

describe('Student t', () => {
  it('quantiles match the published table (two-sided 95%)', () => {
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [9, 2.262],
      [19, 2.093],
      [29, 2.045],
      [100, 1.984],
      [10000, 1.96],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 3);
    expect(tQuantile(0.995, 5)).toBeCloseTo(4.032, 3);
  });
  it('the cdf is symmetric and 0.5 at 0', () => {
    expect(tCdf(0, 7)).toBeCloseTo(0.5, 12);
    expect(tCdf(-1.3, 7) + tCdf(1.3, 7)).toBeCloseTo(1, 12);
  });
});

describe('meanInterval', () => {
  it('mean ± t * s / sqrt(n)', () => {
    const r = meanInterval([1, 2, 3, 4]);
    // s = 1.2910, t(0.975, 3) = 3.1824
    expect(r.mean).toBe(2.5);
    expect(r.half).toBeCloseTo((3.18245 * 1.290994) / 2, 4);
    expect(r.lo).toBeCloseTo(2.5 - r.half!, 12);
  });
  it('no interval from one value; none at all from none', () => {
    expect(meanInterval([5])).toEqual({ n: 1, mean: 5, half: null, lo: null, hi: null });
    expect(meanInterval([]).n).toBe(0);
    expect(meanInterval([3, 3, 3]).half).toBe(0);
  });
});
