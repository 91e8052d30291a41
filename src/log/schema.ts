// What every decoded chunk must look like. The CRC only proves that a chunk is what was
// written; a crafted file can carry a valid CRC over anything, so each chunk is checked
// here before the reader hands it on: types, ranges, and every count bounded by the
// chunk's real size (a declared count can never make the reader allocate or loop beyond
// what the bytes hold). Each check returns the problem in words, or null.

import { initialSmp } from '../reducer/smp.js';
import { LOCKING_DESIGNS } from '../smp/locking/registry.js';
import { parseSched } from '../smp/sched.js';
import type { SmpState } from '../state.js';

import { boot } from '../mm/boot.js';
import { PG_reserved } from '../include/page-flags.js';
import { RECLAIM_POLICIES, RMAP_DESIGNS } from '../designs/registry.js';
import { CHUNK_KINDS, EVENTS_PER_CHUNK, TAIL_DIGITS } from './format.js';

const isSched = (text: string): boolean => {
  try {
    parseSched(text);
    return true;
  } catch {
    return false;
  }
};

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const own = (o: object, k: string): boolean => Object.hasOwn(o, k);
const show = (v: unknown): string => (typeof v === 'string' ? `'${v.slice(0, 40)}'` : String(v).slice(0, 40));

/** Smallest and largest machine a log can describe (as makeRunConfig allows). */
const MIN_FRAMES = 32;
const MAX_FRAMES = 1 << 18;
/** A page in msgpack is a map of 11 fields: far more than this many bytes. */
const MIN_PAGE_BYTES = 16;

export function eventsProblem(o: Obj, bytes: number): string | null {
  if (!isNat(o.first)) return `'first' is ${show(o.first)}, expected an event index`;
  if (!isNat(o.n) || o.n < 1 || o.n > EVENTS_PER_CHUNK) return `'n' is ${show(o.n)}, expected a count 1..${EVENTS_PER_CHUNK}`;
  if (!Array.isArray(o.ev)) return `'ev' is ${show(o.ev)}, expected an array of integers`;
  // every event is a code and at least one field, each at least a byte
  if (o.n * 2 > bytes) return `'n' ${o.n} is more events than its ${bytes} bytes can hold`;
  return null;
}

export function snapshotProblem(o: Obj): string | null {
  if (!isNat(o.event)) return `'event' is ${show(o.event)}, expected an event count`;
  if (typeof o.hash !== 'string' || !/^[0-9a-f]{64}$/.test(o.hash)) return `'hash' is ${show(o.hash)}, expected a SHA-256 in hex`;
  if (!(o.state instanceof Uint8Array)) return `'state' is ${show(o.state)}, expected bytes`;
  return null;
}

export function indexProblem(o: Obj, bytes: number): string | null {
  const entries = o.entries;
  if (!Array.isArray(entries)) return `'entries' is ${show(entries)}, expected an array`;
  // each entry is an array of 5 integers: at least 6 bytes
  if (entries.length * 6 > bytes) return `${entries.length} entries cannot fit in ${bytes} bytes`;
  for (const [i, e] of entries.entries()) {
    if (!Array.isArray(e) || e.length !== 5 || !e.every(isNat)) return `entry ${i} is not 5 non-negative integers`;
    if (e[0] >= CHUNK_KINDS.length) return `entry ${i} has chunk kind code ${e[0]}, expected 0..${CHUNK_KINDS.length - 1}`;
  }
  return null;
}

export function endProblem(o: Obj): string | null {
  if (!isNat(o.events)) return `'events' is ${show(o.events)}, expected an event count`;
  if (typeof o.hash !== 'string' || !/^[0-9a-f]{64}$/.test(o.hash)) return `'hash' is ${show(o.hash)}, expected a SHA-256 in hex`;
  if (o.report !== undefined && !isObj(o.report)) return `'report' is ${show(o.report)}, expected an object`;
  if (o.injected !== undefined && !(Array.isArray(o.injected) && o.injected.every(isNat)))
    return "'injected' is not a list of event indices";
  return null;
}

