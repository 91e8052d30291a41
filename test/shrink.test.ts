import { describe, expect, it } from 'vitest';
import { ddmin } from '../src/shrink/ddmin.js';
import { shrink } from '../src/shrink/index.js';
import { recordRun } from '../src/log/record.js';
import { bisect } from '../src/bisect/index.js';
import { record, timeline, tmp } from './helpers.js';
import { parseInjectSpec, type InjectSpec } from '../src/inject/injector.js';
import { makeRunConfig } from '../src/run-config.js';
import { loadScenario } from '../src/workload/scenario.js';

describe('shrinking', { timeout: 60000 }, () => {
  it('ddmin finds a 1-minimal failing subsequence', () => {
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const fails = (ys: readonly number[]) => ys.includes(17) && ys.includes(123) && ys.filter((y) => y % 50 === 0).length >= 2;
    const r = ddmin(xs, fails);
    expect(fails(r.result)).toBe(true);
    expect(r.result.length).toBe(4);
    for (let i = 0; i < r.result.length; i++) expect(fails(r.result.filter((_, j) => j !== i))).toBe(false);
  });

  it('shrinks an injected bug to a much smaller run that still breaks the same invariant', () => {
    const big = record({ events: 12000, every: 8192, inject: 'double-link@0.05', after: 3000 });
    expect(big.injected[0]).toBeGreaterThan(3000);
    const tl = timeline(big.path);
    const before = bisect(tl)!;
    const seen: [number, number][] = [];
    const r = shrink(tl, 150, (tests, size) => seen.push([tests, size]));
    // progress after every kernel run: runs counted one by one, the smallest failing size only shrinks, ending at the result
    expect(seen.map(([t]) => t)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.length).toBeLessThanOrEqual(r.tests);
    for (let i = 1; i < seen.length; i++) expect(seen[i][1]).toBeLessThanOrEqual(seen[i - 1][1]);
    expect(seen[0][1]).toBe(r.before.inputs);
    expect(seen.at(-1)![1]).toBe(r.after.inputs);
    expect(r.invariant).toBe(before.invariant);
    expect(r.after.inputs).toBeLessThan(r.before.inputs / 4);
    expect(r.after.events).toBeLessThan(r.before.events / 2);
    // the shrunk inputs, recorded, bisect to the same kind of bug
    const spec = tl.log.header.inject as InjectSpec;
    const small = recordRun(tmp('small.mmlog'), tl.config, { events: 0, inputs: r.inputs, inject: { ...spec, after: 0 } });
    expect(small.injected.length).toBe(1);
    const b = bisect(timeline(small.path))!;
    expect(b.invariant).toBe(before.invariant);
    expect(b.event).toBe(small.injected[0]);
  });

  it('SMP: fewer preemptions first, then fewer decisions, and the same invariant still breaks', () => {
    // the run mmsim explore --cpus 2 --inject no-tlb-shootdown finds at schedule 1 (rr switches CPU every step)
    const cfg = makeRunConfig(loadScenario('x486'), { seed: '1', cpus: 2, sched: 'rr', locking: 'bkl', schedSeed: '1' });
    const spec = parseInjectSpec('no-tlb-shootdown@1');
    const big = recordRun(tmp('smp-big.mmlog'), cfg, { events: 2000, inject: spec });
    const tl = timeline(big.path);
    const before = bisect(tl)!;
    expect(before.invariant).toBe('smp-stale-tlb');
    const r = shrink(tl, 500);
    expect(r.invariant).toBe('smp-stale-tlb');
    expect(r.preemptions.before).toBeGreaterThan(50);
    expect(r.preemptions.kept.length).toBeLessThanOrEqual(1);
    expect(r.after.inputs).toBeLessThan(r.before.inputs);
    // the shrunk run, recorded with its preemptions, breaks the same rule at an injected event
    const small = recordRun(tmp('smp-small.mmlog'), cfg, {
      events: 0,
      inputs: r.inputs,
      preemptions: r.preemptions.kept,
      maxEvents: r.eventLimit,
      inject: { ...spec, after: 0 },
    });
    const b = bisect(timeline(small.path))!;
    expect(b.invariant).toBe('smp-stale-tlb');
    expect(b.event).toBe(small.injected[0]);
    expect(small.events).toBeLessThan(big.events);
  });
});
