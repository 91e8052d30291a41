// The replay line: the command that reproduces a run up to a given event, printed by bisect
// and check (and by tests when a property fails). It is built from the run configuration a
// log stores, so that it is complete (every option that changes the run), runnable as
// printed (it includes -o), and safe to paste: every word is POSIX shell-quoted, so a seed
// such as `a b; rm -rf x` stays one argument.

import { isDeepStrictEqual } from 'node:util';
import type { InjectSpec } from '../inject/injector.js';
import { COST_NAMES, type Costs } from '../include/costs.js';
import { makeRunConfig, type RunConfig, type RunOptions } from '../run-config.js';
import { isScenarioName, loadScenario } from '../workload/scenario.js';
import { formatSched } from '../smp/sched.js';

/** What a log header says about the run (src/log/record.ts writes these fields). */
export interface RecordedRun {
  config: RunConfig;
  inject?: InjectSpec | null;
}

/** The flags that set each run option; the mapped type makes a new option a compile error here until it has one. */
const OPTION_FLAGS: { [K in keyof Required<RunOptions>]: (v: NonNullable<RunOptions[K]>) => string[] } = {
  seed: (v) => ['--seed', v],
  mem: (v) => ['--mem', v],
  reclaim: (v) => ['--reclaim', v],
  rmap: (v) => ['--rmap', v],
  chainMode: (v) => ['--chain-mode', v],
  steal: (v) => (v ? ['--steal'] : []),
  age: (v) => ['--age', v],
  swapCache: (v) => ['--swap-cache', v],
  cost: (v) => Object.entries(v).flatMap(([name, us]) => ['--cost', `${name}=${String(us)}`]),
  alloc: (v) => ['--alloc', v],
  cpus: (v) => ['--cpus', String(v)],
  sched: (v) => ['--sched', v],
  locking: (v) => ['--locking', v],
  schedSeed: (v) => ['--sched-seed', v],
};

/** The run options that make `cfg` from its scenario (--mem only when it overrides the scenario's memory, --cost only for costs that differ from the scenario's). */
export function runOptionsOf(cfg: RunConfig): RunOptions {
  const plain = makeRunConfig(cfg.scenario, { seed: cfg.seed });
  const defaultFrames = plain.nframes;
  const cost = costOverrides(cfg.latencies, plain.latencies);
  return {
    seed: cfg.seed,
    ...(cfg.nframes !== defaultFrames ? { mem: `${cfg.nframes * 4}K` } : {}),
    reclaim: cfg.reclaim,
    rmap: cfg.rmap,
    chainMode: cfg.chainMode,
    ...(cfg.steal === true ? { steal: true } : {}),
    ...(cfg.age !== undefined ? { age: cfg.age } : {}),
    ...(cfg.swapCache !== undefined ? { swapCache: cfg.swapCache } : {}),
    ...(cost !== undefined ? { cost } : {}),
    ...(cfg.alloc !== undefined ? { alloc: cfg.alloc } : {}),
    ...(cfg.smp !== undefined ? { cpus: cfg.smp.cpus, sched: formatSched(cfg.smp.sched), locking: cfg.smp.locking } : {}),
    ...(cfg.smp?.schedSeed !== undefined ? { schedSeed: cfg.smp.schedSeed } : {}),
  };
}

/** The costs in `run` that differ from `plain`, in the table's order; undefined when none do. */
function costOverrides(run: Costs, plain: Costs): Partial<Costs> | undefined {
  const out: Partial<Costs> = {};
  let any = false;
  for (const name of COST_NAMES) {
    // a log from before a cost existed has no value for it: nothing to override
    if (run[name] !== undefined && run[name] !== plain[name]) {
      out[name] = run[name];
      any = true;
    }
  }
  return any ? out : undefined;
}

