// Seeded `pages` traces for the trace benchmark (tools/bench-trace.ts): the same arguments
// give the same bytes on every machine (seedrandom alea streams, no Math.random).

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Rng } from '../src/workload/rng.js';

/** Writes one page number per line, buffering the text in 64 KiB pieces. */
async function writePages(path: string, refs: number, next: () => number): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (let i = 0; i < refs; i++) {
    buf += next() + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/**
 * Hit-heavy: a program looping over a working set of 24 pages (in a fixed order, like the
 * body of a loop over its data), 4 of which are replaced every 800 references (the next
 * phase of the loop), plus one reference in 200 to a random page of a 256K-page space (a
 * stray pointer). With 32 frames about 1% of references fault.
 */
export function writeLoopingTrace(path: string, refs: number, seed = '1'): Promise<void> {
  const rng = new Rng(seed, 'looping');
  const set = Array.from({ length: 24 }, (_, i) => 4096 + i);
  let fresh = 4096 + 24,
    i = 0,
    pos = 0;
  return writePages(path, refs, () => {
    if (i % 800 === 0 && i > 0) for (let r = 0; r < 4; r++) set[rng.int(set.length)] = fresh++;
    i++;
    if (rng.int(200) === 0) return (1 << 20) | rng.int(1 << 18);
    pos = (pos + 1) % set.length;
    return set[pos];
  });
}

/**
 * Fault-heavy: Zipf(alpha) over `pages` pages (rank r drawn with weight 1/r^alpha by
 * inverse CDF), ranks scattered over the page numbers by a seeded permutation so that the
 * hot pages do not share page tables.
 */
export function writeZipfTrace(path: string, refs: number, pages = 250000, alpha = 0.9, seed = '1'): Promise<void> {
  const rng = new Rng(seed, 'zipf');
  const cdf = new Float64Array(pages);
  let sum = 0;
  for (let r = 0; r < pages; r++) cdf[r] = sum += 1 / (r + 1) ** alpha;
  const perm = new Int32Array(pages);
  for (let r = 0; r < pages; r++) perm[r] = r;
  for (let r = pages - 1; r > 0; r--) {
    const j = rng.int(r + 1);
    const t = perm[r];
    perm[r] = perm[j];
    perm[j] = t;
  }
  // rng.int(2^32) / 2^32: a uniform draw in [0, 1) from the same seeded stream
  const uniform = (): number => rng.int(0x100000000) / 0x100000000;
  return writePages(path, refs, () => {
    const u = uniform() * sum;
    let lo = 0,
      hi = pages - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] <= u) lo = mid + 1;
      else hi = mid;
    }
    return perm[lo];
  });
}
