// The sweep's progress: one line on a terminal, rewritten in place and cut to its width
// (runs done/total, failures, ETA), and cleared when the sweep ends.

export interface ProgressState {
  done: number;
  total: number;
  failed: number;
  /** Runs skipped because results.jsonl already had them. */
  skipped: number;
  /** Seconds left, or null before there is anything to estimate from. */
  etaSeconds: number | null;
  /** Where the runs go: "2 threads" or "queue redis://…". */
  where: string;
}

export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return 'ETA --';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600),
    m = Math.floor((t % 3600) / 60),
    sec = t % 60;
  return `ETA ${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(sec).padStart(2, '0')}`;
}

/** The progress text cut to `width` columns (the most useful part first). */
export function progressLine(p: ProgressState, width: number): string {
  const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
  const parts = [
    `sweep ${p.done}/${p.total} runs (${pct}%)`,
    `${p.failed} failed`,
    formatEta(p.etaSeconds),
    p.skipped > 0 ? `${p.skipped} already done` : '',
    p.where,
  ].filter((s) => s !== '');
  let line = parts[0];
  for (const part of parts.slice(1)) {
    if (line.length + 2 + part.length > width - 1) break;
    line += `  ${part}`;
  }
  return line.slice(0, Math.max(0, width - 1));
}

/** Estimates time left from the cost done so far (runs differ in cost: the old kswapd is ~9x slower a step). */
export class Eta {
  private readonly start = performance.now();
  constructor(private readonly totalCost: number) {}
  /** doneCost: the cost of the runs finished plus the finished fraction of those running. */
  seconds(doneCost: number): number | null {
    if (doneCost <= 0) return null;
    const elapsed = (performance.now() - this.start) / 1000;
    return (elapsed * Math.max(0, this.totalCost - doneCost)) / doneCost;
  }
}

/** Writes the line to a terminal stream at most ten times a second; does nothing on a pipe or file. */
export class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(
    private readonly stream: { write(s: string): unknown; isTTY?: boolean; columns?: number } = process.stderr,
    /** Milliseconds, for the throttle (tests pass a fake clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }
  update(p: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = this.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    this.write(progressLine(p, this.columns));
  }
  /** Any other command's one-line progress text, cut to the terminal's width (throttled like update). */
  show(text: string, force = false): void {
    if (!this.enabled) return;
    const now = this.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    this.write(text.slice(0, Math.max(0, this.columns - 1)));
  }
  private get columns(): number {
    return this.stream.columns ?? 80;
  }
  private write(line: string): void {
    this.stream.write(`\r\x1b[K${line}`);
    this.shown = true;
  }
  /** Clear the line (before printing anything else, and at the end). */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
