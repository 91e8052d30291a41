import type { Cli } from './context.js';
import { Command } from 'commander';
import { checkPort, runView } from '../view/run.js';
import { openTimeline, STEP_WINDOW } from './tt-common.js';
import { engineOption } from './options.js';
import type { EngineName } from '../event-store.js';

export function viewCommand(cli: Cli): Command {
  return new Command('view')
    .description('a time-travel viewer in the browser: frame map, timeline, a page and its chain, events, diffs (serves on loopback)')
    .argument('<log>', 'run log (.mmlog)')
    .option('--port <n>', 'TCP port (0 picks a free one)', checkPort, 8080)
    .option('--host <addr>', 'address to listen on; the viewer has no authentication, so keep it on loopback', '127.0.0.1')
    .option('--open', 'open the page in the desktop browser (xdg-open)')
    .addOption(engineOption())
    .action(async (path: string, o: { port: number; host: string; open?: boolean; engine: EngineName }) => {
      // the last STEP_WINDOW states stay as immutable values (Immer): stepping back inside them replays nothing
      const tl = openTimeline(cli, path, { engine: o.engine, window: STEP_WINDOW });
      await runView(
        tl,
        path,
        o,
        (line) => cli.out(line + '\n'),
        (line) => cli.warn(line),
      );
    });
}
