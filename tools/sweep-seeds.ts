// The shared-library sweep over several seeds: `mmsim compare --sweep` takes one seed (and
// refuses --seeds), so this runs the same sharedlib:N jobs once per seed and prints, per N and design, each sweep
// metric's mean with its 95% Student-t interval, and each design's paired difference from the
// first design (same seed, same N). Each run may take up to EVENTS_PER_STEP_CAP events per
// step, as `compare --seeds` allows: `runSweep`'s cap of 40 cuts the old kswapd short at
// large N (130 events a step at N = 64), so runs that still hit the cap are counted and
// reported. docs/findings.md quotes it. Usage:
//   node dist/tools/sweep-seeds.js [seeds] [steps] [designs] [jobs] [chart.svg]
//   (chart.svg: the `compare --sweep --plot` chart drawn through the means over seeds)
//   (default 1..5, 150000, clock/pte-chain,old/none, one thread per core)

import { parseDesignList } from '../src/compare/designs.js';
import { runJobs } from '../src/compare/index.js';
import { type DesignJob, EVENTS_PER_STEP_CAP } from '../src/compare/run.js';
import { type SweepPoint, sweepChart, sweepPoint } from '../src/compare/sweep.js';
import { loadScenario } from '../src/workload/scenario.js';
import { sharedlibSweep } from '../src/workload/sharedlib.js';
import { writeFileSync } from 'node:fs';
import { parseSeeds } from '../src/sweep/grid.js';
import { formatInterval } from '../src/sweep/report.js';
import { type Interval, meanInterval } from '../src/sweep/stats.js';

type Key = 'ptesPerFreed' | 'sharedPtesPerFreed' | 'sharedTouchesPerPass' | 'completionS' | 'majorFaults';
const KEYS: Array<[Key, string, (p: SweepPoint) => number | null]> = [
  ['ptesPerFreed', 'ptes/freed', (p) => p.ptesPerFreed],
  ['sharedPtesPerFreed', 'library ptes/freed', (p) => p.sharedPtesPerFreed],
  ['sharedTouchesPerPass', 'library looks/pass', (p) => p.sharedTouchesPerPass],
  ['majorFaults', 'major faults', (p) => p.majorFaults],
  ['completionS', 'completion s', (p) => p.completionUs / 1e6],
];

// a seed where the metric is undefined (no library page freed) is left out of that cell
const present = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);

async function main(): Promise<void> {
  const seeds = parseSeeds(process.argv[2] ?? '1..5');
  const steps = Number(process.argv[3] ?? 150000);
  const designs = process.argv[4] ?? 'clock/pte-chain,old/none';
  const jobs = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
  const specs = parseDesignList(designs);
  const ns = sharedlibSweep(64);
  const grid: DesignJob[] = seeds.flatMap((seed) =>
    ns.flatMap((n) =>
      specs.map((design) => ({
        scenario: loadScenario(`sharedlib:${n}`),
        seed,
        steps,
        maxEvents: steps * EVENTS_PER_STEP_CAP,
        design,
        sampleEvery: 1 << 30,
      })),
    ),
  );
  const results = await runJobs(grid, 'auto', jobs);
  const truncated = results.filter((r) => r.truncated).length;
  const runs = seeds.map((_, si) => ({
    points: results
      .slice(si * ns.length * specs.length, (si + 1) * ns.length * specs.length)
      .map((r, i) => sweepPoint(ns[Math.floor(i / specs.length)], r)),
  }));
  const names = specs.map((d) => d.label);
  const at = (n: number, d: string, f: (p: SweepPoint) => number | null): Array<number | null> =>
    runs.map((r) => f(r.points.find((p) => p.n === n && p.design === d) as SweepPoint));
  console.log(
    `sweep over seeds: sharedlib:N, seeds ${seeds.join(',')}, ${steps} steps per run; mean ± 95% interval; ${truncated} of ${results.length} runs hit the event cap`,
  );
  for (const [, label, f] of KEYS) {
    console.log(`\n${label}`);
    const base = names[0];
    const head = ['N', ...names, ...names.slice(1).map((d) => `${d} - ${base}`)];
    const rows = ns.map((n) => {
      const cells = names.map((d) => formatInterval(meanInterval(present(at(n, d, f)))));
      const diffs = names.slice(1).map((d) => {
        const a = at(n, d, f);
        const b = at(n, base, f);
        const pairs = a.flatMap((x, i) => (x === null || b[i] === null ? [] : [x - (b[i] as number)]));
        const i: Interval = meanInterval(pairs);
        return formatInterval(i, true);
      });
      return [String(n), ...cells, ...diffs];
    });
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (c: string[]): string => c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ');
    console.log([line(head), w.map((k) => '-'.repeat(k)).join('  '), ...rows.map(line)].join('\n'));
  }
  const chart = process.argv[6];
  if (chart !== undefined) {
    const mean = (xs: Array<number | null>): number | null => {
      const v = present(xs);
      return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
    };
    const points = ns.flatMap((n) =>
      names.map((d) => ({
        ...(runs[0].points.find((p) => p.n === n && p.design === d) as SweepPoint),
        ptesPerFreed: mean(at(n, d, (p) => p.ptesPerFreed)),
        sharedPtesPerFreed: mean(at(n, d, (p) => p.sharedPtesPerFreed)),
      })),
    );
    writeFileSync(chart, sweepChart({ seed: `${seeds.join(',')}, means`, steps, designs: names, points, wallMs: 0 }));
  }
}

await main();
