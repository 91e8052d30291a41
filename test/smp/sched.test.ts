import { describe, expect, it } from 'vitest';
import { makeScheduler, parseSched, PCT_ROUND, SchedSpecError } from '../../src/smp/sched.js';

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const picks = (spec: string, n: number, steps: number, seed = '1', clock = new Array<number>(n).fill(0)): number[] => {
  const s = makeScheduler(parseSched(spec), n, seed);
  return Array.from({ length: steps }, () => s.pick(all(n), clock));
};

describe('SMP scheduler', () => {
  it('parses rr, random, time and pct:D, and refuses anything else naming the value', () => {
    expect(parseSched('pct:3')).toEqual({ kind: 'pct', depth: 3 });
    expect(parseSched('time')).toEqual({ kind: 'time' });
    for (const bad of ['pct', 'pct:0', 'pct:17', 'fifo', 'RR']) expect(() => parseSched(bad)).toThrow(SchedSpecError);
    expect(() => parseSched('pct:0')).toThrow("--sched 'pct:0'");
  });

  it('rr takes the runnable CPUs in turn, skipping those that cannot run', () => {
    expect(picks('rr', 3, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    const s = makeScheduler(parseSched('rr'), 4, '1');
    expect([s.pick([0, 2], []), s.pick([0, 2], []), s.pick([1, 3], [])]).toEqual([0, 2, 3]);
  });

  it('time runs the CPU with the earliest clock, the lowest on a tie', () => {
    const s = makeScheduler(parseSched('time'), 3, '1');
    expect(s.pick([0, 1, 2], [50, 20, 20])).toBe(1);
    expect(s.pick([0, 2], [50, 20, 10])).toBe(2);
  });

  it('random and pct are functions of the seed', () => {
    expect(picks('random', 4, 200, '7')).toEqual(picks('random', 4, 200, '7'));
    expect(picks('random', 4, 200, '7')).not.toEqual(picks('random', 4, 200, '8'));
    expect(picks('pct:3', 4, 3 * PCT_ROUND, '7')).toEqual(picks('pct:3', 4, 3 * PCT_ROUND, '7'));
  });

  it('pct:1 runs one CPU for a whole round (no change point); pct:D switches at most D-1 times a round when all can run', () => {
    for (const d of [1, 2, 3, 5]) {
      for (const seed of ['1', '2', '3']) {
        const p = picks(`pct:${d}`, 4, PCT_ROUND, seed);
        let switches = 0;
        for (let i = 1; i < p.length; i++) if (p[i] !== p[i - 1]) switches++;
        expect(switches, `pct:${d} seed ${seed}`).toBeLessThanOrEqual(d - 1);
        if (d === 1) expect(new Set(p).size).toBe(1);
      }
    }
  });

  it('pct draws new priorities each round, so every CPU gets to run first in some round', () => {
    const p = picks('pct:1', 4, 40 * PCT_ROUND, '5');
    const firsts = new Set(Array.from({ length: 40 }, (_, r) => p[r * PCT_ROUND]));
    expect(firsts).toEqual(new Set([0, 1, 2, 3]));
  });
});
