// Golden snapshots: the state of each built-in scenario at fixed seeds and event indices,
// stored in snapshots/ (msgpack). The test records each scenario again and compares;
// a difference is reported as the first differing fields in words. Only
// `npm run snapshots:update` writes them.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { plainState } from '../event-store.js';
import { makeRunConfig } from '../run-config.js';
import { Simulation } from '../simulation.js';
import { copyState } from './copy.js';
import { stateHash } from './hash.js';
import { loadScenario } from '../workload/scenario.js';
import type { State } from '../state.js';
import { diffStates } from '../timetravel/diff.js';
import { hex } from '../timetravel/describe.js';

export interface GoldenSpec {
  scenario: string;
  seed: string;
  /** Event counts (states after exactly this many events). */
  at: number[];
}

export const GOLDEN: GoldenSpec[] = [
  { scenario: 'x486', seed: '1', at: [2000, 60000] },
  { scenario: 'forky', seed: '1', at: [2000, 60000] },
  { scenario: 'tiny', seed: '1', at: [500, 20000] },
];

export interface GoldenFile {
  scenario: string;
  seed: string;
  event: number;
  hash: string;
  state: State;
}

export const goldenName = (g: GoldenSpec, at: number): string => `${g.scenario}-seed${g.seed}-${at}.msgpack`;

const packr = new Packr({ useRecords: false, variableMapSize: true });
export const encodeGolden = (f: GoldenFile): Buffer => packr.pack(f);

export function readGolden(dir: string, name: string): GoldenFile {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`golden snapshot ${path} is missing: run 'npm run snapshots:update' and commit snapshots/`);
  return packr.unpack(readFileSync(path)) as GoldenFile;
}

/** Record the scenario and return the states after each of `g.at` events. */
export function goldenStates(g: GoldenSpec): Map<number, State> {
  const sim = new Simulation(makeRunConfig(loadScenario(g.scenario), { seed: g.seed }), 'direct');
  const want = new Set(g.at);
  const out = new Map<number, State>();
  sim.machine.sink = () => {
    if (want.has(sim.machine.events)) out.set(sim.machine.events, copyState(plainState(sim.machine)));
  };
  sim.run(Math.max(...g.at));
  return out;
}

/** Nothing when equal; otherwise the first differing fields, in words. */
export function compareGolden(expected: State, actual: State, limit = 8): string | null {
  if (stateHash(expected) === stateHash(actual)) return null;
  const cs = diffStates(expected, actual, limit);
  const lines = cs.map((c) => {
    const who =
      c.group === 'machine' ? 'machine' : c.group === 'pte' ? `pte ${hex(c.id)}${c.where ? ` (${c.where})` : ''}` : `${c.group} ${c.id}`;
    return `  ${who}: ${c.field} expected ${c.before}, actual ${c.after}`;
  });
  if (lines.length === 0) lines.push('  the states differ outside pages, ptes and mms (statistics or swap map): compare stateHash fields');
  return `state differs from the golden snapshot; first differences:\n${lines.join('\n')}`;
}
