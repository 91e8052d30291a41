// Shrinking a failing run: re-run the original recording to capture its workload
// decisions, keep those up to the first failure, then delta-debug them (a binary search
// for the shortest failing prefix first, which is cheap and usually removes most, then one
// try without repeated touches, one per process without that process, then ddmin) while the same invariant still breaks.
// With several CPUs the run is also its preemptions (the scheduler's picks other than
// "the current CPU runs on"): ddmin removes those first, then the decisions as above.

import { bisect } from '../bisect/index.js';
import type { InjectSpec } from '../inject/injector.js';
import type { RunConfig } from '../run-config.js';
import { Simulation } from '../simulation.js';
import { Injector } from '../inject/injector.js';
import type { Timeline } from '../timetravel/timeline.js';
import type { Input } from '../workload/inputs.js';
import { ddmin } from './ddmin.js';
import { runInputs } from './oracle.js';
import type { Preemption } from '../smp/engine.js';

export interface ShrinkResult {
  invariant: string;
  /** Events and inputs of the original run up to its first failure, and of the shrunk one. */
  before: { events: number; inputs: number; failingEvent: number };
  after: { events: number; inputs: number };
  inputs: Input[];
  /** SMP: the preemptions of the original run up to its failure, and those kept (empty with one CPU). */
  preemptions: { before: number; kept: Preemption[] };
  /** SMP: every test run stops after this many events (twice the original's, plus 10,000). */
  eventLimit: number;
  tests: number;
}

export class ShrinkError extends Error {}

/** The original run's decisions (and, with several CPUs, preemptions), up to the step during which event `upTo` was emitted. */
function recordInputs(cfg: RunConfig, inject: InjectSpec | null, upTo: number): { inputs: Input[]; preemptions: Preemption[] } {
  const sim = new Simulation(cfg, 'direct');
  if (inject) sim.kernel.inject = new Injector(inject, cfg.seed, () => sim.machine.events);
  const inputs: Input[] = [];
  const preemptions: Preemption[] = [];
  sim.workload.recorder = (i) => inputs.push(i);
  if (sim.smp !== null) sim.smp.preemptionRecorder = preemptions;
  sim.run(upTo + 1);
  return { inputs, preemptions };
}

/** Called after each test run of the kernel: tests so far, and the size (inputs) of the smallest failing run found yet. */
export type ShrinkProgress = (tests: number, size: number) => void;

export function shrink(tl: Timeline, budget = 3000, onTest?: ShrinkProgress): ShrinkResult {
  const b = bisect(tl);
  if (b === null) throw new ShrinkError(`nothing fails in ${tl.events} events: there is no failure to shrink`);
  const cfg = tl.config;
  if (cfg.scenario.captured)
    throw new ShrinkError(`scenario ${cfg.scenario.name} replays a captured machine, whose workload has no decisions to shrink`);
  const inject = (tl.log.header.inject as InjectSpec | undefined) ?? null;
  const { inputs, preemptions } = recordInputs(cfg, inject, b.op.end);
  const limit = 2 * b.op.end + 10_000;
  const test = (xs: readonly Input[], ps: readonly Preemption[]): boolean => runInputs(cfg, xs, inject, b.invariant, ps, limit).fails;
  let runs = 0;
  let smallest = inputs.length;
  let kept: Preemption[] = preemptions;
  const oracle = (xs: readonly Input[]): boolean => {
    const fails = test(xs, kept);
    if (fails) smallest = Math.min(smallest, xs.length);
    onTest?.(++runs, smallest);
    return fails;
  };
  let tests = 1;
  if (!oracle(inputs)) {
    throw new ShrinkError(
      `re-running the recorded decisions does not break ${b.invariant} again (seed ${cfg.seed}, event ${b.event}); the log may come from another mmsim version`,
    );
  }
  if (preemptions.length > 0) {
    // the fewest preemptions first, with every decision: a schedule with fewer CPU switches is the easier race to read
    const dp = ddmin(
      preemptions,
      (ps) => {
        const fails = test(inputs, ps);
        onTest?.(++runs, smallest);
        return fails;
      },
      budget,
    );
    tests += dp.tests;
    kept = dp.result;
    // ddmin never tests the empty list: a failure with no preemption at all is the smallest
    if (kept.length === 1) {
      tests++;
      if (test(inputs, [])) kept = [];
    }
  }
  // Shortest failing prefix (failure is monotone in the prefix length often enough; ddmin repairs the rest).
  let lo = 1,
    hi = inputs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    tests++;
    if (oracle(inputs.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  let start = inputs.slice(0, hi);
  // Repeated touches of a page it already touched rarely matter to rmap bugs but make up
  // most of a workload; dropping them all at once is one test and often most of the win
  // (reclaim bugs need memory pressure, which distinct pages make, not repeats).
  const seen = new Set<string>();
  const unique = start.filter((i) => {
    if (i.a !== 'ref') return true;
    const k = `${i.pid}/${i.addr}/${i.write}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  tests++;
  if (unique.length < start.length && oracle(unique)) start = unique;
  // Whole processes next: one test each, and a process's inputs are rarely contiguous,
  // which is where ddmin's chunks are weakest.
  const pids = [...new Set(start.flatMap((i) => ('pid' in i ? [i.pid] : [])))];
  for (const pid of pids) {
    const without = start.filter((i) => !('pid' in i && i.pid === pid) && !(i.a === 'spawn' && i.child === pid));
    tests++;
    if (without.length < start.length && oracle(without)) start = without;
  }
  const dd = ddmin(start, oracle, budget);
  tests += dd.tests;
  const after = runInputs(cfg, dd.result, inject, b.invariant, kept, limit);
  return {
    preemptions: { before: preemptions.length, kept },
    eventLimit: limit,
    invariant: b.invariant,
    before: { events: b.op.end, inputs: inputs.length, failingEvent: b.event },
    after: { events: after.events, inputs: dd.result.length },
    inputs: dd.result,
    tests,
  };
}
