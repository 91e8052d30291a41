// mmsim explore: many schedules of one workload. Run k uses the scheduler seeded with `k`
// (--sched-seed k) and the same workload seed, runs to --events, and is checked at its end:
// the SMP rules are recorded in the state when they break and stay broken, so the final
// check sees every locking rule broken in the run (and the core invariants as they stand
// at the end). The first failing schedule comes back with the record line that reproduces
// it; `mmsim bisect` of that log names the event.

import { checkState } from '../check/invariants.js';
import { replayToken, type ReplayToken } from '../cli/replay-token.js';
import type { Violation } from '../include/rules.js';
import { Injector, type InjectSpec } from '../inject/injector.js';
import { makeRunConfig, type RunConfig, type RunOptions } from '../run-config.js';
import { Simulation } from '../simulation.js';
import type { Scenario } from '../workload/scenario.js';

export interface ExploreOptions {
  scenario: Scenario;
  /** The scenario's file (absolute) when it came from one, for the replay line. */
  scenarioFile?: string;
  run: RunOptions;
  /** Schedules to try: scheduler seeds 1..runs. */
  runs: number;
  events: number;
  inject: InjectSpec | null;
  onProgress?: (done: number) => void;
}

export interface ExploreFailure {
  /** The scheduler seed (`--sched-seed`) of the failing schedule. */
  schedSeed: string;
  /** Schedules run, this one included. */
  tried: number;
  events: number;
  violations: Violation[];
  replay: ReplayToken;
}

export interface ExploreResult {
  tried: number;
  failure: ExploreFailure | null;
}

/** Schedules from..to-1 in order: the first that breaks an invariant, or null. */
export function exploreRange(o: Omit<ExploreOptions, 'runs'>, from: number, to: number): ExploreFailure | null {
  for (let k = from; k < to; k++) {
    const schedSeed = String(k);
    const made = makeRunConfig(o.scenario, { ...o.run, schedSeed });
    const cfg: RunConfig = o.scenarioFile === undefined ? made : { ...made, scenarioFile: o.scenarioFile };
    const sim = new Simulation(cfg, 'direct', { consumeInitial: true });
    sim.kernel.inject = new Injector(o.inject, cfg.seed, () => sim.machine.events);
    const s = sim.run(o.events);
    const violations = checkState(s);
    o.onProgress?.(k);
    if (violations.length > 0) {
      const events = s.stats.events;
      return {
        schedSeed,
        tried: k,
        events,
        violations,
        replay: replayToken({ config: cfg, inject: o.inject }, events - 1, 'explore.mmlog'),
      };
    }
  }
  return null;
}

/** Schedules 1..runs, one after another in this thread. */
export function explore(o: ExploreOptions): ExploreResult {
  const failure = exploreRange(o, 1, o.runs + 1);
  return { tried: failure?.tried ?? o.runs, failure };
}
