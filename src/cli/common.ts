// Shared command-line plumbing: common options, progress.

import { AGE_MODES, type AgeMode } from '../include/design.js';
import { SWAP_CACHE_RULES, type SwapCacheRules } from '../include/swap-cache.js';
import { COST_NAMES, type Costs, isCostName, MAX_COST } from '../include/costs.js';
import { ALLOC_MODES, type AllocMode } from '../kernel/config.js';
import { type Command, Option } from 'commander';
import type { EngineName } from '../event-store.js';
import { DEFAULT_RECLAIM, DEFAULT_RMAP, RECLAIM_POLICIES, RMAP_DESIGNS } from '../designs/registry.js';
import { DEFAULT_LOCKING, LOCKING_DESIGNS } from '../smp/locking/registry.js';
import { CHAIN_MODES, MAX_CPUS, makeRunConfig, type ChainMode, type RunConfig } from '../run-config.js';
import type { Simulation } from '../simulation.js';
import { MmtraceWriter } from '../workload/emit-trace.js';
import { isScenarioName, loadScenario } from '../workload/scenario.js';
import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';

export { UsageError };
export { engineOption, etaSeconds, parseCount, Progress } from './options.js';
import { engineOption, parseCount } from './options.js';

export interface CommonOpts {
  scenario: string;
  seed: string;
  events: number;
  mem?: string;
  reclaim: string;
  rmap: string;
  chainMode: ChainMode;
  engine: EngineName;
  json?: boolean;
  progress: boolean;
  emitTrace?: string;
  steal?: boolean;
  age?: AgeMode;
  swapCache?: SwapCacheRules;
  cost?: Partial<Costs>;
  alloc?: AllocMode;
  cpus?: number;
  sched?: string;
  locking?: string;
  schedSeed?: string;
}

/** `--cost NAME=VALUE` (repeatable): one cost of src/include/costs.ts, a whole number (µs, or ns for the *Ns walks). */
export function parseCost(v: string, prev: Partial<Costs> | undefined): Partial<Costs> {
  const m = /^([A-Za-z]+)=(.*)$/.exec(v);
  if (m === null) throw new UsageError(`--cost '${v}' is not NAME=VALUE: e.g. --cost diskReadUs=15000; names: ${COST_NAMES.join(', ')}`);
  const [, name, value] = m;
  if (!isCostName(name)) throw new UsageError(`--cost name '${name}' is not known: allowed names are ${COST_NAMES.join(', ')}`);
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(n) && n <= MAX_COST))
    throw new UsageError(
      `--cost ${name}='${value}' is not allowed: a whole number from 0 to ${MAX_COST} (${name.endsWith('Ns') ? 'ns' : 'µs'})`,
    );
  return { ...prev, [name]: n };
}

function parseCpus(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_CPUS)
    throw new UsageError(`--cpus '${v}' is not allowed: a whole number of CPUs from 1 to ${MAX_CPUS}`);
  return Number(v);
}

