// Until `mmsim compare` is wired into the CLI: run a comparison and print it.
//   node dist/tools/compare-designs.js [scenario] [steps] [seed] [designs] [--plot DIR] [--sweep]

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSweep, formatTable, runComparison, runSweep, sweepChart, writePlots } from '../src/compare/index.js';

const args = process.argv.slice(2);
const plotAt = args.indexOf('--plot');
const plotDir = plotAt >= 0 ? args.splice(plotAt, 2)[1] : undefined;
const sweepAt = args.indexOf('--sweep');
if (sweepAt >= 0) {
  args.splice(sweepAt, 1);
  const [steps = '150000', seed = '1', designs = 'clock/pte-chain,old/none'] = args;
  const sw = await runSweep({ seed, steps: Number(steps), designs });
  process.stdout.write(formatSweep(sw));
  if (plotDir !== undefined) writeFileSync(join(plotDir, 'sweep.svg'), sweepChart(sw));
} else {
  const [scenario = 'x486', steps = '100000', seed = '1', designs] = args;
  const r = await runComparison({
    scenario, seed, steps: Number(steps), designs,
    onProgress: (d, n, total) => { if (n * 10 % total < total / 50) process.stderr.write(`\r${d}: ${Math.round((n / total) * 100)}%   `); },
  });
  process.stderr.write('\r\x1b[K');
  process.stdout.write(formatTable(r));
  if (plotDir !== undefined) console.log(writePlots(r, plotDir).join('\n'));
}
