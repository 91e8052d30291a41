// Does a decoded snapshot state have the shape of a real machine? The template is the
// log's initial state (a booted machine of the same size and designs), so the fixed-size
// parts (mem_map, the free areas, the buddy bitmaps, the swap map, the stats, the designs'
// slices) are checked against it field by field without listing them here; page tables
// and mms, which come and go, are checked by hand. Links between pages are range-checked
// so that walking them cannot leave mem_map.
import { NR_MEM_LISTS, type State } from '../state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNumArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'number');

function shape(v: unknown, t: unknown, path: string): string | null {
  if (t === undefined) return null;
  if (typeof t === 'number') return typeof v === 'number' && Number.isFinite(v) ? null : `${path} is not a number`;
  if (typeof t === 'string' || typeof t === 'boolean') return typeof v === typeof t ? null : `${path} is not a ${typeof t}`;
  if (Array.isArray(t)) {
    if (!Array.isArray(v)) return `${path} is not an array`;
    if (t.length === 0) {
      // a list that grows (a page-hash bucket, the rmap arena's words): numbers, or chunks of numbers
      return v.every((x) => typeof x === 'number' || isNumArray(x)) ? null : `${path} holds something other than numbers`;
    }
    if (v.length !== t.length) return `${path} has ${v.length} entries, expected ${t.length}`;
    for (let i = 0; i < t.length; i++) {
      const d = shape(v[i], t[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (!isObj(v)) return `${path} is not an object`;
  for (const k of Object.keys(t as Obj)) {
    const d = shape(v[k], (t as Obj)[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

const TABLE = Array.from({ length: 16 }, () => new Array<number>(64).fill(0));
const PT_TEMPLATE = { pfn: 0, mm: 0, index: 0, used: 0, pte: TABLE };
const MM_TEMPLATE = { id: 0, pgd: 0, parent: 0, rss: 0 };
const VMA_TEMPLATE = { start: 0, end: 0, kind: 0, prot: 0, file: 0, pgoff: 0 };

/** The first way `s` differs in shape from `template` (a booted machine of the same size), or null. */
const VIOLATION_TEMPLATE = { rule: '', event: 0, cpu: 0, other: 0, lock: 0, subject: 0 };

export function stateShapeProblem(s: Obj, template: State): string | null {
  // SMP: the recorded violations are objects (checked below), the one list in the state that is not of numbers
  const t = template.smp === undefined ? template : { ...template, smp: { ...template.smp, violations: undefined } };
  const d = shape(s, t, 'state');
  if (d !== null) return d;
  if (template.smp !== undefined) {
    const v = (s.smp as Obj).violations;
    if (!Array.isArray(v)) return 'state.smp.violations is not a list';
    for (const x of v) {
      const e = shape(x, VIOLATION_TEMPLATE, 'state.smp.violations[]');
      if (e !== null) return e;
    }
  }
  const st = s as unknown as State;
  const n = template.nframes;
  if (st.nframes !== n) return `state has ${st.nframes} frames, expected ${n}`;
  const link = (v: number): boolean => isInt(v) && v >= -1 && v < n;
  for (let pfn = 0; pfn < n; pfn++) {
    const p = st.memMap[pfn >> 6][pfn & 63];
    if (!link(p.next) || !link(p.prev)) return `page ${pfn}'s free-list links (${p.next}, ${p.prev}) are outside mem_map`;
    if (!isInt(p.order) || p.order < -1 || p.order >= NR_MEM_LISTS) return `page ${pfn}'s order ${p.order} is not -1..${NR_MEM_LISTS - 1}`;
  }
  for (const [o, a] of st.freeArea.entries()) if (!link(a.head)) return `free area ${o}'s head ${a.head} is outside mem_map`;
  if (!isInt(st.hand) || st.hand < 0 || st.hand >= n) return `clock hand ${st.hand} is outside mem_map`;
  for (const [k, pt] of Object.entries(st.pts as Obj)) {
    const pfn = Number(k);
    if (!isInt(pfn) || pfn < 0 || pfn >= n) return `page table at ${k} is outside mem_map`;
    const e = shape(pt, PT_TEMPLATE, `page table ${k}`);
    if (e !== null) return e;
  }
  for (const [k, mm] of Object.entries(st.mms as Obj)) {
    const e = shape(mm, MM_TEMPLATE, `mm ${k}`);
    if (e !== null) return e;
    const m = mm as Obj;
    if (!isObj(m.pgdir) || !Object.values(m.pgdir).every((v) => isInt(v) && v >= 0 && v < n))
      return `mm ${k}'s page directory is malformed`;
    if (!Array.isArray(m.vmas)) return `mm ${k}'s vmas are not a list`;
    for (const v of m.vmas) {
      const e2 = shape(v, VMA_TEMPLATE, `mm ${k}'s vma`);
      if (e2 !== null) return e2;
    }
  }
  return null;
}
