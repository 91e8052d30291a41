// Design lists for `mmsim compare --designs clock/pte-chain,old/none,...`: parsing with
// errors that name the bad value and list what is allowed, so the CLI wiring is one call.

import { incompatibility, RECLAIM_POLICIES, RMAP_DESIGNS } from '../designs/registry.js';

export interface DesignSpec {
  /** "reclaim/rmap", as written on the command line. */
  label: string;
  reclaim: string;
  rmap: string;
}

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

export function parseDesign(text: string): DesignSpec {
  const label = text.trim();
  const parts = label.split('/');
  const allowed = allowedDesigns().join(', ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new DesignListError(`design '${label}' is not of the form reclaim/rmap: allowed designs are ${allowed}`);
  }
  const [reclaim, rmap] = parts;
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
  if (!allowedDesigns().includes(label)) {
    throw new DesignListError(
      `design '${label}': rmap '${rmap}' cannot run with reclaim '${reclaim}' (it needs a reverse map); allowed designs are ${allowed}`,
    );
  }
  return { label, reclaim, rmap };
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
