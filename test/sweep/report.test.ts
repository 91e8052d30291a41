import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SweepLine } from '../../src/sweep/job.js';
import { writeReportPlots } from '../../src/sweep/plot.js';
import { aggregate, formatInterval, formatReport, formatReportCsv } from '../../src/sweep/report.js';
import { tmp } from '../helpers.js';

/** A fabricated line: only the fields the report reads. */
const line = (scenario: string, memPages: number, design: string, seed: string, majorFaults: number): SweepLine =>
  ({
    id: `${scenario}${memPages}${design}${seed}`,
    scenario,
    memPages,
    steps: 100,
    design,
    seed,
    report: {
      majorFaults,
      minorFaults: 0,
      pagesScanned: 0,
      ptesVisited: 0,
      pagesFreed: 0,
      ptesPerFreed: null,
      kswapdUs: 0,
      swapReads: 0,
      swapWrites: 0,
      fileReads: 0,
      rmapPeakBytes: 0,
      completionUs: 0,
      ooms: 0,
      stateHash: 'x',
    },
  }) as unknown as SweepLine;

// old/none has 10 more major faults on every seed: a wide spread per design, a sharp paired difference
const lines = ['1', '2', '3', '4'].flatMap((seed, k) => [
  line('x486', 2048, 'old/none', seed, 100 * (k + 1) + 10),
  line('x486', 2048, 'clock/pte-chain', seed, 100 * (k + 1)),
  line('x486', 1024, 'clock/pte-chain', seed, 500),
]);

describe('aggregate', () => {
  const r = aggregate(lines);
  it('groups by scenario and memory, designs by name, whatever the file order', () => {
    expect(r.sections.map((s) => `${s.scenario} ${s.mem}`)).toEqual(['x486 4M', 'x486 8M']);
    expect(r.sections[1].designs.map((d) => `${d.design} ${d.seeds}`)).toEqual(['clock/pte-chain 4', 'old/none 4']);
    expect(aggregate([...lines].reverse())).toEqual(r);
  });
  it('means with Student-t intervals over seeds', () => {
    const clock = r.sections[1].designs[0].metrics.majorFaults;
    // 100..400: mean 250, s = 129.1, t(3) = 3.182: half-width 205.4
    expect(clock.mean).toBe(250);
    expect(clock.half).toBeCloseTo(205.42, 1);
  });
  it('paired differences against the baseline, on the same seeds', () => {
    const d = r.sections[1].differences[0];
    expect(d).toMatchObject({ design: 'old/none', baseline: 'clock/pte-chain', pairs: 4 });
    expect(d.metrics.majorFaults).toMatchObject({ n: 4, mean: 10, half: 0 });
    expect(r.sections[0].differences).toEqual([]);
    expect(aggregate(lines, 'old/none').sections[1].differences[0].metrics.majorFaults.mean).toBe(-10);
  });
});

describe('formats', () => {
  const r = aggregate(lines);
  it('the table prints mean ± half-width, and marks differences whose interval excludes zero', () => {
    const text = formatReport(r);
    expect(text).toMatch(/x486, 8M, 100 steps \(4 seeds per design\)/);
    expect(text).toMatch(/major faults\s+250 ± 205\s+260 ± 205/);
    expect(text).toMatch(/major faults\s+\+10 ± 0 \*/);
    expect(formatInterval({ n: 1, mean: 3, half: null, lo: null, hi: null })).toBe('3.0 (n=1)');
  });
  it('csv: one row per section, design or difference, and metric', () => {
    const rows = formatReportCsv(r).trim().split('\n');
    expect(rows[0]).toBe('kind,scenario,mem,mem_pages,steps,design,baseline,metric,n,mean,ci95_lo,ci95_hi');
    expect(rows).toContain('paired_difference,x486,8M,2048,100,old/none,clock/pte-chain,majorFaults,4,10,10,10');
    expect(rows.filter((x) => x.includes(',ptesPerFreed,'))[0]).toMatch(/,ptesPerFreed,0,,,$/);
  });
  it('plots: a chart per scenario and metric against memory, with interval bars', () => {
    const dir = tmp('plots');
    const files = writeReportPlots(r, dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toContain('x486-majorFaults.svg');
    const svg = readFileSync(`${dir}/x486-majorFaults.svg`, 'utf8');
    expect(svg).toMatch(/^<svg /);
    // clock/pte-chain at two memory sizes, old/none at one: a point and an interval bar each
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/<path d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+M/g)).toHaveLength(3);
  });
  it('plots: sharedlib:N at one memory size also against N', () => {
    const shared = ['1', '2'].flatMap((seed) => [1, 4, 16].map((n) => line(`sharedlib:${n}`, 2048, 'clock/pte-chain', seed, n)));
    const dir = tmp('plots');
    const files = writeReportPlots(aggregate(shared), dir).map((f) => f.slice(dir.length + 1));
    expect(files).toContain('sharedlib-8M-majorFaults.svg');
    expect(files).toContain('sharedlib-4-majorFaults.svg');
    const svg = readFileSync(`${dir}/sharedlib-8M-majorFaults.svg`, 'utf8');
    expect(svg).toContain('N processes sharing the library');
    expect(svg.match(/<circle /g)).toHaveLength(3);
  });
});
