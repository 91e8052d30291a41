// A run's configuration: scenario + options -> the run configuration (what the log header
// stores), and what follows from it alone: the initial state, the kernel's configuration
// and its design objects. src/simulation.ts wires these into a running machine.

import {
  ALLOC_MODES,
  type AllocMode,
  DEFAULT_LATENCIES,
  watermarks2147,
  type KernelConfig,
  type Latencies,
  type Watermarks,
} from './kernel/config.js';
import { COST_NAMES, type Costs, isCostName, MAX_COST } from './include/costs.js';
import { boot } from './mm/boot.js';
import {
  DEFAULT_RECLAIM,
  DEFAULT_RMAP,
  incompatibility,
  RECLAIM_POLICIES,
  RMAP_DESIGNS,
  reclaimPolicy,
  rmapDesign,
  trackingRmaps,
} from './designs/registry.js';
import { AGE_MODES, type AgeMode, type ReclaimPolicy, type RmapDesign } from './include/design.js';
import type { State } from './state.js';
import { SWAP_CACHE_RULES, type SwapCacheRules } from './include/swap-cache.js';
import { parseSizePages } from './workload/size.js';
import type { Scenario } from './workload/scenario.js';
import { initialSmp } from './reducer/smp.js';
import type { SmpConfig } from './smp/engine.js';
import { DEFAULT_LOCKING, LOCKING_DESIGNS } from './smp/locking/registry.js';
import { formatSched, parseSched, SchedSpecError, type SchedSpec } from './smp/sched.js';

export const CHAIN_MODES = ['null', 'circular'] as const;
export type ChainMode = (typeof CHAIN_MODES)[number];

export interface RunOptions {
  seed: string;
  /** Memory override, e.g. "8M" (default: the scenario's). */
  mem?: string;
  reclaim?: string;
  rmap?: string;
  chainMode?: ChainMode;
  /** steal_specific_page on high-order allocation failure (needs a reverse map). */
  steal?: boolean;
  /** Page ageing, overriding the policy's default (clock: none, old: 2.1.47). */
  age?: AgeMode;
  /** Swap-cache rules (src/include/swap-cache.ts); default 2.1.47. */
  swapCache?: SwapCacheRules;
  /** --cost NAME=VALUE: costs overriding the defaults and the scenario's (src/include/costs.ts). */
  cost?: Partial<Costs>;
  /** The allocator: 2.1.47's __get_free_pages (default) or 'retry', mmsim's earlier forgiving one. */
  alloc?: AllocMode;
  /** CPUs (1-16; default 1). */
  cpus?: number;
  /** The SMP scheduler: rr, random or pct:D (only with cpus > 1; default rr). */
  sched?: string;
  /** The SMP locking design: bkl or fine (only with cpus > 1; default bkl). */
  locking?: string;
  /** Seeds the scheduler's stream instead of --seed (explore tries schedules of one workload this way). */
  schedSeed?: string;
}

export const MAX_CPUS = 16;

/** Everything a run depends on; stored in the log header so a log explains itself. */
export interface RunConfig {
  scenario: Scenario;
  seed: string;
  nframes: number;
  reserved: number;
  swapSlots: number;
  reclaim: string;
  rmap: string;
  chainMode: ChainMode;
  watermarks: Watermarks;
  latencies: Latencies;
  /** --steal; absent when off, so logs and headers of runs without it are unchanged. */
  steal?: true;
  /** --age when it differs from the policy's default; absent otherwise (headers unchanged). */
  age?: AgeMode;
  /** --swap-cache 2.1.88; absent under the default 2.1.47 rules (headers unchanged). */
  swapCache?: '2.1.88';
  /** --alloc retry; absent for the default, 2.1.47's allocator. */
  alloc?: 'retry';
  /** The scenario's file (an absolute path) when it came from one: replay lines name it. */
  scenarioFile?: string;
  /** --cpus N > 1 (src/smp/); absent for one CPU, so 1-CPU logs and headers are unchanged. */
  smp?: SmpConfig;
}

export class ConfigError extends Error {}

/**
 * Swap space 2.1.47 can have: MAX_SWAPFILES (8, include/linux/swap.h) devices, each at most
 * the 8 * PAGE_SIZE slots the one-page swap header's bitmap can mark (128 MiB). mmsim models
 * the devices as one swap map of their total size.
 */
export const MAX_SWAP_SLOTS = 8 * 8 * 4096;

