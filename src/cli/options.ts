// Option parsers and the progress line that commands share, with no dependency on the
// workload or the run configuration: `mmsim trace` loads these without the scenario
// schema (zod) or the workload generator, which cost it ~0.1 s of start-up.

import { Option } from 'commander';
import type { Cli } from './context.js';
import { formatEta, ProgressLine } from '../sweep/progress.js';
import { ENGINES } from '../event-store.js';
import { UsageError } from './usage-error.js';
import { thousands } from '../lib/thousands.js';

export function parseCount(flag: string) {
  return (v: string): number => {
    if (!/^\d+[kKmM]?$/.test(v)) throw new UsageError(`${flag} '${v}' is not a count: write a whole number, e.g. 1000000, 500k or 10M`);
    const mult = /[kK]$/.test(v) ? 1000 : /[mM]$/.test(v) ? 1000000 : 1;
    const n = parseInt(v, 10) * mult;
    if (n <= 0) throw new UsageError(`${flag} must be at least 1 (got '${v}')`);
    // past 2^53 a count is no longer exact (and a run that long would never end)
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} '${v}' is too large: at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
    return n;
  };
}

export function engineOption(): Option {
  return new Option(
    '--engine <engine>',
    'immer: Immer drafts, immutable states; direct: the same reducer on a private copy (faster, same hash)',
  )
    .choices([...ENGINES])
    .default('direct');
}

/** Seconds left at a steady rate: the time so far scaled by the work left over the work done. */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number | null {
  if (done <= 0) return null;
  return (elapsedSeconds * Math.max(0, total - done)) / done;
}

/** One progress line on stderr, shown only on a terminal and only once the work has taken over a second;
 * cut to the terminal's width and cleared by stop(). The ETA assumes the rest goes at the rate so far. */
export class Progress {
  private readonly line: ProgressLine;
  private readonly started: number;
  constructor(
    private readonly cli: Cli,
    /** null: unknown (a search), so only the count so far is shown. */
    private readonly total: number | null,
    private readonly label: string,
    private readonly unit = 'events',
    /** false when `total` is only a cap (shrink's budget) or the work is a search (bisect), so time left cannot be estimated from it. */
    private readonly showEta = true,
  ) {
    this.line = new ProgressLine(cli.io.stderr, () => cli.now());
    this.started = cli.now();
  }
  get enabled(): boolean {
    return this.line.enabled;
  }
  /** detail: anything more to show after the counts (shrink's current size). */
  update(done: number, detail?: string): void {
    if (!this.line.enabled) return;
    const elapsed = (this.cli.now() - this.started) / 1000;
    if (elapsed < 1) return;
    if (this.total === null) {
      this.line.show([this.label, `${thousands(done)} ${this.unit} so far`, ...(detail === undefined ? [] : [detail])].join(' | '));
      return;
    }
    const d = Math.min(done, this.total);
    const pct = this.total > 0 ? Math.floor((d / this.total) * 100) : 100;
    const parts = [`${this.label} ${pct}%`, `${thousands(d)}/${thousands(this.total)} ${this.unit}`];
    if (this.showEta) parts.push(formatEta(etaSeconds(elapsed, d, this.total)));
    if (detail !== undefined) parts.push(detail);
    this.line.show(parts.join(' | '));
  }
  stop(): void {
    this.line.clear();
  }
}
