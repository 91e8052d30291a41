// One run of a sweep: a scenario, a seed, a design, a memory size and a number of workload
// steps. Its id is a hash of everything the result depends on (and the mmsim version), so
// the same run gets the same id on any machine, in any order, in any later invocation:
// that id is what resume skips on and what the queue de-duplicates on.

import { createHash } from 'node:crypto';
import { parseDesign } from '../compare/designs.js';
import { jobCost } from '../compare/index.js';
import type { DesignJob, DesignResult } from '../compare/run.js';
import type { Scenario } from '../workload/scenario.js';

export interface SweepJob {
  id: string;
  version: string;
  /** The scenario's name (x486, sharedlib:4, or the name inside a scenario file). */
  scenario: string;
  /** First 16 hex digits of the SHA-256 of the scenario's JSON: a file edited later is another scenario. */
  scenarioHash: string;
  seed: string;
  /** reclaim/rmap. */
  design: string;
  /** Memory in 4 KiB pages (the scenario's own when no --mem was given). */
  memPages: number;
  steps: number;
}

/** What a run reports: the comparison's per-design figures, without the time series. */
export type RunReport = Omit<DesignResult, 'samples' | 'design' | 'reclaim' | 'rmap'>;

/** One line of results.jsonl. Nothing in it depends on when or where the run ran. */
export interface SweepLine extends SweepJob {
  report: RunReport;
}

/** A job ready to run: its description plus the scenario itself. */
export interface PreparedJob {
  job: SweepJob;
  scenarioData: Scenario;
}

export { EVENTS_PER_STEP_CAP } from '../compare/run.js';
import { EVENTS_PER_STEP_CAP } from '../compare/run.js';

export const scenarioHash = (s: Scenario): string => createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);

/**
 * 24 hex digits of SHA-256 over the version and the run's inputs. Never all-digit in a way a
 * queue could read as an integer (BullMQ refuses integer ids): 24 digits do not round-trip
 * through parseInt.
 */
export function jobId(version: string, scenario: Scenario, seed: string, design: string, memPages: number, steps: number): string {
  const key = JSON.stringify(['mmsim-sweep-job', version, scenario, seed, design, memPages, steps]);
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

export function makeJob(version: string, scenario: Scenario, seed: string, design: string, memPages: number, steps: number): PreparedJob {
  return {
    job: {
      id: jobId(version, scenario, seed, design, memPages, steps),
      version,
      scenario: scenario.name,
      scenarioHash: scenarioHash(scenario),
      seed,
      design,
      memPages,
      steps,
    },
    scenarioData: scenario,
  };
}

/** The comparison engine's unit of work for this job (src/compare/run.ts runs it). */
export function toDesignJob(p: PreparedJob): DesignJob {
  return {
    scenario: p.scenarioData,
    seed: p.job.seed,
    steps: p.job.steps,
    maxEvents: p.job.steps * EVENTS_PER_STEP_CAP,
    design: parseDesign(p.job.design),
    mem: `${p.job.memPages * 4}K`,
    // one sample at the start and one at the end: a sweep keeps totals, not time series
    sampleEvery: 1 << 30,
  };
}

export function toLine(job: SweepJob, r: DesignResult): SweepLine {
  const { samples: _s, design: _d, reclaim: _r, rmap: _m, ...report } = r;
  return { ...job, report };
}

/** Relative cost for longest-first dispatch: the comparison engine's estimate. */
export const sweepJobCost = (p: PreparedJob): number => jobCost(toDesignJob(p));

/** "8M" for 2048 pages, "768K" when not a whole number of MiB. */
export function memLabel(pages: number): string {
  const kib = pages * 4;
  return kib % 1024 === 0 ? `${kib / 1024}M` : `${kib}K`;
}