export function makeRunConfig(scenario: Scenario, opts: RunOptions): RunConfig {
  const nframes = parseSizePages(opts.mem ?? scenario.memory, opts.mem ? '--mem' : 'memory');
  const reserved = parseSizePages(scenario.reserved, 'reserved');
  const swapSlots = parseSizePages(scenario.swap, 'swap');
  if (nframes < 32) throw new ConfigError(`memory of ${nframes} pages is too small: at least 32 pages (128K) are needed`);
  if (nframes > 1 << 18)
    throw new ConfigError(`memory of ${nframes} pages is too large: at most 262144 pages (1G) on i386 without highmem`);
  if (reserved < 2 || reserved >= nframes - 8)
    throw new ConfigError(`reserved (${reserved} pages) must leave at least 8 of the ${nframes} frames free, and be at least 2`);
  // 2.1's swap header is one page whose bitmap marks usable slots: 8 * 4096 - 10 slots, i.e. 128 MiB per device
  if (swapSlots < 2 || swapSlots > MAX_SWAP_SLOTS)
    throw new ConfigError(
      `swap of ${swapSlots} pages is out of range: 2..${MAX_SWAP_SLOTS} pages (2.1: 8 swap devices of at most 128M each, 1G in all)`,
    );
  const wm = scenario.watermarks;
  if (wm !== undefined && !(wm.min <= wm.low && wm.low <= wm.high && wm.high < nframes - reserved)) {
    throw new ConfigError(
      `watermarks min ${wm.min}, low ${wm.low}, high ${wm.high} are not allowed: they need min <= low <= high < ${nframes - reserved} (the frames left after the reservation)`,
    );
  }
  const procs = scenario.boot.reduce((n, b) => n + b.count, 0);
  if (procs > nframes - reserved) {
    throw new ConfigError(
      `boot starts ${procs} processes but this machine has ${nframes - reserved} free frames: each needs at least its page directory`,
    );
  }
  const reclaim = opts.reclaim ?? DEFAULT_RECLAIM;
  const rmap = opts.rmap ?? DEFAULT_RMAP;
  if (!RECLAIM_POLICIES.has(reclaim))
    throw new ConfigError(`--reclaim '${reclaim}' is not known: allowed values are ${[...RECLAIM_POLICIES.keys()].join(', ')}`);
  if (!RMAP_DESIGNS.has(rmap))
    throw new ConfigError(`--rmap '${rmap}' is not known: allowed values are ${[...RMAP_DESIGNS.keys()].join(', ')}`);
  const why = incompatibility(reclaim, rmap);
  if (why !== null) throw new ConfigError(why);
  if (opts.steal === true && !rmapDesign(rmap).caps.tracksPtes) {
    throw new ConfigError(
      `--steal cannot run with --rmap ${rmap}: flipping a page to another frame relinks its ptes through the reverse map; use --rmap ${trackingRmaps().join(', ')}`,
    );
  }
  const policyAge = reclaimPolicy(reclaim).caps.age;
  if (opts.age !== undefined && policyAge === undefined) {
    throw new ConfigError(
      `--age ${opts.age} does not apply to --reclaim ${reclaim}, which ages pages its own way; it applies to ${[
        ...RECLAIM_POLICIES.values(),
      ]
        .filter((p) => p.caps.age !== undefined)
        .map((p) => p.name)
        .join(', ')}`,
    );
  }
  if (opts.age !== undefined && !AGE_MODES.includes(opts.age))
    throw new ConfigError(`--age '${String(opts.age)}' is not known: allowed values are ${AGE_MODES.join(', ')}`);
  const age = opts.age !== undefined && opts.age !== policyAge ? opts.age : undefined;
  if (opts.swapCache !== undefined && !SWAP_CACHE_RULES.includes(opts.swapCache))
    throw new ConfigError(`--swap-cache '${String(opts.swapCache)}' is not known: allowed values are ${SWAP_CACHE_RULES.join(', ')}`);
  if (opts.alloc !== undefined && !ALLOC_MODES.includes(opts.alloc))
    throw new ConfigError(`--alloc '${String(opts.alloc)}' is not known: allowed values are ${ALLOC_MODES.join(', ')}`);
  const smp = smpConfig(opts, scenario, reclaim);
  const latencies = { ...DEFAULT_LATENCIES };
  for (const [k, v] of Object.entries(scenario.latencies ?? {})) {
    if (!isCostName(k)) throw new ConfigError(`latencies.${k} is not a latency: allowed names are ${COST_NAMES.join(', ')}`);
    latencies[k] = v;
  }
  for (const [k, v] of Object.entries(opts.cost ?? {})) {
    if (!isCostName(k)) throw new ConfigError(`--cost ${k} is not a cost: allowed names are ${COST_NAMES.join(', ')}`);
    if (v === undefined || !Number.isSafeInteger(v) || v < 0 || v > MAX_COST)
      throw new ConfigError(`--cost ${k}=${String(v)} is not allowed: a whole number from 0 to ${MAX_COST}`);
    latencies[k] = v;
  }
  return {
    scenario,
    seed: opts.seed,
    nframes,
    reserved,
    swapSlots,
    reclaim,
    rmap,
    chainMode: opts.chainMode ?? 'null',
    watermarks: scenario.watermarks ?? watermarks2147(nframes),
    latencies,
    ...(opts.steal === true ? { steal: true as const } : {}),
    ...(age !== undefined ? { age } : {}),
    ...(opts.swapCache === '2.1.88' ? { swapCache: '2.1.88' as const } : {}),
    ...(opts.alloc === 'retry' ? { alloc: 'retry' as const } : {}),
    ...(smp !== undefined ? { smp } : {}),
  };
}

