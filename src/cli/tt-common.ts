// Plumbing shared by the time-travel commands: numbers that may be hex, opening a log as
// a timeline with warnings on stderr.

import { LogReader } from '../log/reader.js';
import { Timeline, type TimelineOptions } from '../timetravel/timeline.js';
import { Progress } from './options.js';
import { UsageError } from './usage-error.js';
import type { Cli } from './context.js';
import { inputFile } from './files.js';

/** A non-negative integer, decimal or 0x-hex (pte addresses are usually written in hex). */
export function parseNumber(flag: string) {
  return (v: string): number => {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(v.trim()))
      throw new UsageError(`${flag} '${v}' is not allowed: write a whole number from 0 up, decimal or 0x-hex (e.g. 42 or 0x2a)`);
    return Number(v.trim());
  };
}

/**
 * States the debugger and the viewer keep as immutable values (Immer), so that stepping back
 * over up to this many events costs no replay.
 */
export const STEP_WINDOW = 1024;

export function openTimeline(cli: Cli, path: string, opts: TimelineOptions = {}): Timeline {
  inputFile(path, 'log');
  const log = new LogReader(path);
  for (const w of log.warnings) cli.warn(w);
  return new Timeline(log, (w) => cli.warn(w), opts);
}

/**
 * A progress line over the events the timeline reads (`total`: how many the command will
 * read, or null when it searches and cannot know: no percentage or ETA then). Stop it
 * before printing.
 */
export function readProgress(cli: Cli, tl: Timeline, label: string, total: number | null): Progress {
  const p = new Progress(cli, total, label, 'events');
  let done = 0;
  tl.onRead = (n) => p.update((done += n));
  return p;
}
