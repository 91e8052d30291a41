// The grid of a sweep (scenarios x memory sizes x designs x seeds), from a spec file
// validated with zod or from command-line lists, expanded into jobs. Every value is checked
// before anything runs, so a typo costs nothing.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_DESIGNS, DesignListError, type DesignSpec, expandCpus, parseDesignList } from '../compare/designs.js';
import { designRunOptions } from '../compare/run.js';
import { MAX_CPUS, makeRunConfig } from '../run-config.js';
import { loadScenario, type Scenario } from '../workload/scenario.js';
import { parseSizePages } from '../workload/size.js';
import { makeJob, type PreparedJob } from './job.js';

/** Bad sweep input (spec file, lists, results file): exit code 2. */
export class SweepError extends Error {}

export interface Grid {
  scenarios: string[];
  seeds: string[];
  designs: string[];
  /** Memory sizes as written (8M, 768K); empty: each scenario's own. */
  mem: string[];
  steps: number;
  /** Numbers of CPUs (each design on each machine, labelled as compare --cpus labels them); absent: the 1-CPU machine only. */
  cpus?: number[];
  /** The locking designs on 2+ CPUs (default bkl). */
  locking?: string[];
}

export const DEFAULT_GRID: Grid = {
  scenarios: ['x486'],
  seeds: ['1', '2', '3', '4', '5'],
  designs: [...DEFAULT_DESIGNS],
  mem: [],
  steps: 100000,
};

const SEEDS_MAX = 100000;

/** "1..20", "1,2,7", "1..4,10,abc": ranges of whole numbers and single seeds (any string without a comma). */
export function parseSeeds(items: string | ReadonlyArray<string | number>): string[] {
  const parts = (typeof items === 'string' ? items.split(',') : items.map(String)).map((s) => s.trim());
  const out: string[] = [];
  for (const p of parts) {
    if (p === '') throw new SweepError(`seeds: an empty seed in '${parts.join(',')}': write e.g. 1..20 or 1,2,7`);
    const range = /^(\d+)\.\.(\d+)$/.exec(p);
    if (range === null) {
      if (p.includes('..')) throw new SweepError(`seeds: '${p}' is not a range: write FIRST..LAST with whole numbers, e.g. 1..20`);
      out.push(p);
      continue;
    }
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw new SweepError(`seeds: range '${p}' is empty (${b} < ${a}): write FIRST..LAST with FIRST <= LAST`);
    if (b - a + 1 + out.length > SEEDS_MAX) throw new SweepError(`seeds: '${p}' makes more than ${SEEDS_MAX} seeds`);
    for (let i = a; i <= b; i++) out.push(String(i));
  }
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s)) throw new SweepError(`seeds: seed '${s}' is listed twice`);
    seen.add(s);
  }
  return out;
}

/** A comma-separated list option (--scenarios, --mem): trimmed, no empty items. */
export function parseList(text: string, option: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new SweepError(`${option} '${text}' has an empty item: write e.g. a,b,c`);
  return items;
}

const SpecSchema = z
  .object({
    scenarios: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('built-in names, sharedlib:N, or scenario files (relative to the spec)'),
    seeds: z
      .union([z.string(), z.array(z.union([z.string(), z.number().int().nonnegative()])).min(1)])
      .optional()
      .describe('"1..20" or a list'),
    designs: z.array(z.string().min(1)).min(1).optional(),
    mem: z.array(z.string().min(1)).min(1).optional(),
    steps: z.number().int().positive().optional(),
    cpus: z.array(z.number().int().min(1).max(MAX_CPUS)).min(1).optional().describe('numbers of CPUs, e.g. [1, 2, 4]'),
    locking: z.array(z.string().min(1)).min(1).optional().describe('locking designs on 2+ CPUs, e.g. ["bkl", "fine"]'),
  })
  .strict();

export type SweepSpec = z.infer<typeof SpecSchema>;

/** Read and validate a spec file; scenario files in it are relative to the spec's folder. */
export function readSpec(path: string): Partial<Grid> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SweepError(
      e.code === 'ENOENT' ? `spec file ${path} does not exist` : `spec file ${path} is not valid JSON (${e.message.split('\n')[0]})`,
    );
  }
  const r = SpecSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 6).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new SweepError(
      `spec file ${path} is not valid:\n  ${issues.join('\n  ')}\n  (allowed fields: scenarios, seeds, designs, mem, steps, cpus, locking)`,
    );
  }
  const spec = r.data;
  const base = dirname(path);
  const out: Partial<Grid> = {};
  if (spec.scenarios) out.scenarios = spec.scenarios.map((s) => (/^[\w-]+(:\d+)?$/.test(s) || isAbsolute(s) ? s : join(base, s)));
  if (spec.seeds !== undefined) out.seeds = parseSeeds(spec.seeds);
  if (spec.designs) out.designs = spec.designs;
  if (spec.mem) out.mem = spec.mem;
  if (spec.steps !== undefined) out.steps = spec.steps;
  if (spec.cpus !== undefined) out.cpus = spec.cpus;
  if (spec.locking !== undefined) out.locking = spec.locking;
  return out;
}

/** Every run of the grid, in scenario, memory, design, seed order; each combination checked with makeRunConfig. */
export function expandGrid(grid: Grid, version: string): PreparedJob[] {
  if (grid.locking !== undefined && grid.cpus === undefined)
    throw new SweepError('locking designs need a cpus axis (e.g. --cpus 1,2,4 --locking bkl,fine)');
  let designs: DesignSpec[];
  try {
    designs = expandCpus(parseDesignList(grid.designs), grid.cpus, grid.locking);
  } catch (err) {
    if (err instanceof DesignListError) throw new SweepError(err.message);
    throw err;
  }
  const scenarios = new Map<string, Scenario>();
  for (const name of grid.scenarios) {
    const sc = loadScenario(name);
    const prev = scenarios.get(sc.name);
    if (prev !== undefined)
      throw new SweepError(
        `scenarios: '${name}' is named '${sc.name}' like another scenario in the list; give each scenario once, with distinct names`,
      );
    scenarios.set(sc.name, sc);
  }
  const jobs: PreparedJob[] = [];
  for (const sc of scenarios.values()) {
    const sizes =
      grid.mem.length === 0 ? [parseSizePages(sc.memory, `scenario ${sc.name} memory`)] : grid.mem.map((m) => parseSizePages(m, '--mem'));
    if (new Set(sizes).size !== sizes.length) throw new SweepError(`--mem '${grid.mem.join(',')}' lists a size twice`);
    for (const pages of sizes) {
      for (const design of designs) {
        // the whole run configuration, not only reclaim/rmap: `+steal`, ages, the SMP machine
        makeRunConfig(sc, { seed: '1', mem: `${pages * 4}K`, ...designRunOptions(design) });
        for (const seed of grid.seeds) jobs.push(makeJob(version, sc, seed, design.label, pages, grid.steps));
      }
    }
  }
  return jobs;
}
