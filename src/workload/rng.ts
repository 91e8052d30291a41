// Named, seeded random streams (seedrandom's alea with saved state): one per purpose, so
// adding a draw to one purpose never shifts another's sequence. Never Math.random.

import { createRequire } from 'node:module';

export type RngState = object;

interface StatefulPrng {
  (): number;
  state(): RngState;
}

type Alea = (seed: string, opts: { state: true | RngState }) => StatefulPrng;

/**
 * seedrandom's alea (the function its index exports as `seedrandom.alea`), loaded alone and
 * at the first Rng: the index loads eight files, and a command that draws nothing (a trace
 * run) loads none of them.
 */
let alea: Alea | null = null;

export class Rng {
  private readonly prng: StatefulPrng;
  constructor(seed: string, name: string, state?: RngState) {
    alea ??= createRequire(import.meta.url)('seedrandom/lib/alea.js') as Alea;
    this.prng = alea(`${seed}/${name}`, { state: state ?? true });
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }
  state(): RngState {
    return this.prng.state();
  }
}
