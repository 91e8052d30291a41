// The run report: what a reclaim researcher asks of a run first. Computed from the state
// alone, so a replay prints exactly what the recording printed.

import { FAULT_KINDS } from './events.js';
import { rmapOf } from './reducer/designs.js';
import { NR_MEM_LISTS, type LockStats, type SmpState, type State } from './state.js';
import { LOCK_KINDS } from './include/locks.js';
import { elapsedUs } from './reducer/smp.js';
import { thousands } from './lib/thousands.js';

export interface Report {
  scenario: string;
  seed: string;
  reclaim: string;
  rmap: string;
  events: number;
  operations: number;
  faults: Record<string, number> & { total: number; major: number; minor: number };
  pagesScanned: number;
  directScanned: number;
  ptesVisited: number;
  pagesFreed: number;
  ptesVisitedPerPageFreed: number | null;
  swapReads: number;
  swapWrites: number;
  fileReads: number;
  fileWrites: number;
  /** Pages filemap_nopage read ahead (one after each read from disk or NFS). */
  readAheads: number;
  /** Time processes slept on I/O: their reads (behind queued writes) and direct reclaim's writes. */
  ioWaitUs: number;
  /** nr_async_pages at the end: kswapd's swap writes still in flight. */
  asyncPages: number;
  kswapdRuns: number;
  kswapdCpuUs: number;
  simulatedUs: number;
  forks: number;
  execs: number;
  exits: number;
  /** Processes killed for want of memory (the fault path's oom() or SIGBUS, or an execve that found none). */
  oomKills: number;
  /** do_fork calls refused with -ENOMEM (no task struct, pgd or page table to be had). */
  forksRefused: number;
  /** __get_free_pages failures, by order (index = order), and their total. */
  allocFailures: { byOrder: number[]; total: number };
  processes: number;
  frames: number;
  freePages: number;
  freeKiB: number;
  swapUsedSlots: number;
  rmapOverheadBytes: number;
  /** Only with --steal: high-order blocks emptied by steal_specific_page, failed attempts, pages flipped. */
  steal?: { ok: number; failed: number; flipped: number };
  /** Only with --cpus N > 1 (docs/architecture.md, SMP). */
  smp?: SmpReport;
}

export interface SmpReport {
  cpus: number;
  locking: string;
  sched: string;
  /** Scheduler steps that changed the CPU. */
  switches: number;
  /** Faults per simulated second (the latest CPU's clock). */
  faultsPerSecond: number;
  /** Pages freed by reclaim per simulated second: kswapd's progress (and direct reclaim's). */
  pagesFreedPerSecond: number;
  /** Per lock kind that was taken: acquisitions, queued acquisitions, total wait and hold time. */
  locks: Record<string, LockStats>;
  /** Locking rules broken (src/check/smp-rules.ts lists the first ones). */
  violations: number;
}

const MAJOR = new Set(['file_major', 'swapin']);

function allocFailures(byOrder: readonly number[] | undefined): Report['allocFailures'] {
  const a = byOrder === undefined ? new Array<number>(NR_MEM_LISTS).fill(0) : [...byOrder];
  return { byOrder: a, total: a.reduce((x, y) => x + y, 0) };
}

export function makeReport(s: State, meta: { scenario: string; seed: string; reclaim: string; steal?: boolean }): Report {
  const st = s.stats;
  const faults: Record<string, number> = {};
  let total = 0,
    major = 0;
  FAULT_KINDS.forEach((k, i) => {
    const f = st.faults[i] ?? 0;
    faults[k] = f;
    total += f;
    if (MAJOR.has(k)) major += f;
  });
  return {
    scenario: meta.scenario,
    seed: meta.seed,
    reclaim: meta.reclaim,
    rmap: s.rmap,
    events: st.events,
    operations: st.ops,
    faults: { ...faults, total, major, minor: total - major },
    pagesScanned: st.scanned,
    directScanned: st.directScanned,
    ptesVisited: st.ptesVisited,
    pagesFreed: st.reclaimed,
    ptesVisitedPerPageFreed: st.reclaimed > 0 ? Math.round((st.ptesVisited / st.reclaimed) * 1000) / 1000 : null,
    swapReads: st.swapReads,
    swapWrites: st.swapWrites,
    fileReads: st.fileReads,
    fileWrites: st.fileWrites,
    readAheads: st.readAheads,
    ioWaitUs: st.ioWaitUs,
    asyncPages: s.io.nrAsync,
    kswapdRuns: st.kswapdRuns,
    kswapdCpuUs: st.kswapdUs,
    simulatedUs: elapsedUs(s),
    forks: st.forks,
    execs: st.execs,
    exits: st.exits,
    oomKills: st.ooms,
    forksRefused: st.forksRefused ?? 0,
    allocFailures: allocFailures(st.allocFailures),
    processes: Object.keys(s.mms).length,
    frames: s.nframes,
    freePages: s.nrFree,
    freeKiB: s.nrFree * 4,
    swapUsedSlots: s.swap.used,
    rmapOverheadBytes: rmapOf(s).overhead(s).bytes,
    ...(meta.steal === true || st.steal !== undefined ? { steal: { ok: 0, failed: 0, flipped: 0, ...st.steal } } : {}),
    ...(s.smp !== undefined ? { smp: smpReport(s, s.smp) } : {}),
  };
}

