import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { main } from '../src/cli/index.js';
import { loadScenario } from '../src/workload/scenario.js';
import type { Event } from '../src/events.js';
import { expect } from 'vitest';
import { TraceError } from '../src/trace/errors.js';
import { Kernel } from '../src/kernel/kernel.js';
import { EventStore, type EngineName } from '../src/event-store.js';
import { do_execve } from '../src/fs/exec.js';
import { access } from '../src/mm/memory.js';
import { initialState, kernelConfig, kernelDesigns, makeRunConfig, type RunOptions } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { VM_READ, VM_WRITE, VmaKind, type State, type Vma } from '../src/state.js';
import { checkState } from '../src/check/invariants.js';
import type { Violation } from '../src/include/rules.js';

export function simulation(scenario: string, seed: string, opts: Partial<RunOptions> = {}, engine: EngineName = 'direct'): Simulation {
  return new Simulation(makeRunConfig(loadScenario(scenario), { seed, ...opts }), engine);
}

/** Run and collect every event. */
export function recordEvents(
  scenario: string,
  seed: string,
  events: number,
  opts: Partial<RunOptions> = {},
): { sim: Simulation; events: Event[] } {
  const sim = simulation(scenario, seed, opts);
  const out: Event[] = [];
  sim.machine.sink = (e) => out.push(e);
  sim.run(events);
  return { sim, events: out };
}

export function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'mmsim-test-')), name);
}

/** The compiled bin (npm test builds it first). */
export const CLI = join(import.meta.dirname, '..', 'dist', 'tools', 'mmsim.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line in a child process: for exit codes, pipes and anything process-wide. */
export function mmsim(args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The command line in this process, through src/cli's main (no node start-up per call). */
export async function cli(args: string[], input = ''): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stdin: Readable.from([input]),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export const LIB = 0x40000000;

/** A bare kernel on the tiny machine (64 frames), no workload: tests drive it by hand. */
export function bareKernel(
  rmap: string,
  reclaim = rmap === 'none' ? 'old' : 'clock',
  scenario = 'tiny',
  opts: Partial<RunOptions> = {},
): { k: Kernel; m: EventStore; events: Event[] } {
  const cfg = makeRunConfig(loadScenario(scenario), { seed: '1', rmap, reclaim, ...opts });
  const m = new EventStore(initialState(cfg), 'direct');
  const events: Event[] = [];
  m.sink = (e) => events.push(e);
  return { k: new Kernel(m, kernelConfig(cfg), kernelDesigns(cfg)), m, events };
}

/** The full check on the state a kernel reads (read-only to the kernel; the checker's signature still takes State). */
export const checkKernel = (k: Kernel): Violation[] => checkState(k.s as State);

/** One read-only mapping of the first pages of file 1 (tiny's /bin/prog) at LIB. */
export const libVma = (pages: number): Vma => ({
  start: LIB,
  end: LIB + pages * 4096,
  kind: VmaKind.PrivateFile,
  prot: VM_READ,
  file: 1,
  pgoff: 0,
});
export const anonVma = (start: number, pages: number): Vma => ({
  start,
  end: start + pages * 4096,
  kind: VmaKind.Anon,
  prot: VM_READ | VM_WRITE,
  file: 0,
  pgoff: 0,
});

/** n processes, each mapping the library and reading its first page: one page, n mappings. */
export function sharedPage(rmap: string, n: number, reclaim = rmap === 'none' ? 'old' : 'clock'): { k: Kernel; mms: number[] } {
  const { k } = bareKernel(rmap, reclaim);
  const mms: number[] = [];
  for (let i = 0; i < n; i++) {
    const mm = do_execve(k, -1, [libVma(4)]);
    expect(access(k, mm, LIB, false)).toBe('ok');
    mms.push(mm);
  }
  return { k, mms };
}

// ---- time travel: recording logs (with snapshots and injected bugs) and opening them

import { recordRun, type RecordResult } from '../src/log/record.js';
import { parseInjectSpec } from '../src/inject/injector.js';
import { LogReader } from '../src/log/reader.js';
import { Timeline } from '../src/timetravel/timeline.js';

export interface Rec {
  scenario?: string;
  seed?: string;
  events: number;
  every?: number;
  inject?: string;
  after?: number;
  rmap?: string;
  reclaim?: string;
  chainMode?: 'null' | 'circular';
  engine?: EngineName;
}

let recorded = 0;

export function record(o: Rec): RecordResult {
  const cfg = makeRunConfig(loadScenario(o.scenario ?? 'x486'), {
    seed: o.seed ?? '7',
    rmap: o.rmap,
    reclaim: o.reclaim,
    chainMode: o.chainMode,
  });
  return recordRun(tmp(`run-${recorded++}.mmlog`), cfg, {
    events: o.events,
    engine: o.engine,
    snapshotEvery: o.every,
    inject: o.inject ? parseInjectSpec(o.inject, o.after ?? 0) : null,
  });
}

export function timeline(path: string, warnings: string[] = []): Timeline {
  const log = new LogReader(path);
  warnings.push(...log.warnings);
  return new Timeline(log, (w) => warnings.push(w));
}

/** The events the kernel emits while `f` runs (the store's sink is borrowed and given back). */
export function eventsOf(k: Kernel, f: () => void): Event[] {
  const store = k.m as EventStore;
  const out: Event[] = [];
  const sink = store.sink;
  store.sink = (e: Event, code: number) => {
    out.push(e);
    sink?.(e, code);
  };
  try {
    f();
  } finally {
    store.sink = sink;
  }
  return out;
}

/** The message of the TraceError a trace run rejects with (and that it is one). */
export async function traceFailure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TraceError);
  return (e as TraceError).message;
}
