// A running simulation: the run configuration wired to an event store (the state and the one
// way to change it), the kernel that emits into it and the workload that drives the kernel.

import { Kernel } from './kernel/kernel.js';
import { COMMIT_EVERY, EventStore, type EngineName } from './event-store.js';
import { initialState, kernelConfig, kernelDesigns, type RunConfig } from './run-config.js';
import type { State } from './state.js';
import { Workload } from './workload/generator.js';
import type { Input } from './workload/inputs.js';
import { SmpEngine } from './smp/engine.js';

// defined beside the store it paces, so that `mmsim trace` need not load the workload to know it
export { COMMIT_EVERY };

export class Simulation {
  readonly machine: EventStore;
  readonly kernel: Kernel;
  readonly workload: Workload;
  readonly initial: State;
  /** --cpus N > 1: the CPUs and their scheduler; null for one CPU. */
  readonly smp: SmpEngine | null;

  /**
   * With `consumeInitial`, the direct engine runs on the initial state itself: `initial` is
   * then valid only until the first run() (enough to write a log header).
   */
  constructor(
    readonly cfg: RunConfig,
    engine: EngineName = 'immer',
    opts: { initial?: State; consumeInitial?: boolean } = {},
  ) {
    this.initial = opts.initial ?? initialState(cfg);
    this.machine = new EventStore(this.initial, engine, opts.consumeInitial === true);
    this.kernel = new Kernel(this.machine, kernelConfig(cfg), kernelDesigns(cfg));
    this.workload = new Workload(this.kernel, cfg.scenario, cfg.seed);
    this.smp = cfg.smp !== undefined ? new SmpEngine(this.kernel, this.workload, cfg.smp, cfg.seed) : null;
  }

  private booted = false;
  /** The boot's remaining operations, while it is under way. */
  private booting: Iterator<void> | null = null;

  /**
   * Run until at least `events` events have been emitted (the kernel operation in progress
   * finishes, so the state ends between operations). The boot counts: it is run one operation
   * at a time, so a small `events` stops inside it. `onProgress` is called about every COMMIT_EVERY events.
   */
  run(events: number, onProgress?: (events: number) => void): State {
    if (this.smp !== null) {
      // the boot runs whole on CPU 0 before the CPUs start
      this.finishBoot();
      return this.runSmp(this.smp, events, onProgress);
    }
    this.startBoot();
    let nextCommit = this.machine.events + COMMIT_EVERY;
    while (this.machine.events < events) {
      if (this.booting === null) this.workload.step();
      else if (this.booting.next().done === true) this.booting = null;
      if (this.machine.events >= nextCommit) {
        this.machine.commit();
        nextCommit = this.machine.events + COMMIT_EVERY;
        onProgress?.(this.machine.events);
      }
    }
    return this.machine.state();
  }

  /** The SMP loop: scheduler steps until the events are reached, then the tasks in progress finish (none starts). */
  private runSmp(smp: SmpEngine, events: number, onProgress?: (events: number) => void): State {
    let nextCommit = this.machine.events + COMMIT_EVERY;
    const commit = (): void => {
      if (this.machine.events >= nextCommit) {
        this.machine.commit();
        nextCommit = this.machine.events + COMMIT_EVERY;
        onProgress?.(this.machine.events);
      }
    };
    while (this.machine.events < events && smp.step()) commit();
    if (!smp.deadlocked) smp.drain();
    return this.machine.state();
  }

  /** Run the whole boot (or what is left of it), however many events it takes. */
  finishBoot(): State {
    this.startBoot();
    while (this.booting !== null) if (this.booting.next().done === true) this.booting = null;
    return this.machine.state();
  }

  private startBoot(): void {
    if (this.booted) return;
    this.booted = true;
    this.workload.recorder?.({ a: 'boot', first: 1 });
    this.booting = this.workload.bootOps();
  }

  /** Run recorded workload decisions instead of the generator (shrink), then stop. */
  runInputs(inputs: readonly Input[], onProgress?: (events: number) => void): State {
    if (this.smp !== null) throw new Error("shrink replays one CPU's decisions: an SMP run cannot be shrunk yet");
    this.booted = true;
    let nextCommit = this.machine.events + COMMIT_EVERY;
    for (const i of inputs) {
      this.workload.perform(i);
      if (this.machine.events >= nextCommit) {
        this.machine.commit();
        nextCommit = this.machine.events + COMMIT_EVERY;
        onProgress?.(this.machine.events);
      }
    }
    return this.machine.state();
  }
}
