import type { Cli } from './context.js';
import { Command } from 'commander';
import { checkPort, runView } from '../view/run.js';
import { openTimeline } from './tt-common.js';

export function viewCommand(cli: Cli): Command {
  return new Command('view')
    .description('a time-travel viewer in the browser: frame map, timeline, a page and its chain, events, diffs (serves on loopback)')
    .argument('<log>', 'run log (.mmlog)')
    .option('--port <n>', 'TCP port (0 picks a free one)', checkPort, 8080)
    .option('--host <addr>', 'address to listen on; the viewer has no authentication, so keep it on loopback', '127.0.0.1')
    .option('--open', 'open the page in the desktop browser (xdg-open)')
    .action(async (path: string, o: { port: number; host: string; open?: boolean }) => {
      const tl = openTimeline(cli, path);
      await runView(
        tl,
        path,
        o,
        (line) => cli.out(line + '\n'),
        (line) => cli.warn(line),
      );
    });
}
