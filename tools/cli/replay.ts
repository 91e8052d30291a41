import { Command } from 'commander';
import { LogReader } from '../../src/log/reader.js';
import { replayLog } from '../../src/log/replay.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { formatReport, makeReport } from '../../src/report.js';
import type { RunConfig } from '../../src/sim.js';
import { engineOption, printJson, Progress, truncatedLog, warn } from './common.js';

export function replayCommand(): Command {
  return new Command('replay')
    .description('re-apply every event of a run log, verify the recorded state hash and print the report')
    .argument('<log>', 'run log (.mmlog)')
    .addOption(engineOption())
    .option('--json', 'print the result as JSON')
    .action((path: string, o: { engine: 'immer' | 'direct'; json?: boolean }) => {
      const log = new LogReader(path);
      for (const w of log.warnings) warn(w);
      const progress = new Progress(log.events, 'replay');
      const s = replayLog(log, o.engine, (n) => progress.update(n));
      progress.stop();
      log.close();
      const hash = stateHash(s);
      const cfg = log.header.config as unknown as RunConfig;
      const report = makeReport(s, { scenario: cfg.scenario.name, seed: cfg.seed, reclaim: cfg.reclaim });
      const recorded = log.end?.hash ?? null;
      const verified = recorded === null ? null : recorded === hash;
      if (o.json) printJson({ log: path, events: log.events, hash, recordedHash: recorded, verified, report });
      else {
        process.stdout.write(formatReport(report) + '\n');
        process.stdout.write(`  state hash          ${hash}\n`);
        if (verified === true) process.stdout.write('  verified            matches the hash recorded in the log\n');
        else if (verified === null) process.stdout.write('  verified            no recorded hash (the log has no end chunk)\n');
      }
      if (verified === false) {
        process.stderr.write(`mmsim: error: replayed state hash ${hash} differs from the recorded ${recorded}\n`);
        process.exitCode = 1;
      } else if (log.end === null) {
        truncatedLog(path, log.events);
      }
    });
}
