// `mmsim sweep report`: per scenario x memory (x steps) x design, each metric's mean over
// seeds with a 95% Student-t interval, and per design against a baseline the mean of the
// per-seed differences with its interval (paired on seed: the same workload under both
// designs, so the noise of the workload cancels). Ordered by name, never by file order.

import type { RunReport, SweepLine } from './job.js';
import { memLabel } from './job.js';
import { meanInterval, type Interval } from './stats.js';
import { thousands } from '../lib/thousands.js';

export interface Metric {
  key: string;
  label: string;
  get: (r: RunReport) => number | null;
  /** Measured only on an SMP machine (`compare --seeds --cpus`): shown only where a run has it. */
  smp?: true;
}

export const METRICS: Metric[] = [
  { key: 'majorFaults', label: 'major faults', get: (r) => r.majorFaults },
  { key: 'minorFaults', label: 'minor faults', get: (r) => r.minorFaults },
  { key: 'pagesScanned', label: 'pages scanned', get: (r) => r.pagesScanned },
  { key: 'ptesVisited', label: 'ptes visited', get: (r) => r.ptesVisited },
  { key: 'pagesFreed', label: 'pages freed', get: (r) => r.pagesFreed },
  { key: 'ptesPerFreed', label: 'ptes visited / page freed', get: (r) => r.ptesPerFreed },
  { key: 'kswapdMs', label: 'kswapd CPU, ms (simulated)', get: (r) => r.kswapdUs / 1000 },
  { key: 'swapReads', label: 'swap reads', get: (r) => r.swapReads },
  { key: 'swapWrites', label: 'swap writes', get: (r) => r.swapWrites },
  { key: 'fileReads', label: 'file reads', get: (r) => r.fileReads },
  { key: 'rmapPeakKiB', label: 'rmap overhead peak, KiB', get: (r) => r.rmapPeakBytes / 1024 },
  { key: 'completionS', label: 'completion time, s (simulated)', get: (r) => r.completionUs / 1e6 },
  { key: 'ooms', label: 'processes killed (no memory)', get: (r) => r.ooms },
  // absent from results written before issue 9's allocator: no value rather than a false 0
  { key: 'forksRefused', label: 'forks refused', get: (r) => r.forksRefused ?? null },
  { key: 'allocFailures', label: 'allocation failures', get: (r) => (r.allocFailures === undefined ? null : sum(r.allocFailures)) },
  { key: 'allocFailures1', label: 'order-1 allocation failures', get: (r) => r.allocFailures?.[1] ?? null },
  { key: 'stealOk', label: 'blocks stolen (steal_specific_page)', get: (r) => r.stealOk ?? null },
  // compare --cpus's rows (src/compare/run.ts smpMetrics); a run without --cpus has none
  { key: 'faultsPerSecond', label: 'faults per simulated second', get: (r) => r.faultsPerSecond ?? null, smp: true },
  { key: 'pagesFreedPerSecond', label: 'pages freed per simulated second', get: (r) => r.pagesFreedPerSecond ?? null, smp: true },
  {
    key: 'lockWaitMs',
    label: 'lock wait, all locks, ms (simulated)',
    get: (r) => (r.lockWaitUs === undefined ? null : r.lockWaitUs / 1000),
    smp: true,
  },
  {
    key: 'lockHoldMs',
    label: 'lock hold, all locks, ms (simulated)',
    get: (r) => (r.lockHoldUs === undefined ? null : r.lockHoldUs / 1000),
    smp: true,
  },
];

/** The metrics a section shows: every one, but the SMP ones only when one of its runs was on the SMP machine. */
export function metricsOf(s: Pick<Section, 'designs'>): Metric[] {
  const smp = s.designs.some((d) => METRICS.some((m) => m.smp === true && d.metrics[m.key].n > 0));
  return smp ? METRICS : METRICS.filter((m) => m.smp !== true);
}

function sum(a: readonly number[]): number {
  return a.reduce((x, y) => x + y, 0);
}

export interface DesignSummary {
  design: string;
  seeds: number;
  metrics: Record<string, Interval>;
}

export interface PairedDifference {
  design: string;
  baseline: string;
  /** Seeds run under both. */
  pairs: number;
  /** design minus baseline. */
  metrics: Record<string, Interval>;
}

export interface Section {
  scenario: string;
  memPages: number;
  mem: string;
  steps: number;
  designs: DesignSummary[];
  differences: PairedDifference[];
}

export interface SweepReport {
  runs: number;
  sections: Section[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function intervals(lines: SweepLine[], value: (l: SweepLine, m: Metric) => number | null): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const m of METRICS) {
    const xs = lines.map((l) => value(l, m)).filter((v): v is number => v !== null && Number.isFinite(v));
    out[m.key] = meanInterval(xs);
  }
  return out;
}

/** The default baseline: the seed's design when present, else the first by name. */
export function defaultBaseline(designs: string[]): string {
  return designs.includes('clock/pte-chain') ? 'clock/pte-chain' : [...designs].sort(byName)[0];
}

