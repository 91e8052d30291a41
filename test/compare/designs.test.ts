// Design labels: parseDesign reads back every label compare --cpus and sweep --cpus write
// (`clock/pte-chain 2cpu/bkl`), so a sweep's results file names the machine its runs ran on.
import { describe, expect, it } from 'vitest';
import { DesignListError, expandCpus, parseDesign, parseDesignList } from '../../src/compare/designs.js';
import { designRunOptions } from '../../src/compare/run.js';

describe('parseDesign', () => {
  it('reads back every label expandCpus makes, as the same spec', () => {
    const specs = expandCpus(parseDesignList('clock/pte-chain,clock+age/pte_chain+steal,old/none'), [1, 2, 8], ['bkl']);
    const fine = expandCpus(parseDesignList('clock/pte-chain@2.1.88'), [4], ['fine']);
    for (const s of [...specs, ...fine]) expect(parseDesign(s.label), s.label).toEqual(s);
    expect(parseDesign('clock/pte-chain 4cpu/fine')).toMatchObject({
      reclaim: 'clock',
      rmap: 'pte-chain',
      smp: { cpus: 4, locking: 'fine' },
    });
  });

  it('gives one CPU the 1-CPU machine and more the SMP machine scheduled by time', () => {
    expect(designRunOptions(parseDesign('clock/pte-chain 1cpu'))).not.toHaveProperty('cpus');
    expect(designRunOptions(parseDesign('old/none 2cpu/bkl'))).toMatchObject({ cpus: 2, locking: 'bkl', sched: 'time' });
    expect(designRunOptions(parseDesign('clock/pte-chain+steal'))).toMatchObject({ rmap: 'pte-chain', steal: true });
  });

  it('names what is wrong with a machine', () => {
    const err = (label: string): string => {
      try {
        parseDesign(label);
      } catch (e) {
        expect(e).toBeInstanceOf(DesignListError);
        return (e as Error).message;
      }
      throw new Error(`${label} was accepted`);
    };
    expect(err('clock/pte-chain 2cpu')).toMatch(/2 CPUs need a locking design \(bkl, fine\): write e.g. 'clock\/pte-chain 2cpu\/bkl'/);
    expect(err('clock/pte-chain 1cpu/bkl')).toMatch(/one CPU takes no locks: write 'clock\/pte-chain 1cpu'/);
    expect(err('clock/pte-chain 17cpu/bkl')).toMatch(/17 CPUs is not 1 to 16/);
    expect(err('clock/pte-chain 2cpu/spin')).toMatch(/need a locking design/);
    expect(err('old/none 2cpu/fine')).toMatch(/--locking fine is modelled for --reclaim clock only/);
    expect(err('clock/nope 2cpu/bkl')).toMatch(/rmap design 'nope' is not known/);
    // a design with its machine runs on that machine; --cpus does not expand it again
    expect(() => expandCpus([parseDesign('clock/pte-chain 2cpu/bkl')], [1], ['bkl'])).toThrow(
      /design 'clock\/pte-chain 2cpu\/bkl' names its machine already: with --cpus, list the design without it/,
    );
  });
});
