// The comparison engine: the same workload (scenario, seed, workload steps) under each
// design, in worker threads (one per design, at most one per core) or one after another.
// The CLI wires `mmsim compare` to runComparison + a formatter; nothing here reads argv.

import { availableParallelism } from 'node:os';
import { reclaimPolicy } from '../designs/registry.js';
import { loadScenario, type Scenario } from '../workload/scenario.js';
import { expandCpus, parseDesignList, type DesignSpec } from './designs.js';
import { ThreadPool } from './pool.js';
import { EVENTS_PER_STEP_CAP, runDesign, type DesignJob, type DesignResult } from './run.js';

export type { DesignResult } from './run.js';
export type { MappingBucket, Sample } from './metrics.js';
export {
  parseDesignList,
  parseDesign,
  allowedDesigns,
  DEFAULT_DESIGNS,
  DesignListError,
  parsePositiveInt,
  OUTPUT_FORMATS,
} from './designs.js';
export { formatTable, formatJson, formatCsv, formatHistogram } from './format.js';
export { writePlots } from './plot.js';
export { ThreadPool } from './pool.js';

export interface ComparisonOptions {
  /** Scenario name (x486, forky, tiny, sharedlib:N), file path, or a parsed scenario. */
  scenario: string | Scenario;
  seed: string | number;
  /** Workload steps per design (default 100000). */
  steps?: number;
  /** Event cap per design (default EVENTS_PER_STEP_CAP × steps). */
  events?: number;
  /** Design labels or specs (default: clock/pte-chain, old/none, clock/pte-pool, clock/pte_chain). */
  designs?: string | readonly string[] | DesignSpec[];
  mem?: string;
  sampleEvery?: number;
  /** 'parallel' (worker threads, default) or 'sequential' (this thread). */
  mode?: CompareMode;
  /** Worker threads at most (default: the number of cores). */
  jobs?: number;
  /** Progress of one design, in workload steps. */
  onProgress?: (design: string, steps: number, total: number) => void;
  /** Run each design on each of these numbers of CPUs (--cpus 1,2,4,8), under each of `locking` (default bkl). */
  cpus?: readonly number[];
  locking?: readonly string[];
}

export interface ComparisonResult {
  scenario: string;
  seed: string;
  steps: number;
  mem: string | null;
  results: DesignResult[];
  /** Wall-clock ms of the whole comparison (not part of the results' determinism). */
  wallMs: number;
}

function toSpecs(d: ComparisonOptions['designs']): DesignSpec[] {
  if (Array.isArray(d) && d.length > 0 && typeof d[0] === 'object') return d as DesignSpec[];
  return parseDesignList(d as string | readonly string[] | undefined);
}

/**
 * 'auto' runs in worker threads only when the work outweighs starting them: measured on
 * 2 cores, 4 designs x 100k x486 steps take ~0.3 s in this thread and ~0.9 s in workers
 * (start-up and JIT warm-up), while a 14-job sweep of 150k steps gains 1.1-1.4x.
 */
export type CompareMode = 'parallel' | 'sequential' | 'auto';
const AUTO_PARALLEL_COST = 3000000;

/** Relative cost of a job, for longest-first dispatch: the old kswapd emits ~9x the events per step. */
export const jobCost = (j: DesignJob): number => j.steps * (reclaimPolicy(j.design.reclaim).caps.relativeCost ?? 1);

/** One long-lived worker per lane; jobs are dispatched longest first, results come back in job order. */
async function runPooled(jobs: DesignJob[], lanes: number, onProgress?: (job: DesignJob, steps: number) => void): Promise<DesignResult[]> {
  const order = jobs.map((_, i) => i).sort((a, b) => jobCost(jobs[b]) - jobCost(jobs[a]) || a - b);
  const pool = new ThreadPool(lanes);
  const results = new Array<Promise<DesignResult>>(jobs.length);
  for (const i of order)
    results[i] = pool
      .run(jobs[i], (steps) => onProgress?.(jobs[i], steps))
      .catch((err: Error) => {
        throw new Error(`design ${jobs[i].design.label}: ${err.message}`);
      });
  try {
    return await Promise.all(results);
  } finally {
    await pool.close();
  }
}

/** Run jobs in worker threads (at most `width` at once, default one per core) or here, one after another; results in job order. */
export async function runJobs(
  jobs: DesignJob[],
  mode: CompareMode,
  width?: number,
  onProgress?: (job: DesignJob, steps: number) => void,
): Promise<DesignResult[]> {
  const total = jobs.reduce((sum, j) => sum + jobCost(j), 0);
  if (mode === 'sequential' || (mode === 'auto' && total < AUTO_PARALLEL_COST)) {
    return jobs.map((j) => runDesign(j, (n) => onProgress?.(j, n)));
  }
  const lanes = Math.max(1, Math.min(width ?? availableParallelism(), jobs.length));
  return runPooled(jobs, lanes, onProgress);
}

export async function runComparison(opts: ComparisonOptions): Promise<ComparisonResult> {
  const t0 = performance.now();
  const scenario = typeof opts.scenario === 'string' ? loadScenario(opts.scenario) : opts.scenario;
  const specs = expandCpus(toSpecs(opts.designs), opts.cpus, opts.locking);
  const steps = opts.steps ?? 100000;
  const jobs: DesignJob[] = specs.map((design) => ({
    scenario,
    seed: String(opts.seed),
    steps,
    maxEvents: opts.events ?? steps * EVENTS_PER_STEP_CAP,
    design,
    mem: opts.mem,
    sampleEvery: opts.sampleEvery ?? 2000,
  }));
  const results = await runJobs(jobs, opts.mode ?? 'auto', opts.jobs, (j, n) => opts.onProgress?.(j.design.label, n, steps));
  return {
    scenario: scenario.name,
    seed: String(opts.seed),
    steps,
    mem: opts.mem ?? null,
    results,
    wallMs: performance.now() - t0,
  };
}
