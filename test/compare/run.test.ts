import { describe, expect, it } from 'vitest';
import { runDesign } from '../../src/compare/run.js';
import { loadScenario } from '../../src/workload/scenario.js';

describe('runDesign', () => {
  it('boots a captured machine before its first step (it used to run only timer ticks: 0 events)', () => {
    const r = runDesign({
      scenario: loadScenario('test/fixtures/machine-capture.json'),
      seed: '1',
      steps: 200,
      maxEvents: 1e9,
      design: { label: 'clock/pte-chain', reclaim: 'clock', rmap: 'pte-chain' },
      sampleEvery: 1000,
    });
    // the boot alone touches the capture's 444 resident pages, so more faults than steps
    expect(r.majorFaults + r.minorFaults).toBeGreaterThan(200);
    expect(r.events).toBeGreaterThan(1000);
  });
});
