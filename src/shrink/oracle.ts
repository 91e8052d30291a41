// The shrink oracle: run the kernel on a list of workload decisions (with the same
// injected bug, if any) and report whether the named invariant breaks, checking every
// operation boundary as `mmsim check` does.

import { StreamChecker } from '../check/run.js';
import { Injector, type InjectSpec } from '../inject/injector.js';
import type { RunConfig } from '../run-config.js';
import { Simulation } from '../simulation.js';
import { copyState } from '../snapshot/copy.js';
import type { Input } from '../workload/inputs.js';
import type { Preemption } from '../smp/engine.js';

export interface RunOutcome {
  fails: boolean;
  events: number;
}

/** With several CPUs, `preemptions` replace the scheduler (src/smp/engine.ts SmpScript). */
export function runInputs(
  cfg: RunConfig,
  inputs: readonly Input[],
  inject: InjectSpec | null,
  invariant: string,
  preemptions: readonly Preemption[] = [],
  maxEvents = Number.POSITIVE_INFINITY,
): RunOutcome {
  const sim = new Simulation(cfg, 'direct');
  if (inject) sim.kernel.inject = new Injector({ ...inject, after: 0 }, cfg.seed, () => sim.machine.events);
  const checker = new StreamChecker(copyState(sim.initial), { only: new Set([invariant]), fullEvery: 64 });
  let ok = true;
  sim.machine.sink = (e) => {
    if (ok && !checker.step(e)) ok = false;
  };
  try {
    sim.runInputs(inputs, undefined, preemptions, maxEvents);
    if (ok) ok = checker.finish();
  } catch {
    // the kernel fell over after the bug; it counts only if a check failed first
  }
  return { fails: checker.failure !== null, events: sim.machine.events };
}