const perSecond = (count: number, us: number): number => (us > 0 ? Math.round((count * 1e7) / us) / 10 : 0);

function smpReport(s: State, smp: SmpState): SmpReport {
  const faults = s.stats.faults.reduce((a, b) => a + b, 0);
  const locks: Record<string, LockStats> = {};
  LOCK_KINDS.forEach((k, i) => {
    if (smp.lockStats[i].acquires > 0) locks[k] = { ...smp.lockStats[i] };
  });
  return {
    cpus: smp.ncpus,
    locking: smp.locking,
    sched: smp.sched,
    switches: smp.switches,
    faultsPerSecond: perSecond(faults, elapsedUs(s)),
    pagesFreedPerSecond: perSecond(s.stats.reclaimed, elapsedUs(s)),
    locks,
    violations: smp.nviolations,
  };
}

function formatSmp(r: SmpReport): string[] {
  const locks = Object.entries(r.locks).map(
    ([k, l]) => `${k} ${n(l.acquires)} taken (${n(l.contended)} queued), wait ${ms(l.waitUs)}, hold ${ms(l.holdUs)}`,
  );
  return [
    `  cpus                ${r.cpus} (locking ${r.locking}, sched ${r.sched}), ${n(r.switches)} CPU switches`,
    `  throughput          ${r.faultsPerSecond} faults/s, ${r.pagesFreedPerSecond} pages freed/s`,
    ...locks.map((l, i) => `  ${i === 0 ? 'locks' : '     '}               ${l}`),
    `  locking rules       ${r.violations === 0 ? 'none broken' : `${n(r.violations)} broken (mmsim check names them)`}`,
  ];
}

const n = thousands;
const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;

/** "order 0: 3, order 1: 12", the orders that failed at least once. */
const byOrder = (a: number[]): string =>
  a
    .map((c, o) => [o, c])
    .filter(([, c]) => c > 0)
    .map(([o, c]) => `order ${o}: ${n(c)}`)
    .join(', ');

export function formatReport(r: Report): string {
  // swapcache faults happen only under --swap-cache 2.1.88: other runs' line leaves the kind out
  const faultKinds = FAULT_KINDS.filter((k) => k !== 'swapcache' || r.faults[k] > 0)
    .map((k) => `${k} ${n(r.faults[k])}`)
    .join(', ');
  return [
    `mmsim report: scenario ${r.scenario}, seed ${r.seed}, reclaim ${r.reclaim}, rmap ${r.rmap}`,
    `  events              ${n(r.events)} in ${n(r.operations)} kernel operations`,
    `  faults              ${n(r.faults.total)} (major ${n(r.faults.major)}, minor ${n(r.faults.minor)})`,
    `    by kind           ${faultKinds}`,
    `  pages scanned       ${n(r.pagesScanned)} (${n(r.directScanned)} by direct reclaim)`,
    `  ptes visited        ${n(r.ptesVisited)}`,
    `  pages freed         ${n(r.pagesFreed)} by reclaim (${r.ptesVisitedPerPageFreed ?? '-'} ptes visited per page freed)`,
    `  swap I/O            ${n(r.swapReads)} reads, ${n(r.swapWrites)} writes (${n(r.swapUsedSlots)} slots in use)`,
    `  file I/O            ${n(r.fileReads)} reads (+ ${n(r.readAheads)} read ahead), ${n(r.fileWrites)} write-backs`,
    `  I/O wait            ${(r.ioWaitUs / 1e6).toFixed(3)} s (${n(r.asyncPages)} pages under async write-out at the end)`,
    `  kswapd              ${n(r.kswapdRuns)} runs, ${ms(r.kswapdCpuUs)} simulated CPU`,
    `  processes           ${n(r.processes)} alive; ${n(r.forks)} forks (${n(r.forksRefused)} refused), ${n(r.execs)} execs, ${n(r.exits)} exits, ${n(r.oomKills)} killed for want of memory`,
    `  allocation failures ${n(r.allocFailures.total)}${r.allocFailures.total > 0 ? ` (${byOrder(r.allocFailures.byOrder)})` : ''}`,
    `  simulated time      ${(r.simulatedUs / 1e6).toFixed(3)} s`,
    `  free memory         ${n(r.freePages)} of ${n(r.frames)} pages (${n(r.freeKiB)} KiB)`,
    `  rmap overhead       ${n(r.rmapOverheadBytes)} bytes`,
    ...(r.steal !== undefined
      ? [
          `  steal               ${n(r.steal.ok)} high-order blocks emptied, ${n(r.steal.failed)} attempts failed, ${n(r.steal.flipped)} pages flipped`,
        ]
      : []),
    ...(r.smp !== undefined ? formatSmp(r.smp) : []),
  ].join('\n');
}
