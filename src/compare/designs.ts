// Design lists for `mmsim compare --designs clock/pte-chain,old/none,...`: parsing with
// errors that name the bad value and list what is allowed, so the CLI wiring is one call.

import { incompatibility, RECLAIM_POLICIES, RMAP_DESIGNS } from '../designs/registry.js';
import type { AgeMode } from '../include/design.js';
import { SWAP_CACHE_RULES, type SwapCacheRules } from '../include/swap-cache.js';
import { LOCKING_DESIGNS, lockingDesign } from '../smp/locking/registry.js';
import { MAX_CPUS } from '../run-config.js';

export interface DesignSpec {
  /** "reclaim/rmap", as written on the command line. */
  label: string;
  reclaim: string;
  rmap: string;
  /** `clock+age/…` (2.1.47 ages) or `old-age/…` (none): ageing as its own axis; absent = the policy's default. */
  age?: AgeMode;
  /** `…@2.1.88`: the swap-cache rules (--swap-cache); absent = 2.1.47's. */
  swapCache?: SwapCacheRules;
  /** `…/pte-chain+steal`: steal_specific_page on (--steal). */
  steal?: true;
  /** `…/pte-chain+retry`: mmsim's earlier forgiving allocator (--alloc retry) instead of 2.1.47's. */
  alloc?: 'retry';
  /** `mmsim compare --cpus`: the machine's CPUs and locking design (scheduled by `time`, for measuring); absent = the 1-CPU machine. */
  smp?: { cpus: number; locking: string | null };
}

/**
 * `--cpus 1,2,4 --locking bkl,fine`: each design on each number of CPUs, under each locking
 * design (one CPU takes no locks, so it is run once), labelled `clock/pte-chain 4cpu/fine`.
 * No `cpus`: the designs as they are. compare, compare --seeds and sweep all expand here.
 */
export function expandCpus(
  specs: readonly DesignSpec[],
  cpus: readonly number[] | undefined,
  locking: readonly string[] = ['bkl'],
): DesignSpec[] {
  if (cpus === undefined) return [...specs];
  if (new Set(cpus).size !== cpus.length) throw new DesignListError(`cpus '${cpus.join(',')}' lists a number twice`);
  for (const l of locking)
    if (!LOCKING_DESIGNS.has(l))
      throw new DesignListError(`locking '${l}' is not a locking design; allowed: ${[...LOCKING_DESIGNS.keys()].join(', ')}`);
  const out: DesignSpec[] = [];
  for (const d of specs) {
    if (d.smp !== undefined)
      throw new DesignListError(`design '${d.label}' names its machine already: with --cpus, list the design without it`);
    for (const n of cpus) {
      if (n === 1) out.push({ ...d, label: `${d.label} 1cpu`, smp: { cpus: 1, locking: null } });
      else
        for (const l of locking) {
          const why = lockingDesign(l).incompatibility({ reclaim: d.reclaim });
          if (why !== null) throw new DesignListError(`design '${d.label}' on ${n} CPUs: ${why}`);
          out.push({ ...d, label: `${d.label} ${n}cpu/${l}`, smp: { cpus: n, locking: l } });
        }
    }
  }
  return out;
}

/** What may follow the rmap design, each at most once: `clock/pte-chain+steal+retry`. */
const RUN_SUFFIXES = ['steal', 'retry'] as const;

/** `+age` turns 2.1.47's page ages on for a policy, `-age` off (only for policies whose ageing is an option). */
const AGE_SUFFIX: Record<string, AgeMode> = { '+age': '2.1.47', '-age': 'none' };

export { DEFAULT_COMPARISON as DEFAULT_DESIGNS } from '../designs/registry.js';
import { DEFAULT_COMPARISON as DEFAULT_DESIGNS } from '../designs/registry.js';

export class DesignListError extends Error {}

/** Every valid reclaim/rmap pair (none only with a policy that needs no reverse map). */
export function allowedDesigns(): string[] {
  const out: string[] = [];
  for (const reclaim of RECLAIM_POLICIES.keys()) {
    for (const rmap of RMAP_DESIGNS.keys()) {
      if (incompatibility(reclaim, rmap) === null) out.push(`${reclaim}/${rmap}`);
    }
  }
  return out;
}

