// The SMP scheduler: which runnable CPU takes the next step. It draws from its own seeded
// stream (`smp-sched`), so adding a CPU or a strategy never shifts the workload's streams,
// and its choices are logged (`cpu` events), so a replay never needs it.
//
// pct:D is probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// ASPLOS 2010): each CPU gets a random priority, the highest-priority runnable CPU runs, and
// at D-1 random steps the running CPU drops below every other. mmsim's runs never end, so
// priorities and change points are drawn afresh every PCT_ROUND steps: the paper's bound
// (a bug of depth D is hit with probability at least 1/(n·k^(D-1)) for n CPUs and k steps)
// holds per round, with k = PCT_ROUND.

import { Rng } from '../workload/rng.js';

export type SchedSpec = { kind: 'rr' } | { kind: 'random' } | { kind: 'time' } | { kind: 'pct'; depth: number };

/** Steps per PCT round: the k of the depth bound. */
export const PCT_ROUND = 1000;
export const MAX_PCT_DEPTH = 16;

export class SchedSpecError extends Error {}

/** `rr`, `random`, `time` or `pct:D` (D = 1..16). */
export function parseSched(text: string): SchedSpec {
  if (text === 'rr' || text === 'random' || text === 'time') return { kind: text };
  const m = /^pct:(\d+)$/.exec(text);
  if (m !== null) {
    const depth = Number(m[1]);
    if (depth >= 1 && depth <= MAX_PCT_DEPTH) return { kind: 'pct', depth };
  }
  throw new SchedSpecError(
    `--sched '${text}' is not a schedule: allowed values are rr, random, time and pct:D with D from 1 to ${MAX_PCT_DEPTH}`,
  );
}

export const formatSched = (s: SchedSpec): string => (s.kind === 'pct' ? `pct:${s.depth}` : s.kind);

export interface Scheduler {
  /** The CPU to step next, from `runnable` (ascending CPU numbers, never empty); `clock` is each CPU's clock (µs). */
  pick(runnable: readonly number[], clock: readonly number[]): number;
}

export function makeScheduler(spec: SchedSpec, ncpus: number, seed: string): Scheduler {
  const rng = new Rng(seed, 'smp-sched');
  if (spec.kind === 'rr') return roundRobin(ncpus);
  if (spec.kind === 'random') return { pick: (r) => r[rng.int(r.length)] };
  if (spec.kind === 'time') return { pick: earliest };
  return new Pct(ncpus, spec.depth, rng);
}

/**
 * `time`: the runnable CPU whose clock is earliest (the lowest-numbered on a tie), as a
 * discrete-event simulation orders its events. The others let a CPU run ahead in simulated
 * time, which is what finds races but makes the lock wait times a measure of the schedule:
 * figures of throughput and lock wait come from this one.
 */
function earliest(r: readonly number[], clock: readonly number[]): number {
  let c = r[0];
  for (const x of r) if (clock[x] < clock[c]) c = x;
  return c;
}

/** The next runnable CPU after the one that ran last, cyclically. */
function roundRobin(ncpus: number): Scheduler {
  let last = ncpus - 1;
  return {
    pick(r) {
      for (let i = 1; i <= ncpus; i++) {
        const c = (last + i) % ncpus;
        if (r.includes(c)) {
          last = c;
          return c;
        }
      }
      return r[0];
    },
  };
}

export class Pct implements Scheduler {
  private readonly prio: number[];
  /** Step numbers within the round at which the running CPU is demoted, mapped to its new priority. */
  private changes = new Map<number, number>();
  private step = 0;

  constructor(
    private readonly ncpus: number,
    private readonly depth: number,
    private readonly rng: Rng,
  ) {
    this.prio = new Array<number>(ncpus).fill(0);
    this.newRound();
  }

  /** Priorities depth..depth+n-1 in a random order; depth-1 change points with priorities depth-1..1. */
  private newRound(): void {
    const order = Array.from({ length: this.ncpus }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let i = 0; i < this.ncpus; i++) this.prio[order[i]] = this.depth + i;
    this.changes = new Map();
    for (let d = this.depth - 1; d >= 1; d--) {
      let at = this.rng.int(PCT_ROUND);
      while (this.changes.has(at)) at = (at + 1) % PCT_ROUND;
      this.changes.set(at, d);
    }
  }

  private best(r: readonly number[]): number {
    let c = r[0];
    for (const x of r) if (this.prio[x] > this.prio[c]) c = x;
    return c;
  }

  pick(r: readonly number[]): number {
    if (this.step === PCT_ROUND) {
      this.step = 0;
      this.newRound();
    }
    let c = this.best(r);
    const demote = this.changes.get(this.step);
    if (demote !== undefined) {
      this.prio[c] = demote;
      c = this.best(r);
    }
    this.step++;
    return c;
  }
}
