// Named, seeded random streams (seedrandom's alea with saved state): one per purpose, so
// adding a draw to one purpose never shifts another's sequence. Never Math.random.

import seedrandom from 'seedrandom';

export type RngState = object;

interface StatefulPrng {
  (): number;
  state(): RngState;
}

export class Rng {
  private readonly prng: StatefulPrng;
  constructor(seed: string, name: string, state?: RngState) {
    const alea = seedrandom.alea as unknown as (seed: string, opts: { state: true | RngState }) => StatefulPrng;
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
