// npm run snapshots:update — rewrite the golden snapshots in snapshots/ deliberately
// (after a reviewed change to the reducer or kernel). The tests never write them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGolden, GOLDEN, goldenName, goldenStates } from '../src/snapshot/golden.js';
import { stateHash } from '../src/snapshot/hash.js';

const dir = join(process.cwd(), 'snapshots');
mkdirSync(dir, { recursive: true });
for (const g of GOLDEN) {
  const states = goldenStates(g);
  for (const at of g.at) {
    const state = states.get(at)!;
    const bytes = encodeGolden({ scenario: g.scenario, seed: g.seed, event: at, hash: stateHash(state), state });
    writeFileSync(join(dir, goldenName(g, at)), bytes);
    process.stdout.write(`snapshots/${goldenName(g, at)}: ${bytes.length} bytes, hash ${stateHash(state).slice(0, 16)}…\n`);
  }
}
