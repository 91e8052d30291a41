// The SMP invariants (--cpus N > 1). The reducer (src/reducer/smp.ts) sees each locking rule
// broken as the event passes, since they are about who held which lock when something
// happened, and records it in the state; these rules report what it recorded, so the full
// check, the local check and bisect see them like any other broken invariant (and, as for a
// lost link, broken stays broken). Starvation is judged here, from the wait queues.

import { lockName } from '../include/locks.js';
import { hex, type Rule, type Violation } from '../include/rules.js';
import type { State } from '../state.js';
import { thousands } from '../lib/thousands.js';

/** Events a CPU may wait for one lock before it counts as starved. */
export const STARVATION_EVENTS = 200_000;

function recorded(name: string, description: string, say: (v: State['smp'] & object, i: number) => string): Rule {
  return {
    name,
    description,
    scope: 'global',
    cheap: true,
    check(v, _id, out: Violation[]) {
      const smp = v.s.smp;
      if (smp === undefined) return;
      smp.violations.forEach((x, i) => {
        if (x.rule === name) out.push({ invariant: name, message: `event ${x.event}, cpu ${x.cpu}: ${say(smp, i)}` });
      });
    },
  };
}

const pteRace = recorded(
  'smp-pte-race',
  "no CPU changes a pte while another CPU holds that page table's lock (page_table_lock, or the BKL)",
  (smp, i) => {
    const x = smp.violations[i];
    return `pte ${hex(x.subject)} changed while cpu ${x.other} holds ${lockName(x.lock)}`;
  },
);

const chainRace = recorded(
  'smp-chain-race',
  "no CPU edits a page's reverse-map chain while another CPU holds the page (PG_locked, or the BKL) in its critical section",
  (smp, i) => {
    const x = smp.violations[i];
    return `page ${x.subject}'s chain edited while cpu ${x.other} holds ${lockName(x.lock)}`;
  },
);

const lockOrder = recorded(
  'smp-lock-order',
  'a CPU blocks on a lock only when every lock it holds comes earlier in the lock order (bkl, mmap_sem, page_table_lock, page, pagemap)',
  (smp, i) => {
    const x = smp.violations[i];
    return `took ${lockName(x.lock)} while holding ${lockName(x.subject)}, which comes later in the lock order`;
  },
);

const deadlock = recorded(
  'smp-deadlock',
  'no cycle of CPUs each waiting for a lock the next one holds (then no CPU could run while work remains)',
  (smp, i) => {
    const x = smp.violations[i];
    return `waits for ${lockName(x.lock)} held by cpu ${x.other}, which waits (through others) for cpu ${x.cpu}`;
  },
);

const staleTlb = recorded(
  'smp-stale-tlb',
  "a pte change that takes a translation away from other CPUs' TLBs is followed at once by their flush (flush_tlb_page's IPI)",
  (smp, i) => {
    const x = smp.violations[i];
    return `pte ${hex(x.subject)} changed with no TLB shootdown: cpu ${x.other} can still use its old translation`;
  },
);

const starvation: Rule = {
  name: 'smp-starvation',
  description: `no CPU waits for one lock longer than ${thousands(STARVATION_EVENTS)} events`,
  scope: 'global',
  cheap: true,
  check(v, _id, out) {
    const smp = v.s.smp;
    if (smp === undefined) return;
    for (let c = 0; c < smp.ncpus; c++) {
      const waited = v.s.stats.events - smp.waitSince[c];
      if (smp.waiting[c] !== 0 && waited > STARVATION_EVENTS) {
        out.push({
          invariant: 'smp-starvation',
          message: `cpu ${c} has waited ${waited} events (since event ${smp.waitSince[c]}) for ${lockName(smp.waiting[c])}`,
        });
      }
    }
  },
};

export const SMP_RULES: readonly Rule[] = [pteRace, chainRace, lockOrder, deadlock, staleTlb, starvation];
