// Shared command-line plumbing: common options, progress.

import { AGE_MODES, type AgeMode } from '../include/design.js';
import { type Command, Option } from 'commander';
import type { Cli } from './context.js';
import { formatEta, ProgressLine } from '../sweep/progress.js';
import { ENGINES, type EngineName } from '../event-store.js';
import { DEFAULT_RECLAIM, DEFAULT_RMAP, RECLAIM_POLICIES, RMAP_DESIGNS } from '../designs/registry.js';
import { DEFAULT_LOCKING, LOCKING_DESIGNS } from '../smp/locking/registry.js';
import { CHAIN_MODES, MAX_CPUS, makeRunConfig, type ChainMode, type RunConfig } from '../run-config.js';
import type { Simulation } from '../simulation.js';
import { MmtraceWriter } from '../workload/emit-trace.js';
import { isScenarioName, loadScenario } from '../workload/scenario.js';
import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';

export { UsageError };

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
  cpus?: number;
  sched?: string;
  locking?: string;
  schedSeed?: string;
}

export function parseCount(flag: string) {
  return (v: string): number => {
    if (!/^\d+[kKmM]?$/.test(v)) throw new UsageError(`${flag} '${v}' is not a count: write a whole number, e.g. 1000000, 500k or 10M`);
    const mult = /[kK]$/.test(v) ? 1000 : /[mM]$/.test(v) ? 1000000 : 1;
    const n = parseInt(v, 10) * mult;
    if (n <= 0) throw new UsageError(`${flag} must be at least 1 (got '${v}')`);
    // past 2^53 a count is no longer exact (and a run that long would never end)
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} '${v}' is too large: at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
    return n;
  };
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
    .option('--events <n>', 'stop after this many events (the operation in progress finishes)', parseCount('--events'), defaultEvents)
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
        "page ageing: 2.1.47 (touch_page/age_page: a page goes when its age reaches 0) or none (the first unreferenced look frees it); default: the policy's own (clock none, old 2.1.47); not for active-inactive",
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
    .addOption(engineOption())
    .option(
      '--emit-trace <file>',
      'also write what the workload did as an mmtrace file (docs/mmtrace.md; .gz to compress) for mmsim trace --format mmtrace',
    );
}

export function engineOption(): Option {
  return new Option(
    '--engine <engine>',
    'immer: Immer drafts, immutable states; direct: the same reducer on a private copy (faster, same hash)',
  )
    .choices([...ENGINES])
    .default('direct');
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
    cpus: o.cpus,
    sched: o.sched,
    locking: o.locking,
    schedSeed: o.schedSeed,
  });
  // a file is named by its path in replay lines (its internal name may be anything)
  return isScenarioName(o.scenario) ? cfg : { ...cfg, scenarioFile: resolve(o.scenario) };
}

/** Seconds left at a steady rate: the time so far scaled by the work left over the work done. */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number | null {
  if (done <= 0) return null;
  return (elapsedSeconds * Math.max(0, total - done)) / done;
}

/** One progress line on stderr, shown only on a terminal and only once the work has taken over a second;
 * cut to the terminal's width and cleared by stop(). */
export class Progress {
  private readonly line: ProgressLine;
  private readonly started = performance.now();
  constructor(
    cli: Cli,
    private readonly total: number,
    private readonly label: string,
    private readonly unit = 'events',
    /** false when `total` is only a cap (shrink's budget), so time left cannot be estimated from it. */
    private readonly showEta = true,
  ) {
    this.line = new ProgressLine(cli.io.stderr);
  }
  /** detail: anything more to show after the counts (shrink's current size). */
  update(done: number, detail?: string): void {
    if (!this.line.enabled) return;
    const elapsed = (performance.now() - this.started) / 1000;
    if (elapsed < 1) return;
    const d = Math.min(done, this.total);
    const pct = this.total > 0 ? Math.floor((d / this.total) * 100) : 100;
    const parts = [`${this.label} ${pct}%`, `${d}/${this.total} ${this.unit}`];
    if (this.showEta) parts.push(formatEta(etaSeconds(elapsed, d, this.total)));
    if (detail !== undefined) parts.push(detail);
    this.line.show(parts.join(' | '));
  }
  stop(): void {
    this.line.clear();
  }
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
