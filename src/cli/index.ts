// mmsim's command line as a function: main(args) runs one command and resolves to its exit
// code (0 success; 1 an invariant failed or a replayed hash differs; 2 bad usage or bad
// input). tools/mmsim.ts, the installed bin, only calls it; tests call it in-process.
//
// Each command's module is imported only when that command runs (`mmsim --version` loads
// nothing, not even commander); help and unknown commands list every command from
// command-help.ts without loading any.

import type { Command } from 'commander';
import { Cli, type CliIo, processIo } from './context.js';
import { MMSIM_VERSION } from './version.js';

type Loader = (cli: Cli) => Promise<Command>;

/** In the order `mmsim --help` lists them. */
const COMMANDS: Record<string, Loader> = {
  run: async (cli) => (await import('./run.js')).runCommand(cli),
  record: async (cli) => (await import('./record.js')).recordCommand(cli),
  replay: async (cli) => (await import('./replay.js')).replayCommand(cli),
  check: async (cli) => (await import('./check.js')).checkCommand(cli),
  compare: async (cli) => (await import('./compare.js')).compareCommand(cli),
  trace: async (cli) => (await import('./trace.js')).traceCommand(cli),
  capture: async (cli) => (await import('./capture.js')).captureCommand(cli),
  seek: async (cli) => (await import('./seek.js')).seekCommand(cli),
  bisect: async (cli) => (await import('./bisect.js')).bisectCommand(cli),
  diff: async (cli) => (await import('./diff.js')).diffCommand(cli),
  history: async (cli) => (await import('./history.js')).historyCommand(cli),
  debug: async (cli) => (await import('./debug.js')).debugCommand(cli),
  shrink: async (cli) => (await import('./shrink.js')).shrinkCommand(cli),
  explore: async (cli) => (await import('./explore.js')).exploreCommand(cli),
  export: async (cli) => (await import('./export.js')).exportCommand(cli),
  sweep: async (cli) => (await import('./sweep.js')).sweepCommand(cli),
  worker: async (cli) => (await import('./worker.js')).workerCommand(cli),
  view: async (cli) => (await import('./view.js')).viewCommand(cli),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

const HELP_AFTER_ERROR = '(run with --help for usage)';

/** The commands `args` needs: the one it names, or all of them for help or a typo. */
function needed(args: string[]): string[] {
  const name = args[0] === 'help' ? args[1] : args[0];
  if (name !== undefined && Object.hasOwn(COMMANDS, name)) return [name];
  return COMMAND_NAMES;
}

/**
 * `names`: the commands to load; `listOnly`: instead, every command as a name and a line of
 * help (command-help.ts), for a command line that names no command (`mmsim --help`, a typo):
 * commander then prints the overall help or its error without any command's module.
 */
export async function buildProgram(cli: Cli, names: readonly string[] = COMMAND_NAMES, listOnly = false): Promise<Command> {
  const { Command, Help } = await import('commander');
  const program = new Command('mmsim')
    .description('Deterministic, event-sourced simulator of Linux 2.1-era page reclaim and reverse mapping')
    .version(MMSIM_VERSION)
    .addHelpText(
      'after',
      `
Exit codes: 0 success; 1 an invariant failed or a replayed hash differs (or a bug in mmsim:
its stack is printed); 2 bad usage, bad input or a file that cannot be read or written (the
message names the value and what is allowed).

Start with:  mmsim run   (the seed's 8 MB X/NFS machine, seed 1)
Docs:        README.md, docs/architecture.md, docs/model.md, docs/designs.md`,
    );
  if (listOnly) {
    const { COMMAND_HELP } = await import('./command-help.js');
    for (const name of COMMAND_NAMES)
      program.addCommand(
        new Command(name).description(COMMAND_HELP[name].description).action(() => {
          throw new ListedOnly();
        }),
      );
    // the table's term for a command; commander's own for its implicit `help [command]`
    const own = new Help();
    program.configureHelp({ subcommandTerm: (cmd) => COMMAND_HELP[cmd.name()]?.term ?? own.subcommandTerm(cmd) });
  } else for (const name of names) program.addCommand(await COMMANDS[name](cli));
  configure(program, cli);
  return program;
}

/** A listed-only command was run after all (a command line commander read otherwise than needed() did): load them all and parse again. */
class ListedOnly extends Error {}

/** Every command: output through `cli`, `mmsim:` before commander's errors, throw instead of exiting. */
function configure(cmd: Command, cli: Cli): void {
  cmd
    .exitOverride()
    .showHelpAfterError(HELP_AFTER_ERROR)
    .configureOutput({
      writeOut: (s) => cli.out(s),
      writeErr: (s) => cli.err(s),
      outputError: (s, write) => write(`mmsim: ${s}`),
    });
  for (const c of cmd.commands) configure(c, cli);
}

/** Run one command line (the arguments after `mmsim`); resolves to the exit code. */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const cli = new Cli(io);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    cli.out(`${MMSIM_VERSION}\n`); // what commander would print, without loading it
    return 0;
  }
  try {
    const names = needed(args);
    try {
      await (await buildProgram(cli, names, names === COMMAND_NAMES)).parseAsync(args, { from: 'user' });
    } catch (err) {
      if (!(err instanceof ListedOnly)) throw err;
      await (await buildProgram(cli, COMMAND_NAMES)).parseAsync(args, { from: 'user' });
    }
    return cli.exitCode;
  } catch (err) {
    // help and version are exit 0; every other commander error is bad usage, already printed
    const { CommanderError } = await import('commander');
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const { internalErrorMessage, usageMessage } = await import('./errors.js');
    const msg = usageMessage(err);
    if (msg !== null) {
      cli.err(`mmsim: error: ${msg}\n`);
      return 2;
    }
    cli.err(internalErrorMessage(err));
    return 1;
  }
}
