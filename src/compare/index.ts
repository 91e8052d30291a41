// The comparison engine: the same workload (scenario, seed, workload steps) under each
// design, in worker threads (one per design, at most one per core) or one after another.
// The CLI wires `mmsim compare` to runComparison + a formatter; nothing here reads argv.

import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadScenario, type Scenario } from '../workload/scenario.js';
import { parseDesignList, type DesignSpec } from './designs.js';
import { runDesign, type DesignJob, type DesignResult } from './run.js';

export type { DesignResult } from './run.js';
export type { MappingBucket, Sample } from './metrics.js';
export { parseDesignList, parseDesign, allowedDesigns, DEFAULT_DESIGNS, DesignListError, parsePositiveInt, OUTPUT_FORMATS } from './designs.js';
export { formatTable, formatJson, formatCsv, formatHistogram } from './format.js';
export { writePlots } from './plot.js';
export { runSweep, formatSweep, sweepChart, type SweepResult, type SweepPoint } from './sweep.js';

export interface ComparisonOptions {
  /** Scenario name (x486, forky, tiny, sharedlib:N), file path, or a parsed scenario. */
  scenario: string | Scenario;
  seed: string | number;
  /** Workload steps per design (default 100000). */
  steps?: number;
  /** Event cap per design (default 200 × steps: the old kswapd on a tiny machine emits ~60 events a step). */
  events?: number;
  /** Design labels or specs (default: clock/pte-chain, old/none, clock/pte-pool, clock/pte_chain). */
  designs?: string | readonly string[] | DesignSpec[];
  mem?: string;
  sampleEvery?: number;
  /** 'parallel' (worker threads, default) or 'sequential' (this thread). */
  mode?: 'parallel' | 'sequential';
  /** Worker threads at most (default: the number of cores). */
  jobs?: number;
  /** Progress of one design, in workload steps. */
  onProgress?: (design: string, steps: number, total: number) => void;
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

/** The compiled worker: beside this file when running from dist, else dist/ of the package. */
function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'worker.js');
  if (existsSync(sibling)) return sibling;
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'compare', 'worker.js');
  if (!existsSync(built)) throw new Error(`compare: the worker ${built} is missing; run 'npm run build' first (or use mode 'sequential')`);
  return built;
}

function runInWorker(job: DesignJob, onProgress?: (steps: number) => void): Promise<DesignResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerPath(), { workerData: job });
    let settled = false;
    w.on('message', (msg: { kind: string; steps?: number; result?: DesignResult; message?: string }) => {
      if (msg.kind === 'progress') onProgress?.(msg.steps!);
      else if (msg.kind === 'done') { settled = true; resolve(msg.result!); }
      else if (msg.kind === 'error') { settled = true; reject(new Error(`design ${job.design.label}: ${msg.message}`)); }
    });
    w.on('error', (err) => { if (!settled) { settled = true; reject(err); } });
    w.on('exit', (code) => { if (!settled) reject(new Error(`design ${job.design.label}: worker exited with code ${code}`)); });
  });
}

/** Run jobs in worker threads (at most `width` at once, default one per core) or here, one after another; results in job order. */
export async function runJobs(jobs: DesignJob[], mode: 'parallel' | 'sequential', width?: number,
  onProgress?: (job: DesignJob, steps: number) => void): Promise<DesignResult[]> {
  if (mode === 'sequential') return jobs.map((j) => runDesign(j, (n) => onProgress?.(j, n)));
  const lanes = Math.max(1, Math.min(width ?? availableParallelism(), jobs.length));
  const results = new Array<DesignResult>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runInWorker(jobs[i], (n) => onProgress?.(jobs[i], n));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

export async function runComparison(opts: ComparisonOptions): Promise<ComparisonResult> {
  const t0 = performance.now();
  const scenario = typeof opts.scenario === 'string' ? loadScenario(opts.scenario) : opts.scenario;
  const specs = toSpecs(opts.designs);
  const steps = opts.steps ?? 100000;
  const jobs: DesignJob[] = specs.map((design) => ({
    scenario, seed: String(opts.seed), steps, maxEvents: opts.events ?? steps * 200, design, mem: opts.mem,
    sampleEvery: opts.sampleEvery ?? 2000,
  }));
  const results = await runJobs(jobs, opts.mode ?? 'parallel', opts.jobs,
    (j, n) => opts.onProgress?.(j.design.label, n, steps));
  return {
    scenario: scenario.name, seed: String(opts.seed), steps, mem: opts.mem ?? null, results,
    wallMs: performance.now() - t0,
  };
}