/** --cpus, --sched, --locking: undefined for one CPU (which may name neither of the others). */
function smpConfig(opts: RunOptions, scenario: Scenario, reclaim: string, steal = opts.steal === true): SmpConfig | undefined {
  const cpus = opts.cpus ?? 1;
  if (!(Number.isInteger(cpus) && cpus >= 1 && cpus <= MAX_CPUS))
    throw new ConfigError(`--cpus '${String(opts.cpus)}' is not allowed: a whole number of CPUs from 1 to ${MAX_CPUS}`);
  if (cpus === 1) {
    if (opts.sched !== undefined) throw new ConfigError(`--sched ${opts.sched} needs --cpus 2 or more: one CPU has nothing to schedule`);
    if (opts.locking !== undefined) throw new ConfigError(`--locking ${opts.locking} needs --cpus 2 or more: one CPU takes no locks`);
    if (opts.schedSeed !== undefined)
      throw new ConfigError(`--sched-seed ${opts.schedSeed} needs --cpus 2 or more: one CPU has nothing to schedule`);
    return undefined;
  }
  let sched: SchedSpec;
  try {
    sched = parseSched(opts.sched ?? 'rr');
  } catch (err) {
    if (err instanceof SchedSpecError) throw new ConfigError(err.message);
    throw err;
  }
  const locking = opts.locking ?? DEFAULT_LOCKING;
  const design = LOCKING_DESIGNS.get(locking);
  if (design === undefined)
    throw new ConfigError(`--locking '${locking}' is not known: allowed values are ${[...LOCKING_DESIGNS.keys()].join(', ')}`);
  const why = design.incompatibility({ reclaim, steal });
  if (why !== null) throw new ConfigError(why);
  if (scenario.captured)
    throw new ConfigError(`--cpus ${cpus} cannot run a captured machine's scenario (its workload has no run queues); use --cpus 1`);
  return { cpus, sched, locking, ...(opts.schedSeed !== undefined ? { schedSeed: opts.schedSeed } : {}) };
}

export function initialState(cfg: RunConfig): State {
  const s = boot({
    nframes: cfg.nframes,
    reserved: cfg.reserved,
    swapSlots: cfg.swapSlots,
    rmap: cfg.rmap,
    reclaim: cfg.reclaim,
    options: { chainMode: cfg.chainMode === 'circular' ? 1 : 0 },
    swapCacheLookup: cfg.swapCache === '2.1.88',
  });
  if (cfg.smp !== undefined) s.smp = initialSmp(cfg.smp.cpus, cfg.smp.locking, formatSched(cfg.smp.sched));
  return s;
}

/** The design objects a run's kernel calls (looked up here, so the kernel never names one). */
export function kernelDesigns(cfg: { rmap: string; reclaim: string }): { rmap: RmapDesign; reclaim: ReclaimPolicy } {
  return { rmap: rmapDesign(cfg.rmap), reclaim: reclaimPolicy(cfg.reclaim) };
}

export function kernelConfig(cfg: RunConfig): KernelConfig {
  return {
    files: cfg.scenario.files.map((f, i) => ({ inode: i + 1, name: f.name, pages: f.pages, backing: f.backing })),
    latencies: cfg.latencies,
    watermarks: cfg.watermarks,
    reclaim: cfg.reclaim,
    ageing: (cfg.age ?? reclaimPolicy(cfg.reclaim).caps.age) === '2.1.47',
    ...(cfg.steal === true ? { steal: true } : {}),
    ...(cfg.alloc === 'retry' ? { alloc: 'retry' as const } : {}),
  };
}
