import { closeSync, openSync, writeSync } from 'node:fs';
import type { Cli } from './context.js';
import { inputFile, outputFile, writeAtomically } from './files.js';
import { Command } from 'commander';
import { LogReader } from '../log/reader.js';
import { cloneState } from '../snapshot/clone.js';
import { writeChromeTrace } from '../export/chrome-trace.js';
import { applyingLog } from '../log/replay.js';
import type { State } from '../state.js';
import type { Event } from '../events.js';
import { engineOption, parseCount, Progress } from './options.js';
import { UsageError } from './usage-error.js';
import type { EngineName } from '../event-store.js';
import { parseNumber } from './tt-common.js';
import { thousands } from '../lib/thousands.js';

function* allEvents(log: LogReader, progress: Progress): Generator<Event> {
  let done = 0;
  for (const { events } of log.eventChunks()) {
    yield* events;
    progress.update((done += events.length));
  }
}

export function exportCommand(cli: Cli): Command {
  return new Command('export')
    .description('export a run log for a trace viewer: Chrome trace-event JSON, opened by Perfetto (ui.perfetto.dev) or chrome://tracing')
    .argument('<log>', 'run log (.mmlog)')
    .requiredOption('-o, --output <file>', 'the JSON file to write')
    .option('--from <n>', 'first event to show (earlier events are applied, not shown)', parseNumber('--from'), 0)
    .option('--to <n>', 'last event to show', parseNumber('--to'))
    .option('--counter-every <ops>', 'memory counters every this many operations', parseCount('--counter-every'), 1)
    .addOption(engineOption())
    .action((path: string, o: { output: string; from: number; to?: number; counterEvery: number; engine: EngineName }) => {
      inputFile(path, 'log');
      outputFile(o.output, '-o');
      const log = new LogReader(path);
      for (const w of log.warnings) cli.warn(w);
      if (o.from >= log.events)
        throw new UsageError(`--from ${o.from} is past the end: this log has ${log.events} events, numbered 0..${log.events - 1}`);
      if (o.to !== undefined && o.to < o.from) throw new UsageError(`--to ${o.to} is before --from ${o.from}`);
      // it reads up to --to, not always to the end
      const progress = new Progress(cli, Math.min(log.events, (o.to ?? log.events) + 1), 'export');
      const r = writeAtomically(o.output, '-o', (target) => {
        const fd = openSync(target, 'w');
        try {
          let buf: string[] = [];
          let first = true;
          const flush = (): void => {
            if (buf.length) {
              writeSync(fd, buf.join(''));
              buf = [];
            }
          };
          writeSync(fd, '[\n');
          const r = applyingLog(log, () =>
            writeChromeTrace(
              cloneState(log.header.initial as State),
              allEvents(log, progress),
              (json) => {
                buf.push(first ? json : ',\n' + json);
                first = false;
                if (buf.length >= 4096) flush();
              },
              { from: o.from, to: o.to, counterEvery: o.counterEvery, engine: o.engine },
            ),
          );
          flush();
          writeSync(fd, '\n]\n');
          return r;
        } finally {
          closeSync(fd);
          progress.stop();
        }
      });
      log.close();
      cli.out(
        `wrote ${o.output}: ${thousands(r.slices)} operations, ${thousands(r.counters)} counter samples; open it in ui.perfetto.dev or chrome://tracing\n`,
      );
      log.requireEnd();
    });
}
