// The line splitter against the obvious split of the whole text (node:readline's line
// endings: \n, \r\n, a lone \r), however the bytes are cut into chunks.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { forEachLine, LineSplitter, MAX_LINE_BYTES } from '../../src/trace/lines.js';

const params = {
  numRuns: 400,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

const dir = mkdtempSync(join(tmpdir(), 'mmsim-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Got = { lines: string[]; long: [string, number, number][] };

function split(chunks: Buffer[]): Got {
  const got: Got = { lines: [], long: [] };
  const s = new LineSplitter({
    line(b, start, end, no) {
      expect(no).toBe(got.lines.length + got.long.length + 1);
      got.lines.push(b.toString('utf8', start, end));
    },
    longLine(head, length, no) {
      got.long.push([head.toString('latin1', 0, 8), length, no]);
    },
  });
  for (const c of chunks) s.push(c);
  s.end();
  return got;
}

/** What readline gives for the whole text (a last line without an ending still counts). */
function reference(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (/(\r\n|\n|\r)$/.test(text)) lines.pop();
  return lines;
}

function cut(b: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, b.length]) {
    out.push(b.subarray(from, p));
    from = p;
  }
  return out;
}

describe('LineSplitter', () => {
  it('gives the lines of the whole text however it is chunked', () => {
    const text = fc.array(fc.constantFrom('a', '1', ' ', '\n', '\r', '\r\n', 'é', '#'), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (t, at) => {
        expect(split(cut(Buffer.from(t), at)).lines).toEqual(reference(t));
      }),
      params,
    );
  });

  it('with a decimals sink: lines of 1-15 digits ended by \\n come as their values, in runs, every other line as before', () => {
    // lines as text, except those given to decimal(), which come as '=' and the value
    const splitDecimal = (chunks: Buffer[]): { lines: string[]; decimals: number } => {
      const lines: string[] = [];
      let decimals = 0;
      const s = new LineSplitter({
        line(b, start, end, no) {
          expect(no).toBe(lines.length + 1);
          lines.push(b.toString('utf8', start, end));
        },
        longLine() {
          throw new Error('no long lines here');
        },
        decimals(values, count, first) {
          expect(first).toBe(lines.length + 1);
          expect(count).toBeGreaterThan(0);
          for (let i = 0; i < count; i++) lines.push(`=${values[i]}`);
          decimals += count;
        },
      });
      for (const c of chunks) s.push(c);
      s.end();
      return { lines, decimals };
    };
    const digits = fc.stringMatching(/^[0-9]{1,17}$/);
    const piece = fc.oneof(
      digits.map((d) => `${d}\n`),
      digits.map((d) => `${d}\n`),
      digits,
      fc.constantFrom('\n', '\n', '\r', '\r\n', ' ', '#', 'x', '0x1f'),
    );
    const text = fc.array(piece, { maxLength: 40, size: 'max' }).map((a) => a.join(''));
    let used = 0;
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (t, at) => {
        const got = splitDecimal(cut(Buffer.from(t), at));
        const want = reference(t);
        used += got.decimals;
        expect(got.lines.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          if (!got.lines[i].startsWith('=')) expect(got.lines[i]).toBe(want[i]);
          else {
            expect(want[i]).toMatch(/^[0-9]{1,15}$/);
            expect(got.lines[i]).toBe(`=${Number(want[i])}`);
            expect(i).toBeGreaterThan(0); // the first line may hold a byte-order mark: never taken this way
          }
        }
      }),
      params,
    );
    expect(used).toBeGreaterThan(100);
  });

  it('drops a byte-order mark before the first line only, even when it is cut across chunks', () => {
    const b = Buffer.from('\ufeff L 1000,4\n\ufeff2\n');
    for (let i = 0; i <= b.length; i++) expect(split([b.subarray(0, i), b.subarray(i)]).lines).toEqual([' L 1000,4', '\ufeff2']);
  });

  it('reports a line longer than MAX_LINE_BYTES by its length and head, and goes on', () => {
    const big = 'x'.repeat(3 * MAX_LINE_BYTES + 5);
    const b = Buffer.from(`1\n${big}\n2\n${'y'.repeat(MAX_LINE_BYTES + 1)}`);
    for (const chunks of [[b], cut(b, [1000, 70000, 140000, 200000])]) {
      const got = split(chunks);
      expect(got.lines).toEqual(['1', '2']);
      expect(got.long).toEqual([
        ['xxxxxxxx', big.length, 2],
        ['yyyyyyyy', MAX_LINE_BYTES + 1, 4],
      ]);
    }
    // at the limit, a line is still a line
    expect(split([Buffer.from('z'.repeat(MAX_LINE_BYTES))]).lines[0].length).toBe(MAX_LINE_BYTES);
  });
});

describe('forEachLine', () => {
  it('reads plain and gzip files the same', async () => {
    const text = Array.from({ length: 100000 }, (_, i) => String(i * 7)).join('\n') + '\n';
    const plain = join(dir, 'plain'),
      gz = join(dir, 'gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    for (const f of [plain, gz]) {
      let sum = 0;
      const n = await forEachLine(f, {
        line(b, start, end) {
          sum += Number(b.toString('latin1', start, end));
        },
        longLine() {
          throw new Error('no long lines here');
        },
      });
      expect(n).toBe(100000);
      expect(sum).toBe((7 * 99999 * 100000) / 2);
    }
  });
});
