// The byte parsers against the text parsers they stand in for: on any line, either they
// decline (emitting nothing) or the text parser accepts it with the same references. And on
// the lines real traces are made of they must not decline, or the fast path is never taken.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lackeyBytes, pagesBytes, readNumber, type ByteLineParser } from '../../src/trace/bytes.js';
import { pagesParser, parseLackeyLine, type LineParser } from '../../src/trace/formats.js';

// Replay a failure with FC_SEED=<seed printed in the failure> (and FC_PATH=<path>).
const params = {
  numRuns: 3000,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

type Refs = [number, boolean][];

/** A lackey size can ask for 2^41 pages: collect the first 1000 (a run stops such a line at --max-events). */
const ENOUGH = 1000;
const STOP = new Error('enough references');
function collector(out: Refs): (p: number, w: boolean) => void {
  return (p, w) => {
    out.push([p, w]);
    if (out.length === ENOUGH) throw STOP;
  };
}

function viaBytes(parse: ByteLineParser, line: string): Refs | 'declined' {
  const b = Buffer.from(line, 'utf8');
  const out: Refs = [];
  // padding on both sides: a parser must stay inside [start, end)
  const padded = Buffer.concat([Buffer.from('9 ,'), b, Buffer.from('7,1')]);
  try {
    if (!parse(padded, 3, 3 + b.length, collector(out))) {
      expect(out).toEqual([]);
      return 'declined';
    }
  } catch (err) {
    if (err !== STOP) throw err;
  }
  return out;
}

function viaText(parse: LineParser, line: string): Refs | string {
  const out: Refs = [];
  try {
    return parse(line, collector(out)) ?? out;
  } catch (err) {
    if (err !== STOP) throw err;
    return out;
  }
}

const pieces = [
  'I',
  ' ',
  '  ',
  'L',
  'S',
  'M',
  'X',
  '=',
  ',',
  '#',
  '0',
  '0x',
  '0X',
  '1',
  '9',
  'a',
  'F',
  'g',
  'ff',
  '\t',
  '\v',
  '\u00a0',
  '\ufeff',
  'é',
  '-',
  '+',
  '.',
];
const junk = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => a.join(''));
const hexish = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 60n }).map((v) => v.toString(16)),
  fc.constantFrom('', '0', '00401000', 'fffffffffffff', '20000000000000', 'xyz', '1g'),
);
const decish = fc.oneof(fc.nat({ max: 20000 }).map(String), fc.constantFrom('', '0', '00', '9007199254740991', '9007199254740992', '4x'));
const blanks = fc.constantFrom('', ' ', '  ', '\t', ' \t ', '\u00a0');
const lackeyish = fc
  .tuple(
    fc.constantFrom('I  ', 'I ', ' L ', ' S ', ' M ', ' X ', 'L ', '==1== ', '', ' '),
    blanks,
    hexish,
    fc.constantFrom(',', ', ', ''),
    decish,
    blanks,
  )
  .map((t) => t.join(''));
const pagesish = fc.tuple(blanks, fc.constantFrom('', '0x', '0X', '#'), fc.oneof(hexish, decish), blanks).map((t) => t.join(''));

/** Whether the byte parser took the line (and if so, that the text parser agrees). */
function agrees(fast: ByteLineParser, slow: LineParser, line: string): boolean {
  const f = viaBytes(fast, line);
  if (f === 'declined') return false;
  expect(viaText(slow, line), JSON.stringify(line)).toEqual(f);
  return true;
}

describe('byte parsers accept only what the text parsers accept, with the same references', () => {
  for (const [name, fast, slow, gen] of [
    ['lackey', lackeyBytes, parseLackeyLine, fc.oneof(lackeyish, junk)],
    ['pages', pagesBytes(false), pagesParser(false), fc.oneof(pagesish, junk)],
    ['pages --hex', pagesBytes(true), pagesParser(true), fc.oneof(pagesish, junk)],
  ] as const) {
    it(name, () => {
      let taken = 0;
      fc.assert(
        fc.property(gen, (line) => {
          if (agrees(fast, slow, line)) taken++;
        }),
        params,
      );
      // the generators make enough good lines for the comparison to mean something
      expect(taken).toBeGreaterThan(params.numRuns / 20);
    });
  }
});

describe('byte parsers take the lines traces are made of', () => {
  it('lackey', () => {
    expect(viaBytes(lackeyBytes, 'I  04010a0,3')).toEqual([[0x401, false]]);
    expect(viaBytes(lackeyBytes, ' L 1ffefff9f8,8')).toEqual([[0x1ffefff, false]]);
    expect(viaBytes(lackeyBytes, ' S 0402000,4')).toEqual([[0x402, true]]);
    expect(viaBytes(lackeyBytes, ' M 0401ffe,4 ')).toEqual([
      [0x401, true],
      [0x402, true],
    ]);
    expect(viaBytes(lackeyBytes, '==123== Lackey, an example Valgrind tool')).toEqual([]);
    expect(viaBytes(lackeyBytes, '')).toEqual([]);
  });
  it('pages', () => {
    expect(viaBytes(pagesBytes(false), '42')).toEqual([[42, false]]);
    expect(viaBytes(pagesBytes(false), ' 0x2A\t')).toEqual([[42, false]]);
    expect(viaBytes(pagesBytes(true), '2a')).toEqual([[42, false]]);
    expect(viaBytes(pagesBytes(false), '# a comment')).toEqual([]);
    expect(viaBytes(pagesBytes(false), '   ')).toEqual([]);
  });
  it('and decline what needs the text parser: a bad number, Unicode blanks', () => {
    expect(viaBytes(pagesBytes(false), '2a')).toBe('declined');
    expect(viaBytes(pagesBytes(false), '9007199254740992')).toBe('declined');
    expect(viaBytes(pagesBytes(false), '\u00a042')).toBe('declined');
    expect(viaText(pagesParser(false), '\u00a042')).toEqual([[42, false]]);
    expect(viaBytes(lackeyBytes, ' L 1000,0')).toBe('declined');
  });
});

describe('readNumber', () => {
  it('reads decimal, hex and 0x-hex up to 2^53 - 1, and says where the number ends', () => {
    const b = Buffer.from('123 0x1f ff 9007199254740991 9007199254740992');
    expect(readNumber(b, 0, b.length, false, true)).toBe(123);
    expect(readNumber(b, 4, b.length, false, true)).toBe(31);
    expect(readNumber(b, 9, b.length, true, false)).toBe(255);
    expect(readNumber(b, 12, b.length, false, false)).toBe(Number.MAX_SAFE_INTEGER);
    expect(readNumber(b, 29, b.length, false, false)).toBe(-1);
    expect(readNumber(b, 3, b.length, false, false)).toBe(-1);
  });
});
