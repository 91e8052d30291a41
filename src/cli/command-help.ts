// What `mmsim --help` lists of each command, kept here so that the overall help loads no
// command (every command's module pulls in the simulator: 0.49 s of CPU for all of them
// against 0.27 s for one). test/cli/command-help.test.ts builds the help from the real
// commands and fails when this table says anything else.

/** name -> the term help shows (name, [options], arguments) and the command's description. In `mmsim --help` order. */
export const COMMAND_HELP: Readonly<Record<string, { term: string; description: string }>> = {
  run: { term: 'run [options]', description: 'simulate a scenario in memory and print the report (faults, scanning, reclaim, swap, time)' },
  record: { term: 'record [options]', description: 'simulate a scenario and write every event to a run log (.mmlog)' },
  replay: {
    term: 'replay [options] <log>',
    description: 're-apply every event of a run log, verify the recorded state hash and print the report',
  },
  check: { term: 'check [options] [log]', description: 'replay a run log and check every invariant at every kernel-operation boundary' },
  compare: { term: 'compare [options]', description: 'run the same seeded workload under several reclaim/rmap designs and compare them' },
  trace: {
    term: 'trace [options] <file>',
    description: 'run a memory trace in strict demand-paging mode: exactly --frames user frames, one page reclaimed per frame needed',
  },
  capture: {
    term: 'capture [options]',
    description: "capture the running machine's processes from /proc (maps, pagemap) as a runnable, anonymised scenario",
  },
  seek: {
    term: 'seek [options] <log> <n>',
    description: 'show the machine after event N: memory, clock hand; a page and its pte chain, an mm, or one pte',
  },
  bisect: {
    term: 'bisect [options] <log>',
    description: 'find the first kernel operation after which an invariant fails, and the event inside it that created the bad state',
  },
  diff: {
    term: 'diff [options] <log> <a> <b>',
    description: 'what changed between the state after event A and the state after event B, grouped by page, pte and mm',
  },
  history: {
    term: 'history [options] <log>',
    description:
      'every event that touched a page, a pte or an mm, with the kernel path that emitted it (fault, fork, exit, kswapd, …; mmu = a hardware access)',
  },
  debug: {
    term: 'debug [options] <log>',
    description:
      'interactive time travel over a run log: step, back, goto, next/prev TYPE, break, watch, print (commands from stdin; type help)',
  },
  shrink: {
    term: 'shrink [options] <log>',
    description:
      "reduce a failing run's workload (delta debugging over its decisions, re-running the kernel each time) to a small run that breaks the same invariant",
  },
  explore: {
    term: 'explore [options]',
    description:
      'run one workload under many schedules (--sched-seed 1..RUNS) and print the first that breaks an invariant, with its replay line (needs --cpus 2+)',
  },
  export: {
    term: 'export [options] <log>',
    description: 'export a run log for a trace viewer: Chrome trace-event JSON, opened by Perfetto (ui.perfetto.dev) or chrome://tracing',
  },
  sweep: {
    term: 'sweep [options] [spec]',
    description: 'run a grid of runs (scenarios x memory x designs x seeds) into a JSONL file, resuming where it stopped',
  },
  worker: {
    term: 'worker [options]',
    description: 'run the jobs of `mmsim sweep --queue` from a BullMQ queue on Redis, on this machine, until stopped',
  },
  view: {
    term: 'view [options] <log>',
    description: 'a time-travel viewer in the browser: frame map, timeline, a page and its chain, events, diffs (serves on loopback)',
  },
};
