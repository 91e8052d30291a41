// Start-up cost of the command line against bare node, CPU seconds per process (user + sys
// of the children, from bash's `times`), median of 3 rounds of 10 runs, rounds interleaved
// so both sides see the same load. Usage: node dist/tools/bench-startup.js [runs]

import { join } from 'node:path';
import { cpuPerRun } from './cpu-time.js';

const BIN = join(import.meta.dirname, 'mmsim.js');
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = Number(process.argv[2] ?? 10);
const cases: Record<string, string> = {
  'node -e 0 (the floor)': `${process.execPath} -e 0`,
  'mmsim --version': `${process.execPath} ${BIN} --version`,
  'mmsim run --help (one command loaded)': `${process.execPath} ${BIN} run --help`,
  'mmsim --help (no command loaded)': `${process.execPath} ${BIN} --help`,
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < 3; round++) for (const [name, cmd] of Object.entries(cases)) samples[name].push(cpuPerRun(cmd, runs));
const floor = median(samples['node -e 0 (the floor)']);
console.log(`bench-startup: CPU per process, median of 3 rounds of ${runs}`);
for (const name of Object.keys(cases)) {
  const t = median(samples[name]);
  console.log(`  ${name.padEnd(40)} ${(t * 1000).toFixed(0).padStart(5)} ms  ${(t / floor).toFixed(2)}x the floor`);
}
