// The machine in words: memory summary, one page and its pte chain walked link by link,
// one mm's vmas and page tables, one pte and its link. Both as data (for --json) and as
// text. Values out of range are errors naming the allowed range.

import { lockName } from '../include/locks.js';
import {
  PAGE_SIZE,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  SWP_OFFSET,
  pte_is_swap,
  pte_pfn,
  pte_present,
} from '../arch/i386/page.js';
import { pte_slot, pte_table_pfn, pte_vaddr, readPte } from '../arch/i386/pgtable.js';
import { OP_KINDS } from '../events.js';
import { flagNames } from '../include/page-flags.js';
import { rmapOf } from '../reducer/designs.js';
import { getPage, type VmaKind, VM_EXEC, VM_READ, VM_WRITE, type State } from '../state.js';
import { LogError } from '../log/format.js';

export class TargetError extends LogError {}

export const hex = (n: number): string => '0x' + n.toString(16);

export function pteFlags(v: number): string[] {
  if (v === 0) return ['none'];
  if (pte_is_swap(v)) return [`swap entry ${SWP_OFFSET(v)}`];
  const f: string[] = [];
  if (v & _PAGE_PRESENT) f.push('present');
  if (v & _PAGE_RW) f.push('rw');
  else f.push('ro');
  if (v & _PAGE_USER) f.push('user');
  if (v & _PAGE_ACCESSED) f.push('accessed');
  if (v & _PAGE_DIRTY) f.push('dirty');
  return f;
}

export function summary(s: State) {
  return {
    frames: s.nframes,
    free: s.nrFree,
    used: s.nframes - s.nrFree,
    clockHand: s.hand,
    timeUs: s.time,
    operation: { seq: s.op.seq, kind: OP_KINDS[s.op.kind] ?? String(s.op.kind), mm: s.op.mm },
    mms: Object.keys(s.mms).map(Number),
    pageTables: Object.keys(s.pts).length,
    swapUsed: s.swap.used,
    // --cpus N > 1 only: which CPU runs, and each CPU's locks (what a race is about)
    ...(s.smp !== undefined
      ? {
          cpus: {
            current: s.smp.cur,
            held: s.smp.held.map((h) => h.map(lockName)),
            waiting: s.smp.waiting.map((w) => (w === 0 ? null : lockName(w))),
          },
        }
      : {}),
  };
}

export function checkPage(s: State, pfn: number): void {
  if (!Number.isInteger(pfn) || pfn < 0 || pfn >= s.nframes) {
    throw new TargetError(`page ${pfn} is out of range: this machine has ${s.nframes} frames, numbered 0..${s.nframes - 1}`);
  }
}

export function checkMm(s: State, mm: number): void {
  if (s.mms[mm] === undefined) {
    const ids = Object.keys(s.mms);
    throw new TargetError(
      `mm ${mm} does not exist at this event: live mms are ${ids.length ? ids.join(', ') : '(none)'} (ids 1..${s.nextMm - 1} have been used)`,
    );
  }
}

export function checkPte(s: State, pte: number): void {
  if (!Number.isInteger(pte) || pte < 0 || pte % 4 !== 0 || s.pts[pte_table_pfn(pte)] === undefined) {
    const tables = Object.keys(s.pts)
      .slice(0, 8)
      .map((k) => `${hex(Number(k) * PAGE_SIZE)}..${hex(Number(k) * PAGE_SIZE + PAGE_SIZE - 4)}`);
    throw new TargetError(
      `pte ${Number.isInteger(pte) ? hex(pte) : String(pte)} is not a pte slot of an allocated page table at this event: pte addresses are 4-aligned inside a page table (${tables.join(', ')}${Object.keys(s.pts).length > 8 ? ', …' : ''})`,
    );
  }
}

export function pteInfo(s: State, pte: number) {
  const pt = s.pts[pte_table_pfn(pte)];
  const v = readPte(s, pte);
  return {
    pte,
    mm: pt?.mm ?? -1,
    vaddr: pt ? pte_vaddr(s, pte) : -1,
    table: pte_table_pfn(pte),
    slot: pte_slot(pte),
    value: v,
    flags: pteFlags(v),
    maps: pte_present(v) ? pte_pfn(v) : null,
    link: rmapOf(s).slotLink(s, pte),
  };
}

export function pageInfo(s: State, pfn: number) {
  checkPage(s, pfn);
  const p = getPage(s, pfn);
  const rep = rmapOf(s).entries(s, pfn);
  return {
    page: pfn,
    count: p.count,
    flags: flagNames(p.flags),
    age: p.age,
    inode: p.inode,
    offset: p.offset,
    swap: p.swap,
    mapcount: p.mapcount,
    head: rmapOf(s).head(s, pfn),
    freeBlockOrder: p.order,
    chain: rep.ptes.map((pte) => pteInfo(s, pte)),
    chainProblem: rep.problem,
    ...(rep.via !== undefined ? { chainVia: rep.via } : {}),
  };
}

