// What changed between two states, in words, grouped by page, pte and mm. Also the
// comparison behind the golden snapshots: the first differing fields, named.

import { PAGE_SIZE } from '../arch/i386/page.js';
import { pte_addr } from '../arch/i386/pgtable.js';
import { rmapOf } from '../reducer/designs.js';
import { flagNames } from '../include/page-flags.js';
import { getPage, type Page, type State } from '../state.js';
import { hex, pteFlags } from './describe.js';

export interface Change {
  group: 'machine' | 'page' | 'pte' | 'mm';
  /** The page number, pte address or mm id (machine: 0). */
  id: number;
  field: string;
  before: string;
  after: string;
  /** For ptes: the owning mm and the virtual address the slot maps. */
  where?: string;
}

const PAGE_FIELDS: (keyof Page)[] = ['count', 'mapcount', 'rmap', 'flags', 'age', 'inode', 'offset', 'swap', 'order', 'next', 'prev'];

function pageField(p: Page, f: keyof Page): string {
  const v = p[f] as number;
  if (f === 'flags') return `[${flagNames(v).join(' ')}]`;
  if (f === 'rmap') return v === 0 ? 'NULL' : hex(v);
  return String(v);
}

/** The frames whose struct page differs between `a` and `b` (every field diffStates compares), in order. */
export function changedPages(a: State, b: State): number[] {
  const out: number[] = [];
  for (let pfn = 0; pfn < Math.min(a.nframes, b.nframes); pfn++) {
    const p = getPage(a, pfn),
      q = getPage(b, pfn);
    if (PAGE_FIELDS.some((f) => p[f] !== q[f])) out.push(pfn);
  }
  return out;
}

const NAMES: Partial<Record<keyof Page, string>> = {
  mapcount: 'map count',
  rmap: 'chain head',
  order: 'free block order',
  next: 'buddy next',
  prev: 'buddy prev',
};

/** Every difference between `a` and `b` (`limit` caps the result; the order is machine, pages, ptes, mms). */
export function diffStates(a: State, b: State, limit = Infinity): Change[] {
  const out: Change[] = [];
  const push = (c: Change): boolean => {
    out.push(c);
    return out.length >= limit;
  };
  for (const [f, x, y] of [
    ['frames', a.nframes, b.nframes],
    ['free pages', a.nrFree, b.nrFree],
    ['clock hand', a.hand, b.hand],
    ['time (µs)', a.time, b.time],
    ['operations', a.op.seq, b.op.seq],
    ['swap slots used', a.swap.used, b.swap.used],
    ['rmap errors', a.stats.rmapErrors, b.stats.rmapErrors],
  ] as [string, number, number][]) {
    if (x !== y && push({ group: 'machine', id: 0, field: f, before: String(x), after: String(y) })) return out;
  }
  for (let pfn = 0; pfn < Math.min(a.nframes, b.nframes); pfn++) {
    const p = getPage(a, pfn),
      q = getPage(b, pfn);
    for (const f of PAGE_FIELDS) {
      if (p[f] !== q[f] && push({ group: 'page', id: pfn, field: NAMES[f] ?? f, before: pageField(p, f), after: pageField(q, f) }))
        return out;
    }
  }
  const tables = [...new Set([...Object.keys(a.pts), ...Object.keys(b.pts)].map(Number))].sort((x, y) => x - y);
  for (const t of tables) {
    const pa = a.pts[t],
      pb = b.pts[t];
    if (pa === undefined || pb === undefined || pa.mm !== pb.mm) {
      const d = (pt: typeof pa) => (pt === undefined ? 'none' : `table of mm ${pt.mm} for ${hex((pt.index << 22) >>> 0)}`);
      if (push({ group: 'pte', id: t * PAGE_SIZE, field: `page table at page ${t}`, before: d(pa), after: d(pb) })) return out;
    }
    for (let slot = 0; slot < 1024; slot++) {
      const va = pa?.pte[slot >> 6][slot & 63] ?? 0,
        vb = pb?.pte[slot >> 6][slot & 63] ?? 0;
      const la = pa === undefined ? 0 : rmapOf(a).slotLink(a, pte_addr(t, slot)),
        lb = pb === undefined ? 0 : rmapOf(b).slotLink(b, pte_addr(t, slot));
      if (va === vb && la === lb) continue;
      const pte = pte_addr(t, slot);
      const pt = (pb ?? pa)!;
      const where = `mm ${pt.mm}, vaddr ${hex(((pt.index << 22) | (slot << 12)) >>> 0)}`;
      if (
        va !== vb &&
        push({
          group: 'pte',
          id: pte,
          field: 'value',
          before: `${hex(va)} [${pteFlags(va).join(' ')}]`,
          after: `${hex(vb)} [${pteFlags(vb).join(' ')}]`,
          where,
        })
      )
        return out;
      if (la !== lb && push({ group: 'pte', id: pte, field: 'link', before: la ? hex(la) : 'NULL', after: lb ? hex(lb) : 'NULL', where }))
        return out;
    }
  }
  const mms = [...new Set([...Object.keys(a.mms), ...Object.keys(b.mms)].map(Number))].sort((x, y) => x - y);
  for (const id of mms) {
    const ma = a.mms[id],
      mb = b.mms[id];
    if (ma === undefined || mb === undefined) {
      if (push({ group: 'mm', id, field: 'exists', before: ma ? 'yes' : 'no', after: mb ? 'yes' : 'no' })) return out;
      continue;
    }
    const vs = (m: typeof ma) => m.vmas.map((v) => `${hex(v.start)}-${hex(v.end)}`).join(' ');
    if (vs(ma) !== vs(mb) && push({ group: 'mm', id, field: 'vmas', before: vs(ma), after: vs(mb) })) return out;
    if (ma.rss !== mb.rss && push({ group: 'mm', id, field: 'rss', before: String(ma.rss), after: String(mb.rss) })) return out;
    const pg = (m: typeof ma) =>
      Object.entries(m.pgdir)
        .map(([k, v]) => `${k}:${v}`)
        .join(' ');
    if (pg(ma) !== pg(mb) && push({ group: 'mm', id, field: 'page tables (pgd index:page)', before: pg(ma), after: pg(mb) })) return out;
  }
  return out;
}

export function formatChange(c: Change): string {
  const who =
    c.group === 'machine' ? 'machine' : c.group === 'pte' ? `pte ${hex(c.id)}${c.where ? ` (${c.where})` : ''}` : `${c.group} ${c.id}`;
  return `${who}: ${c.field} ${c.before} -> ${c.after}`;
}

/** Changes as text, one heading per page/pte/mm. */
export function formatChanges(cs: Change[]): string {
  const lines: string[] = [];
  let last = '';
  for (const c of cs) {
    const head =
      c.group === 'machine' ? 'machine' : c.group === 'pte' ? `pte ${hex(c.id)}${c.where ? ` (${c.where})` : ''}` : `${c.group} ${c.id}`;
    if (head !== last) {
      lines.push(`${head}:`);
      last = head;
    }
    lines.push(`  ${c.field}: ${c.before} -> ${c.after}`);
  }
  return lines.join('\n');
}