const HEX_OFFSET = new RegExp(`^[0-9a-f]{${TAIL_DIGITS}}$`);

export function tailProblem(o: Obj): string | null {
  if (typeof o.index !== 'string' || !HEX_OFFSET.test(o.index)) return `'index' is ${show(o.index)}, expected ${TAIL_DIGITS} hex digits`;
  if (typeof o.end !== 'string' || !HEX_OFFSET.test(o.end)) return `'end' is ${show(o.end)}, expected ${TAIL_DIGITS} hex digits`;
  return null;
}

export function metaProblem(o: Obj): string | null {
  if (o.injected !== undefined && !(Array.isArray(o.injected) && o.injected.every(isNat)))
    return "'injected' is not a list of event indices";
  if (o.crashed !== undefined && typeof o.crashed !== 'string') return `'crashed' is ${show(o.crashed)}, expected text`;
  return null;
}

/** The header: its run configuration as far as readers use it, and an initial state that is exactly a booted machine. */
export function headerProblem(o: Obj, bytes: number): string | null {
  const c = o.config;
  if (!isObj(c)) return `'config' is ${show(c)}, expected an object`;
  if (typeof c.seed !== 'string') return `'config.seed' is ${show(c.seed)}, expected text`;
  if (!isObj(c.scenario) || typeof c.scenario.name !== 'string') return "'config.scenario.name' is missing";
  for (const k of ['snapshotEvery'] as const) {
    if (o[k] !== undefined && (!isNat(o[k]) || o[k] === 0 || o[k] % EVENTS_PER_CHUNK !== 0))
      return `'${k}' is ${show(o[k])}, expected a multiple of ${EVENTS_PER_CHUNK}`;
  }
  if (o.inject !== undefined && o.inject !== null) {
    const sp = o.inject;
    if (!isObj(sp) || typeof sp.bug !== 'string' || !isNat(sp.ppm) || !isNat(sp.after) || !isNat(sp.max)) return "'inject' is malformed";
  }
  if (o.shrunkFrom !== undefined && !(isObj(o.shrunkFrom) && typeof o.shrunkFrom.log === 'string')) return "'shrunkFrom' is malformed";
  if (o.shrunkFrom !== undefined && !Array.isArray(o.inputs)) return "'inputs' is missing from a shrunk run's header";
  const s = o.initial;
  if (!isObj(s)) return `'initial' is ${show(s)}, expected the initial machine state`;
  const problem = bootedProblem(s, bytes);
  if (problem !== null) return `'initial' ${problem}`;
  if (c.nframes !== undefined && c.nframes !== s.nframes)
    return `'config.nframes' ${show(c.nframes)} differs from the initial state's ${s.nframes}`;
  return null;
}

/**
 * A log's initial state is a freshly booted machine (record and trace both boot one), so
 * it must equal boot() of its own parameters, each read from it and bounded first.
 */