const KIND = ['anon', 'private file', 'shared file'];
const prot = (p: number): string => `${p & VM_READ ? 'r' : '-'}${p & VM_WRITE ? 'w' : '-'}${p & VM_EXEC ? 'x' : '-'}`;

export function mmInfo(s: State, id: number) {
  checkMm(s, id);
  const mm = s.mms[id];
  const tables = Object.entries(mm.pgdir).map(([idx, pfn]) => {
    const pt = s.pts[pfn];
    let present = 0,
      swap = 0;
    for (const c of pt?.pte ?? [])
      for (const v of c) {
        if (pte_present(v)) present++;
        else if (v !== 0) swap++;
      }
    return { pgdIndex: Number(idx), vaddr: (Number(idx) << 22) >>> 0, table: pfn, used: pt?.used ?? 0, present, swap };
  });
  return {
    mm: id,
    pgd: mm.pgd,
    parent: mm.parent,
    rss: mm.rss,
    vmas: mm.vmas.map((v) => ({
      start: v.start,
      end: v.end,
      pages: (v.end - v.start) / PAGE_SIZE,
      kind: KIND[v.kind as VmaKind] ?? String(v.kind),
      prot: prot(v.prot),
      file: v.file,
      pgoff: v.pgoff,
    })),
    pageTables: tables,
  };
}

export function formatPte(p: ReturnType<typeof pteInfo>): string {
  return `pte ${hex(p.pte)} (mm ${p.mm}, vaddr ${hex(p.vaddr)}, table ${p.table} slot ${p.slot}) = ${hex(p.value)} [${p.flags.join(' ')}]${p.maps !== null ? ` maps page ${p.maps}` : ''}, link -> ${p.link === 0 ? 'NULL' : hex(p.link)}`;
}

export function formatSummary(x: ReturnType<typeof summary>): string {
  return [
    `memory     ${x.used} used, ${x.free} free of ${x.frames} frames (${x.free * 4} KiB free)`,
    `clock hand page ${x.clockHand}`,
    `time       ${x.timeUs} µs simulated`,
    `operation  #${x.operation.seq} ${x.operation.kind}${x.operation.mm >= 0 ? ` (mm ${x.operation.mm})` : ''}`,
    `processes  ${x.mms.length} mm(s): ${x.mms.join(', ')}; ${x.pageTables} page table(s); ${x.swapUsed} swap slot(s) in use`,
    ...(x.cpus === undefined
      ? []
      : x.cpus.held.map(
          (h, c) =>
            `${`cpu ${c}${c === x.cpus?.current ? ' (running)' : ''}`.padEnd(16)} holds ${h.length > 0 ? h.join(', ') : 'no lock'}${x.cpus?.waiting[c] ? `; waits for ${x.cpus.waiting[c]}` : ''}`,
        )),
  ].join('\n');
}

export function formatPage(p: ReturnType<typeof pageInfo>): string {
  const lines = [
    `page ${p.page}: count ${p.count}, map count ${p.mapcount}, flags [${p.flags.join(' ')}], age ${p.age}` +
      `${p.inode ? `, file inode ${p.inode} page ${p.offset}` : ''}${p.swap ? `, swap entry ${p.swap}` : ''}${p.freeBlockOrder >= 0 ? `, heads a free order-${p.freeBlockOrder} block` : ''}`,
    `  chain head -> ${p.head === 0 ? 'NULL (empty)' : hex(p.head)}`,
  ];
  p.chain.forEach((c, i) => {
    const via = p.chainVia?.[i];
    lines.push(
      `  [${i}] ${formatPte(c)}${via !== undefined ? `  (via ${via})` : ''}${c.maps !== p.page ? `  <-- does not map page ${p.page}` : ''}`,
    );
  });
  if (p.chainProblem) lines.push(`  chain problem: ${p.chainProblem}`);
  else if (p.chain.length) lines.push(`  end of chain (${p.chain.length} pte(s))`);
  return lines.join('\n');
}

export function formatMm(m: ReturnType<typeof mmInfo>): string {
  const lines = [`mm ${m.mm}: pgd page ${m.pgd}, parent ${m.parent}, rss ${m.rss}`, '  vmas:'];
  for (const v of m.vmas)
    lines.push(
      `    ${hex(v.start)}-${hex(v.end)} ${v.prot} ${v.kind}${v.file ? ` inode ${v.file} pgoff ${v.pgoff}` : ''} (${v.pages} pages)`,
    );
  lines.push('  page tables:');
  for (const t of m.pageTables)
    lines.push(
      `    pgd[${t.pgdIndex}] ${hex(t.vaddr)}: table page ${t.table} (link page ${t.table + 1}), ${t.used} used: ${t.present} present, ${t.swap} swap`,
    );
  return lines.join('\n');
}
