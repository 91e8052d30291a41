import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGrid, parseSeeds, readSpec } from '../../src/sweep/grid.js';
import { tmp } from '../helpers.js';

describe('parseSeeds', () => {
  it('reads ranges, lists and both', () => {
    expect(parseSeeds('1..4')).toEqual(['1', '2', '3', '4']);
    expect(parseSeeds('1..3,10,abc')).toEqual(['1', '2', '3', '10', 'abc']);
    expect(parseSeeds([5, '7'])).toEqual(['5', '7']);
  });
  it('rejects empty ranges, bad ranges, empty items and repeats, naming them', () => {
    expect(() => parseSeeds('3..1')).toThrow(/range '3..1' is empty/);
    expect(() => parseSeeds('1..x')).toThrow(/'1..x' is not a range/);
    expect(() => parseSeeds('1,,2')).toThrow(/an empty seed/);
    expect(() => parseSeeds('1..3,2')).toThrow(/seed '2' is listed twice/);
  });
});

describe('expandGrid', () => {
  it('makes scenarios x memory x designs x seeds jobs with distinct ids', () => {
    const jobs = expandGrid(
      { scenarios: ['tiny', 'sharedlib:2'], seeds: ['1', '2'], designs: ['clock/pte-chain', 'old/none'], mem: ['4M', '8M'], steps: 100 },
      'v',
    );
    expect(jobs).toHaveLength(16);
    expect(new Set(jobs.map((j) => j.job.id)).size).toBe(16);
    expect(new Set(jobs.map((j) => j.job.memPages))).toEqual(new Set([1024, 2048]));
  });
  it("uses each scenario's own memory without --mem, and 8M and 8192K are the same job", () => {
    const own = expandGrid({ scenarios: ['x486'], seeds: ['1'], designs: ['old/none'], mem: [], steps: 100 }, 'v');
    const given = expandGrid({ scenarios: ['x486'], seeds: ['1'], designs: ['old/none'], mem: ['8192K'], steps: 100 }, 'v');
    expect(own[0].job.memPages).toBe(2048);
    expect(given[0].job.id).toBe(own[0].job.id);
  });
  it('a cpus axis: each design on each machine (one CPU once), locking designs only with it', () => {
    const grid = { scenarios: ['tiny'], seeds: ['1', '2'], designs: ['clock/pte-chain'], mem: [], steps: 100 };
    const jobs = expandGrid({ ...grid, cpus: [1, 4], locking: ['bkl', 'fine'] }, 'v');
    expect([...new Set(jobs.map((j) => j.job.design))]).toEqual([
      'clock/pte-chain 1cpu',
      'clock/pte-chain 4cpu/bkl',
      'clock/pte-chain 4cpu/fine',
    ]);
    expect(jobs).toHaveLength(6);
    // a machine is part of what the result depends on: another id than the plain design's
    const plain = expandGrid(grid, 'v');
    expect(new Set([...plain, ...jobs].map((j) => j.job.id)).size).toBe(8);
    expect(() => expandGrid({ ...grid, locking: ['bkl'] }, 'v')).toThrow(/locking designs need a cpus axis/);
    expect(() => expandGrid({ ...grid, cpus: [2, 2] }, 'v')).toThrow(/cpus '2,2' lists a number twice/);
    expect(() => expandGrid({ ...grid, cpus: [2], locking: ['spin'] }, 'v')).toThrow(
      /locking 'spin' is not a locking design; allowed: bkl, fine/,
    );
    // the whole design, not only reclaim/rmap, is checked: +steal runs, +steal under fine cannot
    expect(expandGrid({ ...grid, designs: ['clock/pte-chain+steal'] }, 'v')).toHaveLength(2);
    expect(() => expandGrid({ ...grid, designs: ['clock/pte-chain+steal'], cpus: [2], locking: ['fine'] }, 'v')).toThrow(
      /cannot run with --steal/,
    );
  });
  it('checks every combination before anything runs', () => {
    expect(() => expandGrid({ scenarios: ['tiny'], seeds: ['1'], designs: ['clock/pte-chain'], mem: ['64K'], steps: 100 }, 'v')).toThrow(
      /too small/,
    );
    expect(() => expandGrid({ scenarios: ['tiny', 'tiny'], seeds: ['1'], designs: ['clock/pte-chain'], mem: [], steps: 100 }, 'v')).toThrow(
      /distinct names/,
    );
  });
});

describe('readSpec', () => {
  it('reads a valid spec, with scenario files relative to it', () => {
    const spec = tmp('s.json');
    writeFileSync(spec, JSON.stringify({ scenarios: ['x486', 'my.json'], seeds: '1..3', designs: ['old/none'], mem: ['8M'], steps: 10 }));
    expect(readSpec(spec)).toEqual({
      scenarios: ['x486', `${dirname(spec)}/my.json`],
      seeds: ['1', '2', '3'],
      designs: ['old/none'],
      mem: ['8M'],
      steps: 10,
    });
  });
  it('names the bad field', () => {
    const spec = tmp('s.json');
    writeFileSync(spec, JSON.stringify({ cpus: [1, 2], locking: ['fine'] }));
    expect(readSpec(spec)).toEqual({ cpus: [1, 2], locking: ['fine'] });
    writeFileSync(spec, JSON.stringify({ cpus: [0] }));
    expect(() => readSpec(spec)).toThrow(/cpus.0: Too small/);
    writeFileSync(spec, JSON.stringify({ steps: -1 }));
    expect(() => readSpec(spec)).toThrow(/steps: Too small/);
    writeFileSync(spec, '{');
    expect(() => readSpec(spec)).toThrow(/not valid JSON/);
    expect(() => readSpec('/nonexistent/spec.json')).toThrow('spec file /nonexistent/spec.json does not exist');
  });
});