export function aggregate(lines: SweepLine[], baseline?: string): SweepReport {
  const sections = new Map<string, SweepLine[]>();
  for (const l of lines) {
    const k = JSON.stringify([l.scenario, l.memPages, l.steps]);
    const list = sections.get(k);
    if (list === undefined) sections.set(k, [l]);
    else list.push(l);
  }
  const out: Section[] = [];
  for (const [k, ls] of sections) {
    const [scenario, memPages, steps] = JSON.parse(k) as [string, number, number];
    const names = [...new Set(ls.map((l) => l.design))].sort(byName);
    const designs = names.map((design) => {
      const mine = ls.filter((l) => l.design === design);
      return { design, seeds: mine.length, metrics: intervals(mine, (l, m) => m.get(l.report)) };
    });
    const base = baseline !== undefined && names.includes(baseline) ? baseline : defaultBaseline(names);
    const baseBySeed = new Map(ls.filter((l) => l.design === base).map((l) => [l.seed, l]));
    const differences = names
      .filter((d) => d !== base)
      .map((design) => {
        const pairs = ls.filter((l) => l.design === design && baseBySeed.has(l.seed));
        return {
          design,
          baseline: base,
          pairs: pairs.length,
          metrics: intervals(pairs, (l, m) => {
            const a = m.get(l.report),
              b = m.get(baseBySeed.get(l.seed)!.report);
            return a === null || b === null ? null : a - b;
          }),
        };
      });
    out.push({ scenario, memPages, mem: memLabel(memPages), steps, designs, differences });
  }
  out.sort((a, b) => byName(a.scenario, b.scenario) || a.memPages - b.memPages || a.steps - b.steps);
  return { runs: lines.length, sections: out };
}

/** Digits after the point: enough to show the interval's first two significant digits. */
function decimals(i: Interval): number {
  const scale = i.half !== null && i.half > 0 ? i.half : Math.abs(i.mean);
  if (!(scale > 0)) return 0;
  return Math.max(0, Math.min(4, 1 - Math.floor(Math.log10(scale))));
}

const num = (v: number, d: number, sign = false): string =>
  `${sign && v > 0 ? '+' : ''}${v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}`;

/** "2,725 ± 31", "+523 ± 40 *" (the star: the interval excludes zero). */
export function formatInterval(i: Interval, diff = false): string {
  if (i.n === 0) return '-';
  const d = decimals(i);
  if (i.half === null) return `${num(i.mean, d, diff)} (n=1)`;
  const star = diff && i.lo !== null && i.hi !== null && (i.lo > 0 || i.hi < 0) ? ' *' : diff ? '  ' : '';
  return `${num(i.mean, d, diff)} ± ${num(i.half, d)}${star}`;
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]): string => c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(r: SweepReport, title = 'sweep report'): string {
  const parts: string[] = [`${title}: ${r.runs} runs; mean ± half-width of the 95% confidence interval over seeds (Student t)`];
  for (const s of r.sections) {
    const seeds = [...new Set(s.designs.map((d) => d.seeds))].join('/');
    parts.push(`\n${s.scenario}, ${s.mem}, ${thousands(s.steps)} steps (${seeds} seeds per design)`);
    parts.push(
      table(
        ['', ...s.designs.map((d) => d.design)],
        metricsOf(s).map((m) => [m.label, ...s.designs.map((d) => formatInterval(d.metrics[m.key]))]),
      ),
    );
    if (s.differences.length > 0) {
      parts.push(`\npaired differences (same seeds), design minus ${s.differences[0].baseline}; * the interval excludes 0`);
      parts.push(
        table(
          ['', ...s.differences.map((d) => `${d.design} (${d.pairs} pairs)`)],
          metricsOf(s).map((m) => [m.label, ...s.differences.map((d) => formatInterval(d.metrics[m.key], true))]),
        ),
      );
    }
  }
  return `${parts.join('\n')}\n`;
}

const csvCell = (v: string | number | null): string =>
  v === null ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** One row per (section, design or difference, metric). */
export function formatReportCsv(r: SweepReport): string {
  const rows: (string | number | null)[][] = [
    ['kind', 'scenario', 'mem', 'mem_pages', 'steps', 'design', 'baseline', 'metric', 'n', 'mean', 'ci95_lo', 'ci95_hi'],
  ];
  for (const s of r.sections) {
    const pre = [s.scenario, s.mem, s.memPages, s.steps];
    for (const d of s.designs)
      for (const m of metricsOf(s)) {
        const i = d.metrics[m.key];
        rows.push(['mean', ...pre, d.design, '', m.key, i.n, i.n ? i.mean : null, i.lo, i.hi]);
      }
    for (const d of s.differences)
      for (const m of metricsOf(s)) {
        const i = d.metrics[m.key];
        rows.push(['paired_difference', ...pre, d.design, d.baseline, m.key, i.n, i.n ? i.mean : null, i.lo, i.hi]);
      }
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