/** `reclaim/rmap@2.1.88`: the design under 2.1.88's swap-cache rules (`@2.1.47`, the default, may be written too). */
export function parseDesign(text: string): DesignSpec {
  const label = text.trim();
  // `clock/pte-chain 2cpu/bkl`: the machine, as expandCpus labels it (a sweep's results name their runs so)
  const machine = /^(.+) (\d+)cpu(?:\/(.+))?$/.exec(label);
  if (machine !== null) return { ...parseMachine(label, parseDesign(machine[1]), Number(machine[2]), machine[3]), label };
  const at = label.indexOf('@');
  if (at >= 0) {
    const rules = label.slice(at + 1);
    if (!(SWAP_CACHE_RULES as readonly string[]).includes(rules))
      throw new DesignListError(
        `design '${label}': swap-cache rules '${rules}' are not known: write reclaim/rmap@${SWAP_CACHE_RULES.join(' or @')}`,
      );
    const base = parseDesign(label.slice(0, at));
    return { ...base, label, ...(rules === '2.1.88' ? { swapCache: rules as SwapCacheRules } : {}) };
  }
  const parts = label.split('/');
  const allowed = allowedDesigns().join(', ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new DesignListError(`design '${label}' is not of the form reclaim/rmap: allowed designs are ${allowed}`);
  }
  const [reclaimText, rmapText] = parts;
  const [rmap, ...flags] = rmapText.split('+');
  for (const [i, f] of flags.entries()) {
    if (!(RUN_SUFFIXES as readonly string[]).includes(f) || flags.indexOf(f) !== i)
      throw new DesignListError(
        `design '${label}': '+${f}' is not ${flags.indexOf(f) !== i ? 'allowed twice' : 'known'}: after the rmap design come +steal (steal_specific_page) and +retry (the forgiving allocator), each at most once`,
      );
  }
  const extra = {
    ...(flags.includes('steal') ? { steal: true as const } : {}),
    ...(flags.includes('retry') ? { alloc: 'retry' as const } : {}),
  };
  const suffix = /[+-]age$/.exec(reclaimText)?.[0];
  const reclaim = suffix === undefined ? reclaimText : reclaimText.slice(0, -suffix.length);
  if (!RECLAIM_POLICIES.has(reclaim)) {
    throw new DesignListError(
      `design '${label}': reclaim policy '${reclaim}' is not known (policies: ${[...RECLAIM_POLICIES.keys()].join(', ')}); allowed designs are ${allowed}`,
    );
  }
  if (!RMAP_DESIGNS.has(rmap)) {
    throw new DesignListError(
      `design '${label}': rmap design '${rmap}' is not known (rmap designs: ${[...RMAP_DESIGNS.keys()].join(', ')}); allowed designs are ${allowed}`,
    );
  }
  if (!allowedDesigns().includes(`${reclaim}/${rmap}`)) {
    throw new DesignListError(
      `design '${label}': rmap '${rmap}' cannot run with reclaim '${reclaim}' (it needs a reverse map); allowed designs are ${allowed}`,
    );
  }
  if (extra.steal === true && !RMAP_DESIGNS.get(rmap)?.caps.tracksPtes) {
    throw new DesignListError(
      `design '${label}': +steal needs a reverse map that finds a page's ptes (flipping a page relinks them); '${rmap}' does not`,
    );
  }
  if (suffix === undefined) return { label, reclaim, rmap, ...extra };
  if (RECLAIM_POLICIES.get(reclaim)?.caps.age === undefined) {
    throw new DesignListError(
      `design '${label}': '${reclaim}' ages pages its own way, so ${suffix} does not apply (it does to clock and old)`,
    );
  }
  return { label, reclaim, rmap, age: AGE_SUFFIX[suffix], ...extra };
}

/** The SMP part of a design label: `1cpu` for one CPU (no locks), `Ncpu/LOCKING` for more. */
function parseMachine(label: string, base: DesignSpec, cpus: number, locking: string | undefined): DesignSpec {
  if (!(cpus >= 1 && cpus <= MAX_CPUS)) throw new DesignListError(`design '${label}': ${cpus} CPUs is not 1 to ${MAX_CPUS}`);
  if (cpus === 1) {
    if (locking !== undefined) throw new DesignListError(`design '${label}': one CPU takes no locks: write '${base.label} 1cpu'`);
    return { ...base, smp: { cpus: 1, locking: null } };
  }
  const allowed = [...LOCKING_DESIGNS.keys()].join(', ');
  if (locking === undefined || !LOCKING_DESIGNS.has(locking))
    throw new DesignListError(
      `design '${label}': ${cpus} CPUs need a locking design (${allowed}): write e.g. '${base.label} ${cpus}cpu/${LOCKING_DESIGNS.keys().next().value}'`,
    );
  const why = lockingDesign(locking).incompatibility({ reclaim: base.reclaim });
  if (why !== null) throw new DesignListError(`design '${label}' on ${cpus} CPUs: ${why}`);
  return { ...base, smp: { cpus, locking } };
}

/** "a/b,c/d" (or an array of such strings) -> specs; rejects an empty list and duplicates. */
export function parseDesignList(text: string | readonly string[] | undefined): DesignSpec[] {
  const items = (text === undefined ? DEFAULT_DESIGNS : typeof text === 'string' ? text.split(',') : [...text].flatMap((t) => t.split(',')))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (items.length === 0) throw new DesignListError(`the design list is empty: give e.g. ${DEFAULT_DESIGNS.join(',')}`);
  const specs = items.map(parseDesign);
  const seen = new Set<string>();
  for (const d of specs) {
    if (seen.has(d.label)) throw new DesignListError(`design '${d.label}' is listed twice`);
    seen.add(d.label);
  }
  return specs;
}

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

/** A positive integer option (--steps, --sample-every, --jobs), with the option named in the error. */
export function parsePositiveInt(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0) throw new DesignListError(`${option} '${text}' is not a positive whole number`);
  return Number(text);
}
