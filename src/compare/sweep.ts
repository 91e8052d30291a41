// The shared-page sweep: sharedlib:N for N = 1, 2, 4, ... under each design, reduced to the
// seed's claim: how many ptes reclaim visits per page it frees, and how often a page of the
// shared library is looked at per reclaim pass, as the number of mappings grows.

import { loadScenario } from '../workload/scenario.js';
import { sharedlibSweep } from '../workload/sharedlib.js';
import { parseDesignList, type DesignSpec } from './designs.js';
import { runJobs, type CompareMode } from './index.js';
import type { MappingBucket } from './metrics.js';
import { lineChart } from './plot.js';
import { type DesignJob, type DesignResult, EVENTS_PER_STEP_CAP } from './run.js';
import { thousands } from '../lib/thousands.js';

export interface SweepPoint {
  n: number;
  design: string;
  pagesFreed: number;
  ptesVisited: number;
  /** All pages: ptes visited / pages freed. */
  ptesPerFreed: number | null;
  /** Pages with at least 2 mappings (the library): ptes visited on them / such pages freed. */
  sharedPtesPerFreed: number | null;
  /** Pages with at least 2 mappings: mean looks per page per reclaim pass. */
  sharedTouchesPerPass: number | null;
  completionUs: number;
  majorFaults: number;
  /** The run stopped at the event cap before its steps were done (its figures cover fewer steps). */
  truncated: boolean;
}

export interface SweepResult {
  seed: string;
  steps: number;
  designs: string[];
  points: SweepPoint[];
  wallMs: number;
}

function shared(h: MappingBucket[]): { visits: number; freed: number; touches: number; pagePasses: number } {
  const acc = { visits: 0, freed: 0, touches: 0, pagePasses: 0 };
  for (const b of h)
    if (b.mappings >= 2) {
      acc.visits += b.ptesVisited;
      acc.freed += b.pagesFreed;
      acc.touches += b.touches;
      acc.pagePasses += b.pagePasses;
    }
  return acc;
}

export function sweepPoint(n: number, r: DesignResult): SweepPoint {
  const sh = shared(r.histogram);
  return {
    n,
    design: r.design,
    pagesFreed: r.pagesFreed,
    ptesVisited: r.ptesVisited,
    ptesPerFreed: r.ptesPerFreed,
    sharedPtesPerFreed: sh.freed ? sh.visits / sh.freed : null,
    sharedTouchesPerPass: sh.pagePasses ? sh.touches / sh.pagePasses : null,
    completionUs: r.completionUs,
    majorFaults: r.majorFaults,
    truncated: r.truncated,
  };
}

export async function runSweep(opts: {
  seed: string | number;
  steps?: number;
  ns?: number[];
  designs?: string | DesignSpec[];
  mode?: CompareMode;
  jobs?: number;
  onProgress?: (label: string, steps: number, total: number) => void;
}): Promise<SweepResult> {
  const t0 = performance.now();
  const ns = opts.ns ?? sharedlibSweep(64);
  const specs = Array.isArray(opts.designs) ? opts.designs : parseDesignList(opts.designs ?? 'clock/pte-chain,old/none');
  const steps = opts.steps ?? 150000;
  const jobs: DesignJob[] = ns.flatMap((n) =>
    specs.map((design) => ({
      scenario: loadScenario(`sharedlib:${n}`),
      seed: String(opts.seed),
      steps,
      // the cap every comparison uses: a run stopped early would compare less work
      maxEvents: steps * EVENTS_PER_STEP_CAP,
      design,
      sampleEvery: 1 << 30,
    })),
  );
  const results = await runJobs(jobs, opts.mode ?? 'auto', opts.jobs, (j, k) =>
    opts.onProgress?.(`${j.scenario.name} ${j.design.label}`, k, steps),
  );
  return {
    seed: String(opts.seed),
    steps,
    designs: specs.map((d) => d.label),
    points: results.map((r, i) => sweepPoint(ns[Math.floor(i / specs.length)], r)),
    wallMs: performance.now() - t0,
  };
}

export function formatSweep(sw: SweepResult): string {
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
  const head = ['N', ...sw.designs.flatMap((d) => [`${d} ptes/freed`, `${d} shared ptes/freed`, `${d} shared looks/pass`])];
  const ns = [...new Set(sw.points.map((p) => p.n))];
  const rows = ns.map((n) => [
    String(n),
    ...sw.designs.flatMap((d) => {
      const p = sw.points.find((x) => x.n === n && x.design === d)!;
      const cut = p.truncated ? '*' : '';
      return [f(p.ptesPerFreed) + cut, f(p.sharedPtesPerFreed) + cut, f(p.sharedTouchesPerPass) + cut];
    }),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]): string => c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ');
  const cut = sw.points.some((p) => p.truncated)
    ? `* stopped at the event cap (${EVENTS_PER_STEP_CAP} events a step) before its steps were done\n`
    : '';
  return `sweep: sharedlib:N, seed ${sw.seed}, ${sw.steps} workload steps per run\n${line(head)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.map(line).join('\n')}\n${cut}`;
}

/** ptes visited per freed page against N, one line per design for all pages and one for the library's pages. */
export function sweepChart(sw: SweepResult): string {
  const line = (d: string, name: string, f: (p: SweepPoint) => number | null) => ({
    name,
    points: sw.points.filter((p) => p.design === d && f(p) !== null).map((p) => [p.n, f(p) as number] as [number, number]),
  });
  return lineChart(
    `ptes visited per page freed vs sharers (sharedlib:N, seed ${sw.seed}, ${thousands(sw.steps)} steps)`,
    'N processes sharing the library (log scale)',
    'ptes visited per page freed (log scale)',
    sw.designs.flatMap((d) => [
      line(d, `${d}, all pages`, (p) => p.ptesPerFreed),
      line(d, `${d}, library pages`, (p) => p.sharedPtesPerFreed),
    ]),
    { logX: true, logY: true, markers: true },
  );
}
