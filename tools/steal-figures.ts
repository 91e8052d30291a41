// node dist/tools/steal-figures.js: --steal against the default allocator on the same runs.
// For each case, with and without --steal: OOM kills, pages scanned (all / by direct
// reclaim), page tables allocated, and the clock steps taken inside an operation before its
// page-table allocation (reclaim a high-order request caused), plus steal's own counters
// and the final state hash (without a steal the two runs are the same run).

import { OP } from '../src/events.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { stateHash } from '../src/snapshot/hash.js';
import { loadScenario } from '../src/workload/scenario.js';

const EVENTS = Number(process.env.STEAL_EVENTS ?? 1000000);
const CASES: Array<{ scenario: string; mem?: string; seed: string }> = [
  { scenario: 'x486', seed: '1' },
  { scenario: 'x486', mem: '2M', seed: '1' },
  { scenario: 'forky', seed: '1' },
  { scenario: 'forky', mem: '1M', seed: '1' },
  { scenario: 'tiny', seed: '1' },
  { scenario: 'tiny', seed: '2' },
  { scenario: 'tiny', mem: '192K', seed: '1' },
];

function measure(scenario: string, seed: string, mem: string | undefined, steal: boolean) {
  const sim = new Simulation(makeRunConfig(loadScenario(scenario), { seed, mem, steal }), 'direct');
  let ptAllocs = 0,
    ptScans = 0,
    opScans = 0;
  sim.machine.sink = (e) => {
    if (e.t === 'op') opScans = 0;
    else if (e.t === 'clock_advance' && sim.machine.s.op.kind !== OP.kswapd) opScans++;
    else if (e.t === 'pt_alloc') {
      ptAllocs++;
      ptScans += opScans;
      opScans = 0;
    }
  };
  const s = sim.run(EVENTS);
  const st = s.stats;
  return {
    oom: st.ooms,
    scanned: st.scanned,
    direct: st.directScanned,
    ptAllocs,
    ptScans,
    steal: st.steal ?? { ok: 0, failed: 0, flipped: 0 },
    hash: stateHash(s).slice(0, 12),
  };
}

const rows: string[] = [
  'case | steal | OOM kills | pages scanned (direct) | page tables | clock steps before a page-table alloc | blocks stolen / failed / pages flipped | hash',
];
for (const c of CASES) {
  for (const steal of [false, true]) {
    const r = measure(c.scenario, c.seed, c.mem, steal);
    const name = `${c.scenario}${c.mem ? ` --mem ${c.mem}` : ''} seed ${c.seed}`;
    rows.push(
      `${name} | ${steal ? 'on' : 'off'} | ${r.oom} | ${r.scanned} (${r.direct}) | ${r.ptAllocs} | ${r.ptScans} | ${steal ? `${r.steal.ok} / ${r.steal.failed} / ${r.steal.flipped}` : '-'} | ${r.hash}`,
    );
  }
}
process.stdout.write(rows.join('\n') + '\n');
