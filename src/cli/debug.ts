import type { Cli } from './context.js';
import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Debugger } from '../timetravel/debugger.js';
import { openTimeline, readProgress, STEP_WINDOW } from './tt-common.js';
import { engineOption } from './options.js';
import type { EngineName } from '../event-store.js';

export function debugCommand(cli: Cli): Command {
  return new Command('debug')
    .description(
      'interactive time travel over a run log: step, back, goto, next/prev TYPE, break, watch, print (commands from stdin; type help)',
    )
    .argument('<log>', 'run log (.mmlog)')
    .option(
      '-x, --exec <commands>',
      'run these ;-separated commands first, then read stdin unless it is a terminal-less EOF (repeatable: each -x runs in turn)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addOption(engineOption())
    .action(async (path: string, o: { exec?: string[]; engine: EngineName }) => {
      // the last STEP_WINDOW states stay as immutable values (Immer): `back` inside them replays nothing
      const tl = openTimeline(cli, path, { engine: o.engine, window: STEP_WINDOW });
      const dbg = new Debugger(tl);
      const tty = cli.io.stdin.isTTY === true;
      // a scripted session (-x, or commands on a pipe) whose command fails ends with exit 2
      let failed = false;
      const say = (lines: string[]): void => {
        if (lines.some((l) => l.startsWith('error:'))) failed = true;
        if (lines.length) cli.out(lines.join('\n') + '\n');
      };
      say([`mmsim debug: ${path}, ${tl.events} events (${tl.config.scenario.name}, seed ${tl.config.seed}); type help`, dbg.where()]);
      // a command that reads far (goto across a long log, a search) shows a progress line on a terminal's stderr
      const run = (line: string): string[] => {
        const progress = readProgress(cli, tl, `debug: ${line.trim()}`, dbg.readCost(line));
        try {
          return dbg.exec(line);
        } finally {
          progress.stop();
          tl.onRead = null;
        }
      };
      for (const c of (o.exec ?? []).flatMap((x) => x.split(';'))) {
        if (dbg.done) break;
        say(run(c));
      }
      if (!dbg.done) {
        const rl = createInterface({
          input: cli.io.stdin,
          output: tty ? (cli.io.stdout as NodeJS.WritableStream) : undefined,
          terminal: tty,
        });
        if (tty) {
          rl.setPrompt('(mmsim) ');
          rl.prompt();
        }
        for await (const line of rl) {
          if (!tty && line.trim()) cli.out(`> ${line.trim()}\n`);
          say(run(line));
          if (dbg.done) break;
          if (tty) rl.prompt();
        }
        rl.close();
      }
      tl.log.close();
      tl.log.requireEnd();
      if (failed && !tty) cli.fail(2);
    });
}
