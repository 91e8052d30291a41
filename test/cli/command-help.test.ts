// `mmsim --help` lists the commands from command-help.ts without loading them: the table
// must say what the real commands say, and the help it gives must be the one the real
// commands give, byte for byte.
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../src/cli/command-help.js';
import { buildProgram, COMMAND_NAMES } from '../../src/cli/index.js';
import { Cli } from '../../src/cli/context.js';
import { cli } from '../helpers.js';

const quiet = (): Cli => new Cli({ stdout: { write: () => true }, stderr: { write: () => true } } as never);

describe('mmsim --help without loading the commands', () => {
  it("lists each command with the term and description of the command's own module, in the same order", async () => {
    const program = await buildProgram(quiet());
    const help = program.createHelp();
    expect(Object.keys(COMMAND_HELP)).toEqual(COMMAND_NAMES);
    for (const cmd of program.commands)
      expect(COMMAND_HELP[cmd.name()], cmd.name()).toEqual({ term: help.subcommandTerm(cmd), description: cmd.description() });
  });

  it('prints, for --help, help, -h and no command at all, what the loaded commands print', async () => {
    // the help the loaded commands print, with the text added after it
    let full = '';
    const write = (t: string): boolean => {
      full += t;
      return true;
    };
    const capture = new Cli({ stdout: { write }, stderr: { write: () => true } } as never);
    (await buildProgram(capture)).outputHelp();
    expect(full).toMatch(/Exit codes: 0 success/);
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toBe(full);
    }
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(full);
  });

  it('still names the nearest command for a typo, and loads the one a command line names', async () => {
    const typo = await cli(['replya']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^mmsim: error: unknown command 'replya'\n\(Did you mean replay\?\)/);
    const one = await cli(['help', 'trace']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Usage: mmsim trace \[options\] <file>/);
  });
});
