// What a comparison measures while a design runs: it watches the event stream (the machine's
// sink) and reads the state, never writes it. Everything here is about the run, not in it.

import type { Event } from '../events.js';
import { FAULT } from '../events.js';
import type { ReclaimPolicy, RmapDesign } from '../include/design.js';
import { getPage, type State } from '../state.js';

/** Per number of mappings: pages touched in reclaim passes, their touches, pte visits, pages freed. */
export interface MappingBucket {
  mappings: number;
  /** (page, pass) pairs in which a page with this many mappings was looked at. */
  pagePasses: number;
  /** Looks at such pages (clock: one per page per lap; old: one per pte). */
  touches: number;
  /** Mean touches per page per reclaim pass. */
  touchesPerPass: number;
  ptesVisited: number;
  pagesFreed: number;
  /** ptesVisited / pagesFreed (null when none were freed). */
  ptesPerFreed: number | null;
}

export interface Sample {
  events: number;
  time: number;
  nrFree: number;
  scanned: number;
  ptesVisited: number;
  faults: number;
  majorFaults: number;
  reclaimed: number;
}

export const MAJOR_FAULTS = [FAULT.file_major, FAULT.swapin];

export function faultCounts(s: State): { major: number; minor: number } {
  let major = 0,
    minor = 0;
  s.stats.faults.forEach((n, kind) => {
    if (MAJOR_FAULTS.includes(kind)) major += n;
    else minor += n;
  });
  return { major, minor };
}

export function sampleOf(s: State, events: number): Sample {
  const f = faultCounts(s);
  return {
    events,
    time: s.time,
    nrFree: s.nrFree,
    scanned: s.stats.scanned,
    ptesVisited: s.stats.ptesVisited,
    faults: f.major + f.minor,
    majorFaults: f.major,
    reclaimed: s.stats.reclaimed,
  };
}

/** Mappings of a page as the hardware sees them: its references minus the page cache's. */
const mappingsOf = (s: State, pfn: number): number => {
  const p = getPage(s, pfn);
  return Math.max(0, p.count - (p.inode !== 0 ? 1 : 0));
};

/**
 * A reclaim pass is one lap of the clock hand (policy clock) or one lap of swap_out over the
 * task list (policy old: skip_factor wraps to 0), or, for active-inactive, the scans up to the
 * first page looked at a second time. shrink_mmap's laps under old look at no
 * ptes and are not counted as touches.
 */
export class Collector {
  private pass = new Map<number, { touches: number; maps: number }>();
  private maxMaps = new Map<number, number>();
  private buckets = new Map<number, { pagePasses: number; touches: number; ptesVisited: number; pagesFreed: number }>();
  peakOverhead = 0;
  passes = 0;
  readonly samples: Sample[] = [];
  private nextSample = 0;

  constructor(
    private readonly getState: () => State,
    private readonly rmap: RmapDesign,
    private readonly policy: ReclaimPolicy,
    private readonly sampleEvery: number,
  ) {
    this.peakOverhead = rmap.overhead(getState()).bytes;
  }

  private bucket(m: number): { pagePasses: number; touches: number; ptesVisited: number; pagesFreed: number } {
    let b = this.buckets.get(m);
    if (b === undefined) {
      b = { pagePasses: 0, touches: 0, ptesVisited: 0, pagesFreed: 0 };
      this.buckets.set(m, b);
    }
    return b;
  }

  private touch(pfn: number, maps: number, ptes: number): void {
    const t = this.pass.get(pfn);
    if (t === undefined) this.pass.set(pfn, { touches: 1, maps });
    else {
      t.touches++;
      if (maps > t.maps) t.maps = maps;
    }
    this.bucket(maps).ptesVisited += ptes;
    if (maps > (this.maxMaps.get(pfn) ?? 0)) this.maxMaps.set(pfn, maps);
  }

  endPass(): void {
    if (this.pass.size === 0) return;
    this.passes++;
    // sorted so the buckets fill in the same order on every run
    for (const pfn of [...this.pass.keys()].sort((a, b) => a - b)) {
      const t = this.pass.get(pfn)!;
      const b = this.bucket(t.maps);
      b.pagePasses++;
      b.touches += t.touches;
    }
    this.pass.clear();
  }

  /** The machine's sink: called after each event is applied. */
  onEvent(e: Event, events: number): void {
    const s = this.getState();
    switch (e.t) {
      case 'clock_advance':
        if (e.ptes > 0) this.touch(e.hand === 0 ? s.nframes - 1 : e.hand - 1, e.ptes, e.ptes);
        if (e.hand === 0 && this.policy.caps.lapsMemMap === true) this.endPass();
        break;
      case 'lru_scan':
        // active-inactive: a pass ends when a page comes round to be looked at again
        if (this.pass.has(e.pfn)) this.endPass();
        if (e.ptes > 0) this.touch(e.pfn, e.ptes, e.ptes);
        break;
      case 'swap_scan':
        this.touch(e.pfn, mappingsOf(s, e.pfn), 1);
        break;
      case 'swap_skip':
        if (e.skip === 0) this.endPass();
        break;
      case 'page_free':
        if (e.reclaim) this.bucket(this.maxMaps.get(e.pfn) ?? 0).pagesFreed++;
        this.maxMaps.delete(e.pfn);
        break;
      case 'pt_alloc':
      case 'pte_link':
      // anon_vma's overhead grows with vmas and anon_vmas, not links
      case 'vma_add':
      case 'anon_vma_prepare': {
        const o = this.rmap.overhead(s).bytes;
        if (o > this.peakOverhead) this.peakOverhead = o;
        break;
      }
      default:
        break;
    }
    if (events >= this.nextSample) {
      this.samples.push(sampleOf(s, events));
      this.nextSample = events + this.sampleEvery;
    }
  }

  histogram(): MappingBucket[] {
    return [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([mappings, b]) => ({
        mappings,
        ...b,
        touchesPerPass: b.pagePasses ? b.touches / b.pagePasses : 0,
        ptesPerFreed: b.pagesFreed ? b.ptesVisited / b.pagesFreed : null,
      }));
  }
}
