#!/usr/bin/env node
// mmsim: the command line. Usage errors and bad input exit with code 2 and a message
// that names the offending value; invariant failures exit with 1.

import { Command, CommanderError } from 'commander';
import { runCommand } from './cli/run.js';
import { recordCommand } from './cli/record.js';
import { replayCommand } from './cli/replay.js';
import { checkCommand } from './cli/check.js';
import { compareCommand } from './cli/compare.js';
import { exportCommand } from './cli/export.js';
import { traceCommand } from './cli/trace.js';
import { captureCommand } from './cli/capture.js';
import { seekCommand } from './cli/seek.js';
import { bisectCommand } from './cli/bisect.js';
import { diffCommand } from './cli/diff.js';
import { historyCommand } from './cli/history.js';
import { debugCommand } from './cli/debug.js';
import { shrinkCommand } from './cli/shrink.js';
import { sweepCommand } from './cli/sweep.js';
import { workerCommand } from './cli/worker.js';
import { USAGE_ERRORS } from './cli/common.js';
import { MMSIM_VERSION } from './cli/version.js';

export function buildProgram(): Command {
  const program = new Command('mmsim')
    .description('Deterministic, event-sourced simulator of Linux 2.1-era page reclaim and reverse mapping')
    .version(MMSIM_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success; 1 an invariant failed or a replayed hash differs; 2 bad usage or bad
input (the message names the value and what is allowed).

Start with:  mmsim run   (the seed's 8 MB X/NFS machine, seed 1)
Docs:        README.md, docs/architecture.md, docs/model.md, docs/designs.md`,
    );
  for (const c of [
    runCommand(),
    recordCommand(),
    replayCommand(),
    checkCommand(),
    compareCommand(),
    traceCommand(),
    captureCommand(),
    seekCommand(),
    bisectCommand(),
    diffCommand(),
    historyCommand(),
    debugCommand(),
    shrinkCommand(),
    exportCommand(),
    sweepCommand(),
    workerCommand(),
  ])
    program.addCommand(c);
  for (const c of program.commands) c.showHelpAfterError('(run with --help for usage)');
  return program;
}

function exitOverride(cmd: Command): void {
  cmd.exitOverride();
  cmd.commands.forEach(exitOverride);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  exitOverride(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are exit 0; every other commander error is bad usage
      return err.exitCode === 0 ? 0 : 2;
    }
    if (USAGE_ERRORS.some((C) => err instanceof C)) {
      process.stderr.write(`mmsim: error: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

// `mmsim history … | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mmsim: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