/** `--scenario` for this configuration: a file by its path, a built-in by its name. */
function scenarioArg(cfg: RunConfig): { arg: string; note?: string } {
  if (cfg.scenarioFile !== undefined) return { arg: cfg.scenarioFile };
  const name = cfg.scenario.name;
  if (isScenarioName(name) && isDeepStrictEqual(loadScenario(name), cfg.scenario)) return { arg: name };
  return { arg: name, note: `scenario '${name}' came from a file whose path this log does not record` };
}

function injectArgs(spec: InjectSpec | null | undefined): string[] {
  if (!spec) return [];
  return [
    '--inject',
    `${spec.bug}@${spec.ppm / 1e6}`,
    ...(spec.after ? ['--inject-after', String(spec.after)] : []),
    ...(spec.max !== 1 ? ['--inject-max', String(spec.max)] : []),
  ];
}

export interface ReplayToken {
  /** The command as words, `mmsim` first. */
  argv: string[];
  /** The same, shell-quoted, with a comment naming the event. */
  line: string;
}

/** `mmsim record …` that reproduces `run` up to and including event `event`, into `output`. */
export function replayToken(run: RecordedRun, event: number, output = 'replay.mmlog'): ReplayToken {
  const cfg = run.config;
  const scenario = scenarioArg(cfg);
  const opts = runOptionsOf(cfg);
  const argv = ['mmsim', 'record', '--scenario', scenario.arg];
  for (const key of Object.keys(OPTION_FLAGS) as (keyof RunOptions)[]) {
    const v = opts[key];
    if (v !== undefined) argv.push(...(OPTION_FLAGS[key] as (x: typeof v) => string[])(v));
  }
  argv.push(...injectArgs(run.inject), '--events', String(event + 1), '-o', output);
  const notes = [`event ${event}`];
  if (scenario.note) notes.push(scenario.note);
  // the line sets only what RunOptions can say: if the log's configuration holds more, say so
  const { scenarioFile: _file, ...recorded } = cfg;
  if (!isDeepStrictEqual(makeRunConfig(cfg.scenario, opts), recorded)) notes.push('the log has settings this line cannot set');
  return { argv, line: `${argv.map(shellQuote).join(' ')}  # ${notes.join('; ')}` };
}

/** The replay token for event `event` of a log, from what its header records. */
export function logReplay(log: { path: string; header: Record<string, unknown> }, event: number): ReplayToken {
  const h = log.header;
  const cfg = h.config as RunConfig & { trace?: { args?: string[] } };
  const from = h.shrunkFrom as { log: string } | undefined;
  if (from !== undefined) {
    return shrinkToken(
      from.log,
      log.path,
      `scenario ${cfg.scenario.name}, seed ${cfg.seed}, event ${event}; the ${(h.inputs as unknown[]).length} workload decisions are in this log's header`,
    );
  }
  if (cfg.trace !== undefined) return traceToken(cfg.trace, event);
  return replayToken({ config: cfg, inject: h.inject as InjectSpec | undefined }, event);
}

/** `mmsim trace …`: a trace run is the whole trace, under the options its log recorded. */
function traceToken(
  meta: { file?: string; format?: string; policy?: string; frames?: number; args?: string[] },
  event: number,
): ReplayToken {
  const argv = [
    'mmsim',
    'trace',
    ...(meta.args ?? [
      String(meta.file),
      '--format',
      String(meta.format),
      '--policy',
      String(meta.policy),
      '--frames',
      String(meta.frames),
    ]),
    '--log',
    'replay.mmlog',
  ];
  return { argv, line: `${argv.map(shellQuote).join(' ')}  # event ${event}` };
}

/** `mmsim shrink FROM -o LOG`: a shrunk run's workload is its stored decisions, not the generator's. */
export function shrinkToken(from: string, log: string, note: string): ReplayToken {
  const argv = ['mmsim', 'shrink', from, '-o', log];
  return { argv, line: `${argv.map(shellQuote).join(' ')}  # ${note}` };
}

/** One word for a POSIX shell: as is when it has nothing the shell would interpret, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