export function addRunOptions(cmd: Command, defaultEvents: number): Command {
  return cmd
    .option('--scenario <name|file>', 'built-in scenario (x486, forky, tiny, or sharedlib:N for N sharers) or a scenario JSON file', 'x486')
    .option('--seed <seed>', 'seed for the workload generators (any string)', '1')
    .option(
      '--events <n>',
      'stop after this many events, the boot included (the operation in progress finishes)',
      parseCount('--events'),
      defaultEvents,
    )
    .option('--mem <size>', "memory size, overriding the scenario's (e.g. 8M, 64M, 1G)")
    .addOption(new Option('--reclaim <policy>', 'reclaim policy').choices([...RECLAIM_POLICIES.keys()]).default(DEFAULT_RECLAIM))
    .addOption(
      new Option(
        '--rmap <design>',
        `reverse-map design (${[...RMAP_DESIGNS.values()]
          .filter((d) => !d.caps.tracksPtes)
          .map((d) => d.name)
          .join(', ')} only with --reclaim ${[...RECLAIM_POLICIES.values()]
          .filter((p) => !p.caps.needsRmap)
          .map((p) => p.name)
          .join(', ')}: the others find a page's ptes through it)`,
      )
        .choices([...RMAP_DESIGNS.keys()])
        .default(DEFAULT_RMAP),
    )
    .addOption(
      new Option('--chain-mode <mode>', "pte-chain lists: NULL-terminated, or circular as in the seed's debug build")
        .choices([...CHAIN_MODES])
        .default('null'),
    )
    .option(
      '--steal',
      'steal_specific_page: a high-order allocation with no free block that large empties an aligned block by moving its pages (needs a reverse map)',
    )
    .addOption(
      new Option(
        '--age <mode>',
        "page ageing: 2.1.47 (touch_page/age_page: a page goes when its age reaches 0) or none (the first unreferenced look frees it); default: the policy's own (clock none, old 2.1.47); not for active-inactive or 2.4-rmap",
      ).choices([...AGE_MODES]),
    )
    .option(
      '--cpus <n>',
      `simulated CPUs, 1-${MAX_CPUS} (default 1; with 2 or more, operations interleave: docs/architecture.md, SMP)`,
      parseCpus,
    )
    .option(
      '--sched <schedule>',
      'with --cpus 2+: which CPU steps next: rr, random, time (earliest clock first: for measuring), or pct:D (probabilistic concurrency testing, depth D) (default rr)',
    )
    .option('--sched-seed <seed>', "with --cpus 2+: seed the scheduler's choices apart from the workload's (default: --seed)")
    .addOption(
      new Option('--locking <design>', `with --cpus 2+: the locking design (default ${DEFAULT_LOCKING})`).choices([
        ...LOCKING_DESIGNS.keys(),
      ]),
    )
    .addOption(
      new Option(
        '--swap-cache <rules>',
        "swap-cache rules: 2.1.47 (no lookup by swap entry: each sharer of a swapped page faults back its own copy; do_wp_page leaves the entry) or 2.1.88 (Tweedie's lookup_swap_cache: a shared page stays one page after swap-in)",
      )
        .choices([...SWAP_CACHE_RULES])
        .default('2.1.47'),
    )
    .option(
      '--cost <name=value>',
      `override one cost (repeatable; µs, ns for the *Ns walks; docs/model.md "Costs"): ${COST_NAMES.join(', ')}`,
      parseCost,
    )
    .addOption(
      new Option(
        '--alloc <mode>',
        "the page allocator: 2.1.47 (__get_free_pages: no block of the order above the reserve fails at once) or retry (reclaim and retry, then take the reserve: mmsim's allocator before issue 9)",
      )
        .choices([...ALLOC_MODES])
        .default('2.1.47'),
    )
    .addOption(engineOption())
    .option(
      '--emit-trace <file>',
      'also write what the workload did as an mmtrace file (docs/mmtrace.md; .gz to compress) for mmsim trace --format mmtrace',
    );
}

export function runConfigFrom(o: CommonOpts): RunConfig {
  const cfg = makeRunConfig(loadScenario(o.scenario), {
    seed: o.seed,
    mem: o.mem,
    reclaim: o.reclaim,
    rmap: o.rmap,
    chainMode: o.chainMode,
    steal: o.steal === true,
    age: o.age,
    swapCache: o.swapCache,
    cost: o.cost,
    alloc: o.alloc,
    cpus: o.cpus,
    sched: o.sched,
    locking: o.locking,
    schedSeed: o.schedSeed,
  });
  // a file is named by its path in replay lines (its internal name may be anything)
  return isScenarioName(o.scenario) ? cfg : { ...cfg, scenarioFile: resolve(o.scenario) };
}

/** `--emit-trace FILE`: write the workload's processes, mappings and references as mmtrace. */
export function attachTrace(sim: Simulation, path: string | undefined): MmtraceWriter | null {
  if (path === undefined) return null;
  const files = sim.cfg.scenario.files;
  const w = new MmtraceWriter(path, (inode) => (files[inode - 1]?.name ?? `/file/${inode}`).replace(/\s/g, '_'));
  w.comment(`mmsim ${sim.cfg.scenario.name} seed ${sim.cfg.seed}: the seeded workload as a trace`);
  sim.workload.trace = w;
  return w;
}
