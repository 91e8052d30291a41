// Output formats for a comparison: a text table (metrics down, designs across), JSON, CSV.

import type { ComparisonResult } from './index.js';
import type { DesignResult } from './run.js';
import { thousands } from '../lib/thousands.js';

type Row = [string, (r: DesignResult) => string];

const int = thousands;
const fix = (n: number | null, d = 2): string => (n === null ? '-' : n.toFixed(d));
const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;
const sec = (us: number): string => `${(us / 1e6).toFixed(2)} s`;

const ROWS: Row[] = [
  ['workload steps', (r) => int(r.steps) + (r.truncated ? ' (event cap)' : '')],
  ['events', (r) => int(r.events)],
  ['major faults', (r) => int(r.majorFaults)],
  ['minor faults', (r) => int(r.minorFaults)],
  ['pages scanned', (r) => int(r.pagesScanned)],
  ['ptes visited', (r) => int(r.ptesVisited)],
  ['pte slots walked (old)', (r) => int(r.pteSlots)],
  ['pages freed', (r) => int(r.pagesFreed)],
  ['ptes visited / page freed', (r) => fix(r.ptesPerFreed)],
  ['VMAs visited (objrmap, anon_vma)', (r) => int(r.vmasVisited)],
  ['VMAs visited / page freed', (r) => fix(r.vmasPerFreed)],
  ['kswapd CPU (simulated)', (r) => ms(r.kswapdUs)],
  ['kswapd runs', (r) => int(r.kswapdRuns)],
  ['pages scanned by direct reclaim', (r) => int(r.directScanned)],
  ['swap reads', (r) => int(r.swapReads)],
  ['swap writes', (r) => int(r.swapWrites)],
  ['file reads', (r) => int(r.fileReads)],
  ['rmap overhead, peak', (r) => kib(r.rmapPeakBytes)],
  ['rmap overhead, final', (r) => kib(r.rmapFinalBytes)],
  ['completion time (simulated)', (r) => sec(r.completionUs)],
  ['reclaim passes', (r) => int(r.reclaimPasses)],
  ['processes killed (no memory)', (r) => int(r.ooms)],
  ['forks refused', (r) => int(r.forksRefused)],
  ['allocation failures by order', (r) => r.allocFailures.join('/')],
  ['blocks stolen', (r) => int(r.stealOk)],
  ['rmap errors', (r) => int(r.rmapErrors)],
];

/** Shown only when the comparison ran with --cpus, so the 1-CPU table is as it was. */
const SMP_ROWS: Row[] = [
  ['CPUs / locking', (r) => `${r.cpus ?? 1}${r.locking ? ` ${r.locking}` : ''}`],
  ['faults per simulated second', (r) => fix(r.faultsPerSecond ?? null, 1)],
  ['pages freed per simulated second', (r) => fix(r.pagesFreedPerSecond ?? null, 1)],
  ['lock wait, all locks (simulated)', (r) => ms(r.lockWaitUs ?? 0)],
  ['lock hold, all locks (simulated)', (r) => ms(r.lockHoldUs ?? 0)],
];

function grid(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function formatTable(c: ComparisonResult): string {
  const head = `compare: scenario ${c.scenario}, seed ${c.seed}, ${int(c.steps)} workload steps per design${c.mem ? `, memory ${c.mem}` : ''}`;
  const main = grid(
    ['', ...c.results.map((r) => r.design)],
    [...(c.results.some((r) => r.cpus !== undefined) ? SMP_ROWS : []), ...ROWS].map(([name, f]) => [name, ...c.results.map(f)]),
  );
  return `${head}\n\n${main}\n\n${formatHistogram(c)}\n`;
}

/** Per mappings-per-page: touches per page per reclaim pass, and ptes visited per page freed. */
export function formatHistogram(c: ComparisonResult): string {
  const maps = [...new Set(c.results.flatMap((r) => r.histogram.map((b) => b.mappings)))].sort((a, b) => a - b);
  const cell = (r: DesignResult, m: number, f: (b: DesignResult['histogram'][number]) => string): string => {
    const b = r.histogram.find((x) => x.mappings === m);
    return b === undefined ? '-' : f(b);
  };
  const touches = grid(
    ['mappings', ...c.results.map((r) => r.design)],
    maps.map((m) => [
      String(m),
      ...c.results.map((r) => cell(r, m, (b) => (b.pagePasses ? `${b.touchesPerPass.toFixed(2)} (${b.pagePasses})` : '-'))),
    ]),
  );
  const perFreed = grid(
    ['mappings', ...c.results.map((r) => r.design)],
    maps.map((m) => [String(m), ...c.results.map((r) => cell(r, m, (b) => `${fix(b.ptesPerFreed)} (${b.ptesVisited}/${b.pagesFreed})`))]),
  );
  return (
    'times a page was looked at per reclaim pass, by mappings of the page (page-passes in brackets):\n' +
    touches +
    '\n\nptes visited per page freed, by mappings of the page (ptes visited / pages freed):\n' +
    perFreed
  );
}

export function formatJson(c: ComparisonResult, withSamples = false): string {
  const out = withSamples ? c : { ...c, results: c.results.map(({ samples: _s, ...r }) => r) };
  return JSON.stringify(out, null, 2) + '\n';
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const CSV_FIELDS: (keyof DesignResult)[] = [
  'design',
  'reclaim',
  'rmap',
  'steps',
  'events',
  'truncated',
  'majorFaults',
  'minorFaults',
  'pagesScanned',
  'ptesVisited',
  'pteSlots',
  'pagesFreed',
  'ptesPerFreed',
  'kswapdUs',
  'kswapdRuns',
  'directScanned',
  'swapReads',
  'swapWrites',
  'fileReads',
  'rmapPeakBytes',
  'rmapFinalBytes',
  'completionUs',
  'reclaimPasses',
  'ooms',
  'forksRefused',
  'stealOk',
  'rmapErrors',
  'vmasVisited',
  'vmasPerFreed',
];

/** CSV columns of a comparison run with --cpus (appended, so a 1-CPU CSV keeps its columns). */
const SMP_CSV_FIELDS: (keyof DesignResult)[] = ['cpus', 'locking', 'faultsPerSecond', 'pagesFreedPerSecond', 'lockWaitUs', 'lockHoldUs'];

/** One row per design (`histogram: true`: one row per design and mappings-per-page). */
export function formatCsv(c: ComparisonResult, opts: { histogram?: boolean } = {}): string {
  const lines: string[] = [];
  if (opts.histogram) {
    lines.push('scenario,seed,design,mappings,pagePasses,touches,touchesPerPass,ptesVisited,pagesFreed,ptesPerFreed');
    for (const r of c.results)
      for (const b of r.histogram) {
        lines.push(
          [c.scenario, c.seed, r.design, b.mappings, b.pagePasses, b.touches, b.touchesPerPass, b.ptesVisited, b.pagesFreed, b.ptesPerFreed]
            .map(csvCell)
            .join(','),
        );
      }
  } else {
    const fields = c.results.some((r) => r.cpus !== undefined) ? [...CSV_FIELDS, ...SMP_CSV_FIELDS] : CSV_FIELDS;
    lines.push(['scenario', 'seed', ...fields].join(','));
    for (const r of c.results) lines.push([c.scenario, c.seed, ...fields.map((f) => r[f])].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
