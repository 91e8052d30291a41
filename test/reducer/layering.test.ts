// The layering rule the reducer lives by: it is the only writer of state and depends on no
// kernel code, so src/reducer/ imports nothing from src/mm, src/kernel, src/reclaim or
// src/workload. Checked on the source text: directly (every import, type-only included) and
// transitively through the value imports (what actually loads when the reducer loads).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const FORBIDDEN = ['mm', 'kernel', 'reclaim', 'workload'].map((d) => join(SRC, d) + '/');

interface Import {
  target: string;
  typeOnly: boolean;
}

/** The relative imports of a source file, resolved to .ts paths (`import type` marked). */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ target: resolve(dirname(file), m[3]).replace(/\.js$/, '.ts'), typeOnly: m[2] !== undefined });
  }
  return out;
}

const reducerFiles = readdirSync(join(SRC, 'reducer'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(SRC, 'reducer', f));

const forbidden = (path: string): boolean => FORBIDDEN.some((d) => path.startsWith(d));

describe('src/reducer layering', () => {
  it('finds the imports it checks', () => {
    // guards the pattern itself: the reducer's index imports the buddy allocator
    expect(importsOf(join(SRC, 'reducer/index.ts')).map((i) => relative(SRC, i.target))).toContain('reducer/buddy.ts');
    expect(forbidden(join(SRC, 'mm/memory.ts'))).toBe(true);
  });

  it('no reducer file imports the kernel, reclaim or workload code', () => {
    const bad = reducerFiles.flatMap((f) =>
      importsOf(f)
        .filter((i) => forbidden(i.target))
        .map((i) => `${relative(SRC, f)} -> ${relative(SRC, i.target)}`),
    );
    expect(bad).toEqual([]);
  });

  it('nothing the reducer loads (value imports, transitively) is kernel, reclaim or workload code', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of importsOf(file)) {
        if (i.typeOnly) continue;
        const chain = [...path, relative(SRC, i.target)];
        if (forbidden(i.target)) bad.push(chain.join(' -> '));
        else visit(i.target, chain);
      }
    };
    for (const f of reducerFiles) visit(f, [relative(SRC, f)]);
    expect(bad).toEqual([]);
  });
});
