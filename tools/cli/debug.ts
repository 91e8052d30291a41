import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Debugger } from '../../src/timetravel/debugger.js';
import { openTimeline } from './tt-common.js';

export function debugCommand(): Command {
  return new Command('debug')
    .description(
      'interactive time travel over a run log: step, back, goto, next/prev TYPE, break, watch, print (commands from stdin; type help)',
    )
    .argument('<log>', 'run log (.mmlog)')
    .option('-x, --exec <commands>', 'run these ;-separated commands first (then read stdin unless it is a terminal-less EOF)')
    .action(async (path: string, o: { exec?: string }) => {
      const tl = openTimeline(path);
      const dbg = new Debugger(tl);
      const tty = process.stdin.isTTY === true;
      const say = (lines: string[]): void => {
        if (lines.length) process.stdout.write(lines.join('\n') + '\n');
      };
      say([`mmsim debug: ${path}, ${tl.events} events (${tl.config.scenario.name}, seed ${tl.config.seed}); type help`, dbg.where()]);
      for (const c of o.exec?.split(';') ?? []) {
        if (dbg.done) break;
        say(dbg.exec(c));
      }
      if (!dbg.done) {
        const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
        if (tty) {
          rl.setPrompt('(mmsim) ');
          rl.prompt();
        }
        for await (const line of rl) {
          if (!tty && line.trim()) process.stdout.write(`> ${line.trim()}\n`);
          say(dbg.exec(line));
          if (dbg.done) break;
          if (tty) rl.prompt();
        }
        rl.close();
      }
      tl.log.close();
    });
}
