// Wall-clock of a comparison run in worker threads against the same designs one after
// another (median of 3 each), and the speedup. Usage:
//   node dist/tools/bench-compare.js [scenario] [steps] [seed]

import { availableParallelism, loadavg } from 'node:os';
import { runComparison, type ComparisonOptions } from '../src/compare/index.js';

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchCompare(
  scenario = 'x486',
  steps = 100000,
  seed = '1',
  reps = 3,
): Promise<{ parallelMs: number; sequentialMs: number; speedup: number }> {
  const base: ComparisonOptions = { scenario, seed, steps };
  const time = async (mode: 'parallel' | 'sequential'): Promise<number> => {
    const t0 = performance.now();
    await runComparison({ ...base, mode });
    return performance.now() - t0;
  };
  const par: number[] = [],
    seq: number[] = [];
  for (let i = 0; i < reps; i++) {
    seq.push(await time('sequential'));
    par.push(await time('parallel'));
  }
  const parallelMs = median(par),
    sequentialMs = median(seq);
  return { parallelMs, sequentialMs, speedup: sequentialMs / parallelMs };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const [scenario = 'x486', steps = '100000', seed = '1'] = process.argv.slice(2);
  const r = await benchCompare(scenario, Number(steps), seed);
  console.log(`bench-compare: ${scenario} seed ${seed}, ${steps} steps, 4 designs, ${availableParallelism()} cores, median of 3`);
  console.log(`  sequential ${r.sequentialMs.toFixed(0)} ms`);
  console.log(`  parallel   ${r.parallelMs.toFixed(0)} ms (worker threads)`);
  console.log(`  speedup    ${r.speedup.toFixed(2)}x`);
  // other processes on the same cores make parallel runs slower, not faster: say how busy the machine was
  console.log(
    `  load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min)`,
  );
}
