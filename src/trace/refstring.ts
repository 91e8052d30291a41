// Reference strings held in memory (textbook examples, property tests): page numbers
// folded into the i386 space and run through the strict machine.

import { PAGE_SIZE } from '../arch/i386/page.js';
import { AddressFolder } from './fold.js';
import { nextUses, StrictRun, type StrictOptions, type StrictResult } from './strict.js';

export function runReferenceString(pages: readonly number[], opts: StrictOptions, writes?: readonly boolean[]): StrictResult {
  const folder = new AddressFolder('reference string');
  const folded = pages.map((p) => folder.fold(p));
  const next = nextUses(folded);
  const run = new StrictRun(opts, Math.max(1, folder.regionCount));
  const mm = run.startSingle();
  for (let i = 0; i < folded.length; i++) run.ref(mm, folded[i] * PAGE_SIZE, writes?.[i] ?? false, next[i]);
  return run.result();
}
