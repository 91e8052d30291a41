// Recording a run to a log: the simulation, its snapshots every `snapshotEvery` events,
// and an optional injected bug. Shared by `mmsim record`, shrink, the golden tests and
// the benchmarks so that they all write the same logs.

import type { RunConfig } from '../run-config.js';
import { Simulation } from '../simulation.js';
import { LogWriter } from './writer.js';
import { defaultSnapshotEvery } from './snapshot-policy.js';
import { EVENTS_PER_CHUNK } from './format.js';
import { plainState, type EngineName } from '../event-store.js';
import { stateHash } from '../snapshot/hash.js';
import { makeReport, type Report } from '../report.js';
import { Injector, type InjectSpec } from '../inject/injector.js';
import type { Event } from '../events.js';
import type { Input } from '../workload/inputs.js';
import type { Preemption } from '../smp/engine.js';
import type { State } from '../state.js';

export interface RecordOptions {
  events: number;
  engine?: EngineName;
  snapshotEvery?: number;
  inject?: InjectSpec | null;
  /** Stored in the header (the mmsim version, the --inject text for replay tokens). */
  meta?: Record<string, unknown>;
  onProgress?: (events: number) => void;
  /** Run these workload decisions instead of the generator (shrink); see workload/inputs.ts. */
  inputs?: readonly Input[];
  /** With `inputs` and several CPUs: the preemptions that replace the scheduler (shrink). */
  preemptions?: readonly Preemption[];
  /** With `inputs` and several CPUs: stop after this many events. */
  maxEvents?: number;
  /** Called with the simulation before it runs (e.g. to attach an mmtrace writer to its workload). */
  onSimulation?: (sim: Simulation) => void;
}

export interface RecordResult {
  path: string;
  events: number;
  bytes: number;
  hash: string | null;
  report: Report | null;
  injected: number[];
  snapshots: { count: number; every: number; bytes: number; ms: number };
  /** The kernel failed after an injected bug: the log is a prefix without an end chunk. */
  crashed: string | null;
  sim: Simulation;
}

export class SnapshotEveryError extends Error {}

export function recordRun(path: string, cfg: RunConfig, o: RecordOptions): RecordResult {
  const every = o.snapshotEvery ?? defaultSnapshotEvery(cfg.nframes);
  if (every % EVENTS_PER_CHUNK !== 0) {
    throw new SnapshotEveryError(
      `--snapshot-every ${every} must be a multiple of ${EVENTS_PER_CHUNK} (snapshots sit between events chunks), e.g. ${Math.max(1, Math.round(every / EVENTS_PER_CHUNK)) * EVENTS_PER_CHUNK}`,
    );
  }
  const sim = new Simulation(cfg, o.engine ?? 'direct');
  const spec = o.inject ?? null;
  sim.kernel.inject = new Injector(spec, cfg.seed, () => sim.machine.events);
  o.onSimulation?.(sim);
  const writer = new LogWriter(path, { ...o.meta, config: cfg, initial: sim.initial, snapshotEvery: every, inject: spec ?? undefined });
  sim.machine.sink = (e: Event) => {
    writer.event(e);
    if (writer.events % every === 0) writer.snapshot(plainState(sim.machine));
  };
  const snapshots = () => ({ count: writer.snapshots, every, bytes: writer.snapshotBytes, ms: Math.round(writer.snapshotMs) });
  let s: State;
  try {
    s = o.inputs ? sim.runInputs(o.inputs, o.onProgress, o.preemptions, o.maxEvents) : sim.run(o.events, o.onProgress);
  } catch (err) {
    if (spec !== null && sim.kernel.inject.committed.length > 0) {
      // keep where the bug was committed even though the run cannot close normally
      writer.flush();
      writer.writeChunk({ kind: 'meta', injected: sim.kernel.inject.committed, crashed: (err as Error).message });
    }
    writer.abandon();
    if (spec === null || sim.kernel.inject.committed.length === 0) throw err;
    return {
      path,
      events: writer.events,
      bytes: writer.bytes,
      hash: null,
      report: null,
      injected: sim.kernel.inject.committed,
      snapshots: snapshots(),
      crashed: (err as Error).message,
      sim,
    };
  }
  const hash = stateHash(s);
  const report = makeReport(s, { scenario: cfg.scenario.name, seed: cfg.seed, reclaim: cfg.reclaim });
  const injected = spec === null ? undefined : sim.kernel.inject.committed;
  writer.close({ hash, report, injected });
  return {
    path,
    events: writer.events,
    bytes: writer.bytes,
    hash,
    report,
    injected: injected ?? [],
    snapshots: snapshots(),
    crashed: null,
    sim,
  };
}
