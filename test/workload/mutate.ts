// Random mutations of scenario files for the property test (scenario.property.test.ts):
// one seed gives one mutant, always the same, so a failing seed is the whole replay token.
// The mutations are what a hand-edited or hostile file has: wrong types, huge, negative,
// fractional and non-finite numbers, missing and extra fields, names every object has
// (__proto__, constructor, ...), deep nesting and huge strings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/workload/rng.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

const ROOT = join(import.meta.dirname, '..', '..');
/** The files mutated: the built-in scenarios and the capture fixture. */
export const BASES: Record<string, string> = {
  x486: join(ROOT, 'src/workload/scenarios/x486.json'),
  forky: join(ROOT, 'src/workload/scenarios/forky.json'),
  tiny: join(ROOT, 'src/workload/scenarios/tiny.json'),
  capture: join(ROOT, 'test/fixtures/machine-capture.json'),
};
const baseText = new Map(Object.entries(BASES).map(([k, p]) => [k, readFileSync(p, 'utf8')]));

/** Placeholders that stand for text JSON.stringify cannot write; swapped in after serialising. */
const RAW = {
  nan: '\u0001NaN',
  inf: '\u0001Inf',
  ninf: '\u0001NInf',
  deepArrays: '\u0001DeepA',
  deepObjects: '\u0001DeepO',
} as const;
const DEEP = 20000;
const rawText: Record<string, string> = {
  [RAW.nan]: 'NaN', // not JSON at all
  [RAW.inf]: '1e999', // JSON that parses to Infinity
  [RAW.ninf]: '-1e999',
  [RAW.deepArrays]: '['.repeat(DEEP) + ']'.repeat(DEEP),
  [RAW.deepObjects]: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP),
};

/** Names that are properties of every object, and some that are merely odd. */
const NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
  '',
  ' ',
  'x'.repeat(300),
  'k'.repeat(100_000),
];

const HOSTILE: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  4294967294,
  2 ** 31,
  65536,
  65537,
  RAW.nan,
  RAW.inf,
  RAW.ninf,
  '',
  '0',
  '-5',
  '1e3',
  '10000G',
  '100G',
  '4G',
  '1G',
  '999999999999999999999999K',
  '8M ',
  '1.5M',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(1_000_000),
  '\u0000\uffff\ud800',
  [],
  {},
  [1, 2, 3],
  { a: 1 },
  RAW.deepArrays,
  RAW.deepObjects,
];

export interface Mutant {
  seed: number;
  base: string;
  /** What was done, one short line each (values cut to 40 characters). */
  ops: string[];
  text: string;
}

const short = (v: unknown): string => {
  const s = typeof v === 'string' && v in rawText ? v.slice(1) : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}... (${s.length} chars)` : s;
};

/** Every place a value sits: its container and key, with the path for the description. */
function places(doc: Json, path = '', out: Array<{ c: Container; k: string | number; path: string }> = []) {
  if (doc === null || typeof doc !== 'object') return out;
  const keys: Array<string | number> = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  for (const k of keys) {
    const p = typeof k === 'number' ? `${path}[${k}]` : `${path}.${k}`;
    out.push({ c: doc, k, path: p });
    places((doc as Record<string | number, Json>)[k], p, out);
  }
  return out;
}

function containers(doc: Json): Container[] {
  const out: Container[] = [];
  const walk = (v: Json): void => {
    if (v === null || typeof v !== 'object') return;
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(doc);
  return out;
}

/** Set an own property, `__proto__` included (a plain assignment would set the prototype). */
function put(o: { [k: string]: Json }, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Replace every string equal to `from` (a reference to a renamed program, library or file). */
function renameRefs(doc: Json, from: string, to: string): void {
  if (doc === null || typeof doc !== 'object') return;
  const entries: Array<[string | number, Json]> = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  for (const [k, v] of entries) {
    if (v === from) (doc as Record<string | number, Json>)[k] = to;
    else renameRefs(v, from, to);
  }
}

export function mutant(seed: number): Mutant {
  const r = new Rng(String(seed), 'scenario-mutant');
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)];
  const base = pick([...baseText.keys()]);
  const doc = JSON.parse(baseText.get(base) as string) as Json;
  const ops: string[] = [];
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const all = places(doc);
    const at = pick(all);
    // numbers most often: a number still in range passes the schema and reaches the run
    switch (r.int(11)) {
      case 0:
      case 1: {
        const v = pick(HOSTILE);
        (at.c as Record<string | number, Json>)[at.k] = v;
        ops.push(`set ${at.path} = ${short(v)}`);
        break;
      }
      case 2: {
        if (Array.isArray(at.c)) at.c.splice(at.k as number, 1);
        else delete at.c[at.k as string];
        ops.push(`delete ${at.path}`);
        break;
      }
      case 3: {
        const objs = containers(doc).filter((c) => !Array.isArray(c)) as Array<{ [k: string]: Json }>;
        const o = pick(objs);
        const name = pick(NAMES);
        const v = r.int(2) === 0 ? pick(HOSTILE) : JSON.parse(JSON.stringify(pick(Object.values(o)) ?? null));
        put(o, name, v);
        ops.push(`add key ${short(name)} = ${short(v)}`);
        break;
      }
      case 4: {
        if (Array.isArray(at.c)) break;
        const to = pick(NAMES);
        const obj = at.c;
        const v = obj[at.k as string];
        delete obj[at.k as string];
        put(obj, to, v);
        const refs = r.int(2) === 0;
        if (refs) renameRefs(doc, at.k as string, to);
        ops.push(`rename ${at.path} to ${short(to)}${refs ? ' and every reference to it' : ''}`);
        break;
      }
      case 5:
      case 6:
      case 7: {
        const nums = all.filter((p) => typeof (p.c as Record<string | number, Json>)[p.k] === 'number');
        if (nums.length === 0) break;
        const p = pick(nums);
        const x = (p.c as Record<string | number, number>)[p.k];
        const v = pick([-x, x * 2, x * 10, x * 1000, x * 1e6, x + 0.5, 0, 1, x - 1, x + 1, 2 ** 31, 2 ** 53]);
        (p.c as Record<string | number, Json>)[p.k] = v;
        ops.push(`number ${p.path}: ${x} -> ${v}`);
        break;
      }
      case 8: {
        const other = pick(all);
        const v = JSON.parse(JSON.stringify((other.c as Record<string | number, Json>)[other.k] ?? null));
        (at.c as Record<string | number, Json>)[at.k] = v;
        ops.push(`set ${at.path} = copy of ${other.path}`);
        break;
      }
      default: {
        const arrays = containers(doc).filter((c) => Array.isArray(c) && c.length > 0) as Json[][];
        if (arrays.length === 0) break;
        const a = pick(arrays);
        const times = pick([2, 10, 1000]);
        const el = a[r.int(a.length)];
        for (let j = 0; j < times; j++) a.push(JSON.parse(JSON.stringify(el)));
        ops.push(`repeat an element ${times} times (${short(el)})`);
      }
    }
  }
  let text = JSON.stringify(doc);
  for (const [k, v] of Object.entries(rawText)) text = text.split(JSON.stringify(k)).join(v);
  return { seed, base, ops, text };
}
