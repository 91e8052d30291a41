import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeRunConfig, Simulation, type RunOptions } from '../src/sim.js';
import { loadScenario } from '../src/workload/scenario.js';
import type { EngineName } from '../src/machine.js';
import type { Event } from '../src/events.js';

export function simulation(scenario: string, seed: string, opts: Partial<RunOptions> = {}, engine: EngineName = 'direct'): Simulation {
  return new Simulation(makeRunConfig(loadScenario(scenario), { seed, ...opts }), engine);
}

/** Run and collect every event. */
export function recordEvents(scenario: string, seed: string, events: number, opts: Partial<RunOptions> = {}): { sim: Simulation; events: Event[] } {
  const sim = simulation(scenario, seed, opts);
  const out: Event[] = [];
  sim.machine.sink = (e) => out.push(e);
  sim.run(events);
  return { sim, events: out };
}

export function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'mmsim-test-')), name);
}

export const CLI = join(import.meta.dirname, '..', 'dist', 'tools', 'mmsim.js');

export function mmsim(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 120000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
