import type { Cli } from './context.js';
import { outputFile, writeAtomically } from './files.js';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { captureMachine } from '../capture/capture.js';
import { Progress, UsageError } from './common.js';

interface CaptureOpts {
  output: string;
  pid?: number[];
  maxProcesses?: number;
  memoryPct: number;
  name: string;
  json?: boolean;
}

const int =
  (flag: string) =>
  (v: string, prev?: number[]): number[] => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag} '${v}' is not a whole number`);
    return [...(prev ?? []), Number(v)];
  };

export function captureCommand(cli: Cli): Command {
  return new Command('capture')
    .description("capture the running machine's processes from /proc (maps, pagemap) as a runnable, anonymised scenario")
    .requiredOption('-o, --output <file>', 'the scenario JSON to write')
    .option('--pid <pid>', 'capture only this process (repeatable)', int('--pid'))
    .option('--max-processes <n>', 'stop after this many processes', (v) => int('--max-processes')(v)[0])
    .option('--memory-pct <n>', 'simulated memory as a percentage of the captured resident frames', (v) => int('--memory-pct')(v)[0], 75)
    .option('--name <name>', 'scenario name', 'machine')
    .option('--json', 'print the capture report as JSON')
    .action((o: CaptureOpts) => {
      outputFile(o.output, '-o');
      let progress = null as Progress | null; // made at the first call, which knows the total
      let captured: ReturnType<typeof captureMachine>;
      try {
        captured = captureMachine({
          pids: o.pid,
          maxProcesses: o.maxProcesses,
          memoryPct: o.memoryPct,
          name: o.name,
          onProgress: (done, total) => {
            progress ??= new Progress(cli, total, 'capture', 'processes');
            progress.update(done);
          },
        });
      } finally {
        progress?.stop();
      }
      const { scenario, report } = captured;
      writeAtomically(o.output, '-o', (target) => writeFileSync(target, JSON.stringify(scenario, null, 1) + '\n'));
      for (const n of report.notes) cli.warn(n);
      if (o.json) return cli.json(report);
      const skipped =
        Object.entries(report.skipped)
          .map(([r, n]) => `${n} ${r}`)
          .join(', ') || 'none';
      cli.out(
        `captured ${report.processes} processes, ${report.residentFrames} resident frames, ${report.sharedFrames} shared; skipped: ${skipped}; wrote ${o.output}\n`,
      );
    });
}
