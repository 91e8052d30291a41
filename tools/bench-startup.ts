// Start-up cost of the command line against bare node, CPU seconds per process (user + sys
// of the children, from bash's `times`), median of 3 rounds of 10 runs, rounds interleaved
// so both sides see the same load. Usage: node dist/tools/bench-startup.js [runs]

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, 'mmsim.js');
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds per run of `cmd` (a shell command), from the children's times after `runs` runs. */
function cpuPerRun(cmd: string, runs: number): number {
  const r = spawnSync('bash', ['-c', `for ((i = 0; i < ${runs}; i++)); do ${cmd} >/dev/null; done; times`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  // `times` prints the shell's user/sys, then its children's: "0m0.850s 0m0.120s"
  const seconds = (t: string): number => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (m === null) throw new Error(`cannot read times output '${t}'`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const [user, sys] = r.stdout.trim().split('\n').at(-1)!.trim().split(/\s+/);
  return (seconds(user) + seconds(sys)) / runs;
}

const runs = Number(process.argv[2] ?? 10);
const cases: Record<string, string> = {
  'node -e 0 (the floor)': `${process.execPath} -e 0`,
  'mmsim --version': `${process.execPath} ${BIN} --version`,
  'mmsim run --help (one command loaded)': `${process.execPath} ${BIN} run --help`,
  'mmsim --help (every command loaded)': `${process.execPath} ${BIN} --help`,
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < 3; round++) for (const [name, cmd] of Object.entries(cases)) samples[name].push(cpuPerRun(cmd, runs));
const floor = median(samples['node -e 0 (the floor)']);
console.log(`bench-startup: CPU per process, median of 3 rounds of ${runs}`);
for (const name of Object.keys(cases)) {
  const t = median(samples[name]);
  console.log(`  ${name.padEnd(40)} ${(t * 1000).toFixed(0).padStart(5)} ms  ${(t / floor).toFixed(2)}x the floor`);
}
