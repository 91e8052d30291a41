import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DesignListError,
  allowedDesigns,
  formatCsv,
  formatJson,
  formatTable,
  parseDesignList,
  parsePositiveInt,
  runComparison,
  writePlots,
} from '../../src/compare/index.js';
import { loadScenario, ScenarioError } from '../../src/workload/scenario.js';

describe('design list parsing', () => {
  it('parses the default list and explicit lists', () => {
    expect(parseDesignList(undefined).map((d) => d.label)).toEqual(['clock/pte-chain', 'old/none', 'clock/pte-pool', 'clock/pte_chain']);
    expect(parseDesignList('old/pte_chain, clock/pte-pool')).toEqual([
      { label: 'old/pte_chain', reclaim: 'old', rmap: 'pte_chain' },
      { label: 'clock/pte-pool', reclaim: 'clock', rmap: 'pte-pool' },
    ]);
  });
  it('a design may name its swap-cache rules: reclaim/rmap@2.1.88 (with ageing too); @2.1.47 is the default written out', () => {
    expect(parseDesignList('clock/pte-chain@2.1.88,old-age/none@2.1.88,old/none@2.1.47')).toEqual([
      { label: 'clock/pte-chain@2.1.88', reclaim: 'clock', rmap: 'pte-chain', swapCache: '2.1.88' },
      { label: 'old-age/none@2.1.88', reclaim: 'old', rmap: 'none', age: 'none', swapCache: '2.1.88' },
      { label: 'old/none@2.1.47', reclaim: 'old', rmap: 'none' },
    ]);
    expect(() => parseDesignList('clock/pte-chain@2.2')).toThrow(/'clock\/pte-chain@2.2': swap-cache rules '2.2' are not known/);
    expect(() => parseDesignList('clock/nope@2.1.88')).toThrow(/rmap design 'nope' is not known/);
  });
  it('errors name the bad value and list the allowed designs', () => {
    expect(() => parseDesignList('clock/pte-chian')).toThrow(DesignListError);
    expect(() => parseDesignList('clock/pte-chian')).toThrow(
      /'clock\/pte-chian'.*rmap design 'pte-chian' is not known.*allowed designs are clock\/pte-chain/,
    );
    expect(() => parseDesignList('lru/none')).toThrow(/reclaim policy 'lru' is not known/);
    expect(() => parseDesignList('clock/none')).toThrow(/rmap 'none' cannot run with reclaim 'clock'/);
    expect(() => parseDesignList('clock')).toThrow(/not of the form reclaim\/rmap/);
    expect(() => parseDesignList('old/none,old/none')).toThrow(/listed twice/);
    expect(() => parseDesignList(' , ')).toThrow(/empty/);
    expect(allowedDesigns()).not.toContain('clock/none');
    expect(allowedDesigns()).toContain('old/none');
    expect(() => parsePositiveInt('0', '--steps')).toThrow(/--steps '0'/);
    expect(parsePositiveInt('12', '--steps')).toBe(12);
  });
  it('+steal and +retry after the rmap design turn on steal_specific_page and the forgiving allocator', () => {
    expect(parseDesignList('clock/pte-chain+steal,clock+age/pte-chain+retry+steal')).toEqual([
      { label: 'clock/pte-chain+steal', reclaim: 'clock', rmap: 'pte-chain', steal: true },
      { label: 'clock+age/pte-chain+retry+steal', reclaim: 'clock', rmap: 'pte-chain', age: '2.1.47', steal: true, alloc: 'retry' },
    ]);
    expect(() => parseDesignList('old/none+steal')).toThrow(/\+steal needs a reverse map.*'none' does not/);
    expect(() => parseDesignList('clock/pte-chain+stael')).toThrow(/'\+stael' is not known: after the rmap design come \+steal/);
    expect(() => parseDesignList('clock/pte-chain+steal+steal')).toThrow(/'\+steal' is not allowed twice/);
  });
});

describe('sharedlib:N scenarios', () => {
  it('builds N sharers and rejects bad N with a clear message', () => {
    const sc = loadScenario('sharedlib:16');
    expect(sc.boot).toEqual([
      { program: 'user', count: 16 },
      { program: 'hog', count: 1 },
    ]);
    expect(() => loadScenario('sharedlib:0')).toThrow(ScenarioError);
    expect(() => loadScenario('sharedlib:x')).toThrow(/whole number from 1 to 256/);
    // the message names what was written, not what parsing it made of it
    expect(() => loadScenario('sharedlib:x')).toThrow(/sharers 'x' is not allowed/);
    expect(() => loadScenario('sharedlib:')).not.toThrow(/NaN/);
    expect(() => loadScenario('sharedlib:0')).toThrow(
      /^scenario 'sharedlib:0': the number of sharers 0 is not allowed: a whole number from 1 to 256$/,
    );
  });
});

describe('runComparison', () => {
  it('parallel and sequential runs agree exactly; formatters carry every design', async () => {
    const opts = { scenario: 'tiny', seed: 3, steps: 1500, sampleEvery: 200 } as const;
    const seq = await runComparison({ ...opts, mode: 'sequential' });
    const par = await runComparison({ ...opts, mode: 'parallel', jobs: 2 });
    expect(par.results.map((r) => r.stateHash)).toEqual(seq.results.map((r) => r.stateHash));
    expect({ ...JSON.parse(formatJson(par)), wallMs: 0 }).toEqual({ ...JSON.parse(formatJson(seq)), wallMs: 0 });
    expect(seq.results).toHaveLength(4);
    for (const r of seq.results) {
      expect(r.steps).toBe(1500);
      expect(r.truncated).toBe(false);
      expect(r.pagesFreed, r.design).toBeGreaterThan(0);
      expect(r.rmapErrors).toBe(0);
    }
    const byName = Object.fromEntries(seq.results.map((r) => [r.design, r]));
    // the reverse maps differ only in memory: clock over pte-pool and pte_chain behave identically
    expect(byName['clock/pte-pool'].majorFaults).toBe(byName['clock/pte_chain'].majorFaults);
    expect(byName['clock/pte-pool'].pagesScanned).toBe(byName['clock/pte_chain'].pagesScanned);
    expect(byName['old/none'].rmapPeakBytes).toBe(0);
    expect(byName['clock/pte-chain'].rmapPeakBytes % 4096).toBe(0);
    const table = formatTable(seq);
    for (const d of ['clock/pte-chain', 'old/none', 'clock/pte-pool', 'clock/pte_chain']) expect(table).toContain(d);
    expect(table).toContain('ptes visited / page freed');
    const csv = formatCsv(seq).trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0].split(',')).toContain('ptesPerFreed');
    expect(formatCsv(seq, { histogram: true }).split('\n')[0]).toContain('touchesPerPass');
    const dir = mkdtempSync(join(tmpdir(), 'mmsim-plot-'));
    const files = writePlots(seq, dir);
    expect(files).toHaveLength(3);
    for (const f of files) {
      expect(existsSync(f)).toBe(true);
      const svg = readFileSync(f, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('<path d="M');
      expect(svg).toContain('old/none');
    }
  });
});
