// CPU time of shell commands, for the benchmarks that compare a command against a floor
// (bench-startup, bench-replay): the children's user + sys from bash's `times`.

import { spawnSync } from 'node:child_process';

export /** CPU seconds per run of `cmd` (a shell command), from the children's times after `runs` runs. */
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
