import type { Cli } from './context.js';
import { inputFile } from './files.js';
import { Command } from 'commander';
import { LogReader } from '../log/reader.js';
import { replayLog } from '../log/replay.js';
import { stateHash } from '../snapshot/hash.js';
import { formatReport, makeReport } from '../report.js';
import type { RunConfig } from '../run-config.js';
import { engineOption, Progress } from './options.js';

export function replayCommand(cli: Cli): Command {
  return new Command('replay')
    .description('re-apply every event of a run log, verify the recorded state hash and print the report')
    .argument('<log>', 'run log (.mmlog)')
    .addOption(engineOption())
    .option('--json', 'print the result as JSON')
    .action((path: string, o: { engine: 'immer' | 'direct'; json?: boolean }) => {
      inputFile(path, 'log');
      const log = new LogReader(path);
      for (const w of log.warnings) cli.warn(w);
      const progress = new Progress(cli, log.events, 'replay');
      const s = replayLog(log, o.engine, (n) => progress.update(n));
      progress.stop();
      log.close();
      const hash = stateHash(s);
      const cfg = log.header.config as unknown as RunConfig;
      const report = makeReport(s, { scenario: cfg.scenario.name, seed: cfg.seed, reclaim: cfg.reclaim });
      const recorded = log.end?.hash ?? null;
      const verified = recorded === null ? null : recorded === hash;
      if (o.json) cli.json({ log: path, events: log.events, hash, recordedHash: recorded, verified, report });
      else {
        cli.out(formatReport(report) + '\n');
        cli.out(`  state hash          ${hash}\n`);
        if (verified === true) cli.out('  verified            matches the hash recorded in the log\n');
        else if (verified === null) cli.out('  verified            no recorded hash (the log has no end chunk)\n');
      }
      if (verified === false) {
        cli.err(`mmsim: error: replayed state hash ${hash} differs from the recorded ${recorded}\n`);
        cli.fail(1);
      } else log.requireEnd();
    });
}
