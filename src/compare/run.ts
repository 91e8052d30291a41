// One design on one workload: the unit a worker thread runs. Pure function of its input
// (scenario, seed, steps, design), so parallel and sequential comparisons agree exactly.

import { makeRunConfig, type RunOptions } from '../run-config.js';
import { NR_MEM_LISTS } from '../state.js';
import { Simulation } from '../simulation.js';
import { stateHash } from '../snapshot/hash.js';
import type { Scenario } from '../workload/scenario.js';
import type { State } from '../state.js';
import { elapsedUs } from '../reducer/smp.js';
import type { DesignSpec } from './designs.js';
import { Collector, faultCounts, sampleOf, type MappingBucket, type Sample } from './metrics.js';

export interface DesignJob {
  scenario: Scenario;
  seed: string;
  /** Workload steps (references and lifecycle actions): the same work for every design. */
  steps: number;
  /** Safety cap on events per design; a run that hits it is marked `truncated`. */
  maxEvents: number;
  design: DesignSpec;
  mem?: string;
  /** Take a sample of the state every this many events (for the plots). */
  sampleEvery: number;
}

export interface DesignResult {
  design: string;
  reclaim: string;
  rmap: string;
  steps: number;
  events: number;
  truncated: boolean;
  majorFaults: number;
  minorFaults: number;
  pagesScanned: number;
  ptesVisited: number;
  pteSlots: number;
  pagesFreed: number;
  ptesPerFreed: number | null;
  /** Vmas the reverse-map walks looked at (objrmap, anon_vma; 0 for designs that keep per-pte records). */
  vmasVisited: number;
  vmasPerFreed: number | null;
  kswapdUs: number;
  kswapdRuns: number;
  directScanned: number;
  swapReads: number;
  swapWrites: number;
  fileReads: number;
  rmapPeakBytes: number;
  rmapFinalBytes: number;
  /** Simulated µs for the workload's steps. */
  completionUs: number;
  /** Processes killed for want of memory. */
  ooms: number;
  /** do_fork calls refused (-ENOMEM). */
  forksRefused: number;
  /** __get_free_pages failures by order (index = order). */
  allocFailures: number[];
  /** High-order blocks steal_specific_page emptied (0 without +steal). */
  stealOk: number;
  rmapErrors: number;
  reclaimPasses: number;
  histogram: MappingBucket[];
  samples: Sample[];
  stateHash: string;
  /** --cpus (1 for the 1-CPU machine) and the locking design (null for one CPU). */
  cpus?: number;
  locking?: string | null;
  /** Faults and pages freed per simulated second (the SMP machine's time is its latest CPU's clock). */
  faultsPerSecond?: number;
  pagesFreedPerSecond?: number;
  /** Summed over every lock kind: time CPUs waited for locks, and held them. */
  lockWaitUs?: number;
  lockHoldUs?: number;
}

export type ProgressFn = (steps: number) => void;

/** The run options a design stands for: compare's and sweep's runs, and sweep's check of its grid before it starts. */
export function designRunOptions(
  d: DesignSpec,
): Pick<RunOptions, 'reclaim' | 'rmap' | 'age' | 'swapCache' | 'steal' | 'alloc' | 'cpus' | 'locking' | 'sched'> {
  return {
    reclaim: d.reclaim,
    rmap: d.rmap,
    age: d.age,
    swapCache: d.swapCache,
    steal: d.steal === true,
    alloc: d.alloc,
    // one CPU is the 1-CPU machine itself; more are scheduled by simulated time, for measuring
    ...(d.smp !== undefined && d.smp.cpus > 1 ? { cpus: d.smp.cpus, locking: d.smp.locking ?? undefined, sched: 'time' } : {}),
  };
}

export function runDesign(job: DesignJob, onProgress?: ProgressFn): DesignResult {
  const cfg = makeRunConfig(job.scenario, { seed: job.seed, mem: job.mem, ...designRunOptions(job.design) });
  const sim = new Simulation(cfg, 'direct');
  const m = sim.machine;
  const col = new Collector(() => m.s, sim.kernel.rmap, sim.kernel.reclaim, job.sampleEvery);
  m.sink = (e) => col.onEvent(e, m.events);
  const progressEvery = Math.max(1, Math.floor(job.steps / 50));
  let steps = 0;
  const smp = sim.smp;
  if (smp !== null) {
    while (smp.steps < job.steps && m.events < job.maxEvents && smp.step()) {
      if (onProgress !== undefined && smp.steps !== steps && smp.steps % progressEvery === 0) onProgress(smp.steps);
      steps = smp.steps;
    }
    if (!smp.deadlocked) smp.drain();
    steps = smp.steps;
  }
  while (smp === null && steps < job.steps && m.events < job.maxEvents) {
    sim.workload.step();
    steps++;
    if (onProgress !== undefined && steps % progressEvery === 0) onProgress(steps);
  }
  col.endPass();
  const s = m.state();
  col.samples.push(sampleOf(s, m.events));
  const f = faultCounts(s);
  const st = s.stats;
  return {
    design: job.design.label,
    reclaim: job.design.reclaim,
    rmap: job.design.rmap,
    steps,
    events: m.events,
    truncated: steps < job.steps,
    majorFaults: f.major,
    minorFaults: f.minor,
    pagesScanned: st.scanned,
    ptesVisited: st.ptesVisited,
    pteSlots: st.pteSlots,
    pagesFreed: st.reclaimed,
    ptesPerFreed: st.reclaimed ? st.ptesVisited / st.reclaimed : null,
    vmasVisited: st.vmasVisited ?? 0,
    vmasPerFreed: st.reclaimed ? (st.vmasVisited ?? 0) / st.reclaimed : null,
    kswapdUs: st.kswapdUs,
    kswapdRuns: st.kswapdRuns,
    directScanned: st.directScanned,
    swapReads: st.swapReads,
    swapWrites: st.swapWrites,
    fileReads: st.fileReads,
    rmapPeakBytes: col.peakOverhead,
    rmapFinalBytes: sim.kernel.rmap.overhead(s).bytes,
    completionUs: elapsedUs(s),
    ooms: st.ooms,
    forksRefused: st.forksRefused ?? 0,
    allocFailures: st.allocFailures === undefined ? new Array<number>(NR_MEM_LISTS).fill(0) : [...st.allocFailures],
    stealOk: st.steal?.ok ?? 0,
    rmapErrors: st.rmapErrors,
    reclaimPasses: col.passes,
    histogram: col.histogram(),
    samples: col.samples,
    stateHash: stateHash(s),
    ...(job.design.smp !== undefined ? smpMetrics(s) : {}),
  };
}

function smpMetrics(s: State): Partial<DesignResult> {
  const faults = s.stats.faults.reduce((a, b) => a + b, 0);
  const t = elapsedUs(s);
  const perSecond = (n: number): number => (t > 0 ? (n * 1e6) / t : 0);
  const locks = s.smp?.lockStats ?? [];
  return {
    cpus: s.smp?.ncpus ?? 1,
    locking: s.smp?.locking ?? null,
    faultsPerSecond: perSecond(faults),
    pagesFreedPerSecond: perSecond(s.stats.reclaimed),
    lockWaitUs: locks.reduce((a, l) => a + l.waitUs, 0),
    lockHoldUs: locks.reduce((a, l) => a + l.holdUs, 0),
  };
}

/**
 * Event cap per run, as `mmsim compare` sets it: a safety net, far above any design's rate
 * (the highest measured: the old kswapd on tiny, woken every jiffy, about 250 events a step).
 */
export const EVENTS_PER_STEP_CAP = 1000;
