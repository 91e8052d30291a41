import { describe, expect, it } from 'vitest';
import { builtinScenarioNames, loadScenario, parseScenario, ScenarioError } from '../../src/workload/scenario.js';
import { parseSizePages } from '../../src/workload/size.js';
import { makeRunConfig } from '../../src/run-config.js';

describe('scenarios', () => {
  it.each(builtinScenarioNames())('built-in %s is valid', (name) => {
    expect(loadScenario(name).name).toBe(name);
  });

  it("x486 is the seed's machine: 8 MB with /usr on NFS and the 2.1.47 watermarks", () => {
    const sc = loadScenario('x486');
    const cfg = makeRunConfig(sc, { seed: '1' });
    expect(cfg.nframes).toBe(2048);
    expect(cfg.watermarks).toEqual({ min: 48, low: 72, high: 96 });
    expect(sc.files.filter((f) => f.name.startsWith('/usr/')).every((f) => f.backing === 'nfs')).toBe(true);
  });

  it('names the bad field and what is allowed', () => {
    const sc = loadScenario('tiny');
    expect(() => parseScenario({ ...sc, programs: { ...sc.programs, prog: { ...sc.programs.prog, libs: ['libm'] } } }, 'x.json')).toThrow(
      /programs\.prog\.libs: 'libm' is not in libs \(have: libc\)/,
    );
    expect(() => parseScenario({ ...sc, extra: 1 }, 'x.json')).toThrow(ScenarioError);
    expect(() => parseScenario({ ...sc, boot: [] }, 'x.json')).toThrow(/boot/);
  });

  it.each(['__proto__', 'constructor', 'toString', 'a b'])('a program named %s is refused with the rule for names', (bad) => {
    const sc = loadScenario('tiny');
    const progs = JSON.parse(JSON.stringify(sc.programs).replace('"prog"', JSON.stringify(bad)));
    const boot = sc.boot.map((b) => ({ ...b, program: b.program === 'prog' ? bad : b.program }));
    const json = JSON.parse(JSON.stringify({ ...sc, programs: progs, boot }));
    expect(() => parseScenario(json, 'x.json')).toThrow(ScenarioError);
    // the rule itself, not a dangling reference: zod's records drop a __proto__ key silently
    expect(() => parseScenario(json, 'x.json')).toThrow(new RegExp(`programs\\.${bad === 'a b' ? 'a b' : bad}: .*a name`));
  });

  it('limits derived from the machine: swap size (2.1: 8 devices of 128M), watermark order, processes at boot', () => {
    const sc = loadScenario('tiny');
    expect(() => makeRunConfig({ ...sc, swap: '100G' }, { seed: '1' })).toThrow(/swap of 26214400 pages is out of range: 2\.\.262144/);
    expect(() => makeRunConfig({ ...sc, watermarks: { min: 10, low: 5, high: 20 } }, { seed: '1' })).toThrow(/min <= low <= high/);
    expect(() => makeRunConfig({ ...sc, boot: [{ program: sc.boot[0].program, count: 60000 }] }, { seed: '1' })).toThrow(
      /boot starts 60000 processes/,
    );
    expect(() => parseScenario({ ...sc, boot: [{ program: sc.boot[0].program, count: 1e9 }] }, 'x.json')).toThrow(/boot\.0\.count/);
  });

  it('rejects programs that do not fit the i386 layout, naming the program and the limit', () => {
    const sc = loadScenario('tiny');
    const big = {
      ...sc,
      files: sc.files.map((f) => ({ ...f, pages: 300000 })),
      programs: { ...sc.programs, prog: { ...sc.programs.prog, text: 250000 } },
    };
    expect(() => parseScenario(big, 'x.json')).toThrow(
      /programs\.prog: text \+ data \+ heap \(\d+ pages\) run past 0x40000000 .* at most 229304 pages fit/,
    );
    const stack = { ...sc, programs: { ...sc.programs, child: { ...sc.programs.child, stack: 500000 } } };
    expect(() => parseScenario(stack, 'x.json')).toThrow(/programs\.child: the stack \(500000 pages\)/);
  });

  it('parses sizes in pages', () => {
    expect(parseSizePages('8M', 'm')).toBe(2048);
    expect(parseSizePages('1G', 'm')).toBe(262144);
    expect(parseSizePages('768K', 'm')).toBe(192);
    expect(() => parseSizePages('1000', 'm')).toThrow(/multiple of the 4 KiB/);
    expect(() => parseSizePages('big', '--mem')).toThrow(/--mem: 'big' is not a size/);
  });

  it('messages never echo a huge value whole, and list at most eight problems', () => {
    const sc = loadScenario('tiny');
    const huge = 'x'.repeat(1_000_000);
    const message = (json: unknown): string => {
      try {
        parseScenario(json, 'x.json');
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    const ref = message({ ...sc, programs: { ...sc.programs, prog: { ...sc.programs.prog, libs: [huge] } } });
    expect(ref).toMatch(/programs\.prog\.libs: 'xxx.*\.\.\. \(\d+ characters\)/);
    expect(ref.length).toBeLessThan(500);
    expect(() => makeRunConfig(parseScenario({ ...sc, memory: huge }, 'x.json'), { seed: '1' })).toThrow(
      /memory: 'x{40}\.\.\.' \(1000000 characters\) is not a size/,
    );
    expect(message({ ...sc, memory: [[[[[]]]]] })).toMatch(/memory: a list is not a size/);
    const { memory: _, ...noMemory } = sc;
    expect(message(noMemory)).toMatch(/memory: missing: write a whole number of pages/);
    const many = message({ ...sc, boot: Array.from({ length: 100 }, () => ({ program: 'nope' })) });
    expect(many.split('\n')).toHaveLength(10); // the header, eight problems, "and 92 more problems"
    expect(many).toMatch(/and 92 more problems$/);
    expect(() => parseSizePages(huge, 'reserved')).toThrow(/reserved: 'x{40}\.\.\.' \(1000000 characters\) is not a size/);
  });
});
