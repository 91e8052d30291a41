import { describe, expect, it } from 'vitest';
import { jobId, makeJob, memLabel, toLine } from '../../src/sweep/job.js';
import { runDesign } from '../../src/compare/run.js';
import { toDesignJob } from '../../src/sweep/job.js';
import { loadScenario } from '../../src/workload/scenario.js';

const tiny = loadScenario('tiny');

describe('job ids', () => {
  const base = jobId('0.1.0', tiny, '1', 'clock/pte-chain', 64, 1000);
  it('are 24 hex digits, the same for the same inputs', () => {
    expect(base).toMatch(/^[0-9a-f]{24}$/);
    expect(jobId('0.1.0', loadScenario('tiny'), '1', 'clock/pte-chain', 64, 1000)).toBe(base);
  });
  it('change with the version, the scenario contents, seed, design, memory and steps', () => {
    const others = [
      jobId('0.1.1', tiny, '1', 'clock/pte-chain', 64, 1000),
      jobId('0.1.0', { ...tiny, swap: '8M' }, '1', 'clock/pte-chain', 64, 1000),
      jobId('0.1.0', tiny, '2', 'clock/pte-chain', 64, 1000),
      jobId('0.1.0', tiny, '1', 'old/none', 64, 1000),
      jobId('0.1.0', tiny, '1', 'clock/pte-chain', 128, 1000),
      jobId('0.1.0', tiny, '1', 'clock/pte-chain', 64, 1001),
    ];
    expect(new Set([base, ...others]).size).toBe(7);
  });
});

describe('a job', () => {
  it('runs the comparison engine with its memory and records the config beside the report, without time series', () => {
    const p = makeJob('0.1.0', tiny, '3', 'old/none', 128, 500);
    const r = runDesign(toDesignJob(p));
    const line = toLine(p.job, r);
    expect(line).toMatchObject({ scenario: 'tiny', seed: '3', design: 'old/none', memPages: 128, steps: 500, version: '0.1.0' });
    expect(line.report.stateHash).toBe(r.stateHash);
    expect('samples' in line.report).toBe(false);
    // memory is what the job says, not the scenario's 64 pages
    const small = runDesign(toDesignJob(makeJob('0.1.0', tiny, '3', 'old/none', 64, 500)));
    expect(small.stateHash).not.toBe(r.stateHash);
  });
  it('memory labels', () => {
    expect(memLabel(2048)).toBe('8M');
    expect(memLabel(192)).toBe('768K');
  });
});