function bootedProblem(s: Obj, bytes: number): string | null {
  const n = s.nframes;
  if (!isNat(n) || n < MIN_FRAMES || n > MAX_FRAMES) return `has nframes ${show(n)}, expected ${MIN_FRAMES}..${MAX_FRAMES}`;
  if (n * MIN_PAGE_BYTES > bytes) return `claims ${n} frames, more than its ${bytes} bytes can hold`;
  const swap = s.swap;
  if (!isObj(swap) || !isNat(swap.nslots) || swap.nslots > bytes) return 'has no valid swap.nslots';
  if (typeof s.rmap !== 'string' || !RMAP_DESIGNS.has(s.rmap))
    return `has rmap ${show(s.rmap)}, expected one of ${[...RMAP_DESIGNS.keys()].join(', ')}`;
  if (typeof s.reclaim !== 'string' || !RECLAIM_POLICIES.has(s.reclaim))
    return `has reclaim ${show(s.reclaim)}, expected one of ${[...RECLAIM_POLICIES.keys()].join(', ')}`;
  if (!isNat(s.hand) || s.hand >= n) return `has clock hand ${show(s.hand)}, expected 0..${n - 1}`;
  // frames 0..reserved-1 are the kernel's: count them, reading each page only if it is there
  const map = s.memMap;
  if (!Array.isArray(map) || map.length !== Math.ceil(n / 64))
    return `has a mem_map of ${Array.isArray(map) ? map.length : 'no'} chunks, expected ${Math.ceil(n / 64)}`;
  const flagsAt = (pfn: number): number => {
    const chunk: unknown = map[pfn >> 6];
    const page: unknown = Array.isArray(chunk) ? chunk[pfn & 63] : undefined;
    return isObj(page) && typeof page.flags === 'number' ? page.flags : 0;
  };
  let reserved = 0;
  while (reserved < n && (flagsAt(reserved) & PG_reserved) !== 0) reserved++;
  if (reserved < 2 || reserved > n - 8) return `reserves ${reserved} of ${n} frames, expected 2..${n - 8}`;
  // the design options are not in the state's own fields: find the one that boots this exact
  // machine (pte-chain lists NULL-terminated or circular); 2.1.88's swap cache has its index
  let smp: SmpState | undefined;
  if (s.smp !== undefined) {
    const o = isObj(s.smp) ? s.smp : {};
    if (!isNat(o.ncpus) || o.ncpus < 2 || o.ncpus > 16) return `has smp.ncpus ${show(o.ncpus)}, expected 2..16`;
    if (typeof o.locking !== 'string' || !LOCKING_DESIGNS.has(o.locking))
      return `has smp.locking ${show(o.locking)}, expected one of ${[...LOCKING_DESIGNS.keys()].join(', ')}`;
    if (typeof o.sched !== 'string' || !isSched(o.sched)) return `has smp.sched ${show(o.sched)}, expected rr, random, time or pct:D`;
    smp = initialSmp(o.ncpus, o.locking, o.sched);
  }
  let diff: string | null = null;
  for (const chainMode of [0, 1]) {
    const booted = boot({
      nframes: n,
      reserved,
      swapSlots: swap.nslots,
      rmap: s.rmap,
      reclaim: s.reclaim,
      options: { chainMode },
      hand: s.hand,
      swapCacheLookup: swap.cache !== undefined,
    });
    if (smp !== undefined) booted.smp = smp;
    diff = firstDifference(s, booted, 'initial');
    if (diff === null) return null;
  }
  return `is not a freshly booted machine: ${diff}`;
}

/** The path of the first difference between a decoded value and the expected one, or null. */
export function firstDifference(a: unknown, b: unknown, path: string): string | null {
  const where: (string | number)[] = [];
  const why = differs(a, b, where);
  if (why === null) return null;
  return `${path}${where
    .reverse()
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
    .join('')} ${why}`;
}

/** Why `a` differs from `b`, with the path to it pushed innermost first (built only on a difference: mem_map is large). */
function differs(a: unknown, b: unknown, where: (string | number)[]): string | null {
  if (typeof b !== 'object' || b === null) return a === b ? null : `is ${show(a)}, expected ${show(b)}`;
  if (Array.isArray(b)) {
    if (!Array.isArray(a)) return 'is not an array';
    if (a.length !== b.length) return `has ${a.length} entries, expected ${b.length}`;
    for (let i = 0; i < b.length; i++) {
      const d = differs(a[i], b[i], where);
      if (d !== null) {
        where.push(i);
        return d;
      }
    }
    return null;
  }
  if (!isObj(a)) return 'is not an object';
  const bo = b as Obj;
  let nb = 0;
  for (const k in bo) {
    nb++;
    const v = bo[k];
    // flat fields inline (a page is eleven numbers, and mem_map has up to 262,144 pages)
    const d = typeof v !== 'object' || v === null ? (a[k] === v ? null : `is ${show(a[k])}, expected ${show(v)}`) : differs(a[k], v, where);
    if (d !== null) {
      where.push(k);
      return d;
    }
  }
  let na = 0;
  for (const k in a) if (a[k] !== undefined) na++;
  if (na !== nb) {
    for (const k of Object.keys(a)) {
      if (!own(bo, k) && a[k] !== undefined) {
        where.push(k);
        return 'is not expected';
      }
    }
  }
  return null;
}
