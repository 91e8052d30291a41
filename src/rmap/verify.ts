// A design-level consistency check for the reverse maps (the full checker lives in
// src/check/): for every page, the design's entries() are exactly the present ptes that map
// it, each once, and mapcount agrees; arena blocks in use are exactly those reachable from
// pages. With `none` every map is empty. Returns the problems found (empty when consistent).

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { pte_addr } from '../arch/i386/pgtable.js';
import { PG_direct, PG_reserved } from '../mm/page-flags.js';
import { getPage, type State } from '../state.js';
import { wordAt } from './arena.js';
import { rmapDesign } from './index.js';
import { poolBlocks } from './pte-pool.js';
import { chainBlocks } from './pte_chain.js';

/** pfn -> present pte addresses mapping it (reserved pages excluded: they are never linked). */
export function presentPtes(s: State): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const key of Object.keys(s.pts)) {
    const pt = s.pts[Number(key)];
    for (let slot = 0; slot < 1024; slot++) {
      const v = pt.pte[slot >> 6][slot & 63];
      if (!pte_present(v)) continue;
      const pfn = pte_pfn(v);
      if ((getPage(s, pfn).flags & PG_reserved) !== 0) continue;
      const list = out.get(pfn);
      if (list === undefined) out.set(pfn, [pte_addr(pt.pfn, slot)]);
      else list.push(pte_addr(pt.pfn, slot));
    }
  }
  return out;
}

export function verifyRmap(s: State, maxProblems = 10): string[] {
  const d = rmapDesign(s.rmap);
  const problems: string[] = [];
  const mapped = presentPtes(s);
  const hex = (n: number): string => '0x' + n.toString(16);
  for (let pfn = 0; pfn < s.nframes && problems.length < maxProblems; pfn++) {
    const page = getPage(s, pfn);
    const want = (mapped.get(pfn) ?? []).slice().sort((a, b) => a - b);
    const rep = d.entries(s, pfn);
    if (rep.problem !== null) problems.push(`pfn ${pfn}: ${rep.problem}`);
    if (d.name === 'none') {
      if (rep.ptes.length !== 0 || page.mapcount !== 0 || page.rmap !== 0) problems.push(`pfn ${pfn}: rmap none recorded something`);
      continue;
    }
    const got = rep.ptes.slice().sort((a, b) => a - b);
    for (let i = 1; i < got.length; i++) if (got[i] === got[i - 1]) problems.push(`pfn ${pfn}: pte ${hex(got[i])} is on the map twice`);
    const wantSet = new Set(want),
      gotSet = new Set(got);
    for (const pte of want)
      if (!gotSet.has(pte)) problems.push(`pfn ${pfn}: present pte ${hex(pte)} maps it but is not on its ${d.name} map`);
    for (const pte of got) if (!wantSet.has(pte)) problems.push(`pfn ${pfn}: ${d.name} map holds ${hex(pte)}, which does not map it`);
    if (page.mapcount !== want.length) problems.push(`pfn ${pfn}: mapcount ${page.mapcount} but ${want.length} present ptes map it`);
    if (d.name === 'pte_chain') {
      const direct = (page.flags & PG_direct) !== 0;
      if (direct && want.length !== 1) problems.push(`pfn ${pfn}: PG_direct with ${want.length} mappings`);
      if (!direct && want.length === 1 && chainBlocks(s, pfn) === 0)
        problems.push(`pfn ${pfn}: one mapping but neither direct nor chained`);
    }
  }
  if (d.blockWords > 0 && problems.length === 0) {
    // every block in use hangs off exactly one page; the rest are on the free list
    const blocksOf = d.name === 'pte_chain' ? chainBlocks : poolBlocks;
    let reachable = 0;
    for (let pfn = 0; pfn < s.nframes; pfn++) reachable += blocksOf(s, pfn);
    const a = s.rmapArena;
    if (reachable !== a.used) problems.push(`${d.name}: ${a.used} blocks counted in use but pages hold ${reachable}`);
    let free = 0;
    for (let b = a.free; b !== 0 && free <= a.nblocks; b = wordAt(a, b, 0)) free++;
    if (free + a.used + 1 !== a.nblocks) problems.push(`${d.name}: ${a.nblocks - 1} blocks carved but ${a.used} in use and ${free} free`);
  }
  return problems;
}
