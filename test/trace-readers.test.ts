import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runTrace, type TraceOptions } from '../src/trace/run.js';
import { TraceError } from '../src/trace/errors.js';
import { pagesParser, parseLackeyLine } from '../src/trace/formats.js';

const dir = mkdtempSync(join(tmpdir(), 'mmsim-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer, gz = false): string {
  const p = join(dir, `t${n++}`);
  writeFileSync(p, gz ? gzipSync(content) : content);
  return p;
}
const lru = (format: 'lackey' | 'pages', extra: Partial<TraceOptions> = {}): TraceOptions => ({
  format,
  frames: 3,
  policy: 'lru',
  ...extra,
});

function refs(parse: (l: string, e: (p: number, w: boolean) => void) => string | null, line: string): [number, boolean][] | string {
  const out: [number, boolean][] = [];
  const r = parse(line, (p, w) => out.push([p, w]));
  return r ?? out;
}

describe('lackey lines', () => {
  it('I, L are reads; S, M are writes; ==PID== lines skipped', () => {
    expect(refs(parseLackeyLine, 'I  04010a0,3')).toEqual([[0x401, false]]);
    expect(refs(parseLackeyLine, ' L 1ffefff9f8,8')).toEqual([[0x1ffefff, false]]);
    expect(refs(parseLackeyLine, ' S 0402000,4')).toEqual([[0x402, true]]);
    expect(refs(parseLackeyLine, ' M 0402000,4')).toEqual([[0x402, true]]);
    expect(refs(parseLackeyLine, '==123== Lackey, an example Valgrind tool')).toEqual([]);
  });
  it('an access crossing a page boundary touches both pages', () => {
    expect(refs(parseLackeyLine, ' L 0401ffe,4')).toEqual([
      [0x401, false],
      [0x402, false],
    ]);
    expect(refs(parseLackeyLine, ' S 0401ffc,4')).toEqual([[0x401, true]]);
  });
  it('rejects a bad address, a bad size and an unknown kind', () => {
    expect(refs(parseLackeyLine, ' L 12zz,4')).toMatch(/bad address '12zz'/);
    expect(refs(parseLackeyLine, ' L 1234,0')).toMatch(/bad size '0'/);
    expect(refs(parseLackeyLine, ' X 1234,4')).toMatch(/expected/);
  });
});

describe('pages lines', () => {
  it('decimal, 0x-hex, and bare hex with hex=true', () => {
    expect(refs(pagesParser(false), '42')).toEqual([[42, false]]);
    expect(refs(pagesParser(false), '0x2a')).toEqual([[42, false]]);
    expect(refs(pagesParser(true), '2a')).toEqual([[42, false]]);
    expect(refs(pagesParser(false), '# comment')).toEqual([]);
    expect(refs(pagesParser(false), '2a')).toMatch(/bad page number '2a'.*--hex/);
  });
});

describe('runTrace', () => {
  const classic = '7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1'.split(' ').join('\n') + '\n';

  it('pages: the classic string gives the textbook LRU count, plain or gzipped', async () => {
    const r = await runTrace(file(classic), lru('pages'));
    expect(r).toMatchObject({ references: 20, faults: 12, frames: 3, policy: 'lru', pages: 6, lines: 20 });
    expect((await runTrace(file(classic, true), lru('pages'))).faults).toBe(12);
  });

  it('pages: every policy on the classic string, OPT from the two-pass next-use file', async () => {
    const f = file(classic);
    const got: Record<string, number> = {};
    for (const policy of ['fifo', 'lru', 'opt', 'clock'] as const)
      got[policy] = (await runTrace(f, { format: 'pages', frames: 3, policy })).faults;
    expect(got).toEqual({ fifo: 15, lru: 12, opt: 9, clock: 14 });
  });

  it('lackey: stores are written back when evicted', async () => {
    const lines = ['==1== hello', ' S 1000,4', ' L 2000,4', ' L 3000,4', ' L 4000,4', 'I  5000,2'].join('\n');
    const r = await runTrace(file(lines), lru('lackey'));
    expect(r).toMatchObject({ references: 5, faults: 5, evictions: 2, writeBacks: 1 });
  });

  it('skipBadLines counts and reports the bad lines', async () => {
    const r = await runTrace(file('1\n2\nbogus\n3\nzz\n1\n'), lru('pages', { skipBadLines: true }));
    expect(r).toMatchObject({ references: 4, badLines: 2, faults: 3 });
  });
});

describe('bad input: clear TraceErrors (exit code 2)', () => {
  async function err(p: Promise<unknown>): Promise<TraceError> {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).exitCode).toBe(2);
    return e as TraceError;
  }
  it('a malformed line names the file, line number and content', async () => {
    const f = file('1\n2\n3x\n');
    const e = await err(runTrace(f, lru('pages')));
    expect(e.message).toContain(`${f}:3:`);
    expect(e.message).toContain('"3x"');
    expect(e.message).toContain('--skip-bad-lines');
  });
  it('a bad address in a lackey trace', async () => {
    const e = await err(runTrace(file(' L 1000,4\n S 10g0,4\n'), lru('lackey')));
    expect(e.message).toMatch(/:2: malformed lackey line " S 10g0,4": bad address '10g0'/);
  });
  it('an empty file, and one with only comments', async () => {
    expect((await err(runTrace(file(''), lru('pages')))).message).toMatch(/no references: the file is empty/);
    expect((await err(runTrace(file('# nothing\n'), lru('pages')))).message).toMatch(/none of its 1 lines/);
    expect((await err(runTrace(file('', true), lru('lackey')))).message).toMatch(/empty/);
  });
  it('binary garbage', async () => {
    const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 255));
    expect((await err(runTrace(file(junk), lru('lackey')))).message).toMatch(/binary data, not a lackey trace/);
  });
  it('damaged gzip data', async () => {
    const gz = gzipSync(classicText());
    gz[gz.length - 6] ^= 0xff;
    expect((await err(runTrace(file(gz), lru('pages')))).message).toMatch(/gzip data is damaged/);
  });
  it('a missing file', async () => {
    expect((await err(runTrace(join(dir, 'nope.trace'), lru('pages')))).message).toMatch(/nope\.trace: no such file/);
  });
  it('frames 0 and an unknown policy', async () => {
    expect((await err(runTrace(file('1\n'), lru('pages', { frames: 0 })))).message).toMatch(/--frames 0: strict mode needs at least 1/);
    expect((await err(runTrace(file('1\n'), lru('pages', { policy: 'mru' as never })))).message).toMatch(
      /'mru' is not a strict-mode policy/,
    );
  });
  it('too many distinct 4 MiB regions for the i386 model', async () => {
    const many = Array.from({ length: 800 }, (_, i) => String(i * 1024)).join('\n');
    expect((await err(runTrace(file(many), lru('pages')))).message).toMatch(/769th distinct 4 MiB region/);
  });
});

function classicText(): string {
  return Array.from({ length: 2000 }, (_, i) => String(i % 13)).join('\n');
}
