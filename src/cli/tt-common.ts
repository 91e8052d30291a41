// Plumbing shared by the time-travel commands: numbers that may be hex, opening a log as
// a timeline with warnings on stderr.

import { LogReader } from '../log/reader.js';
import { Timeline } from '../timetravel/timeline.js';
import { UsageError } from './common.js';
import type { Cli } from './context.js';
import { inputFile } from './files.js';

/** A non-negative integer, decimal or 0x-hex (pte addresses are usually written in hex). */
export function parseNumber(flag: string) {
  return (v: string): number => {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(v.trim()))
      throw new UsageError(`${flag} '${v}' is not a number: write a whole number, decimal or 0x-hex`);
    return Number(v.trim());
  };
}

export function openTimeline(cli: Cli, path: string): Timeline {
  inputFile(path, 'log');
  const log = new LogReader(path, { indexed: true });
  for (const w of log.warnings) cli.warn(w);
  return new Timeline(log, (w) => cli.warn(w));
}

/** The replay token: everything needed to reproduce an event. */
export function replayToken(tl: Timeline, event: number): string {
  const c = tl.config;
  const from = tl.log.header.shrunkFrom as { log: string } | undefined;
  if (from !== undefined) {
    // a shrunk run's workload is its stored decisions, not the generator's: shrinking again reproduces it
    return `mmsim shrink ${from.log} -o ${tl.log.path}  # scenario ${c.scenario.name}, seed ${c.seed}, event ${event}; the ${(tl.log.header.inputs as unknown[]).length} workload decisions are in this log's header`;
  }
  return `mmsim record --scenario ${c.scenario.name} --seed ${c.seed}${c.nframes ? ` --mem ${c.nframes * 4}K` : ''}${injectFlags(tl.log.header.inject)} --events ${event + 1}  # event ${event}`;
}

function injectFlags(spec: unknown): string {
  const sp = spec as { bug: string; ppm: number; after: number; max: number } | undefined;
  if (!sp) return '';
  return ` --inject ${sp.bug}@${sp.ppm / 1e6}${sp.after ? ` --inject-after ${sp.after}` : ''}${sp.max !== 1 ? ` --inject-max ${sp.max}` : ''}`;
}
