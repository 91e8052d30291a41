import { traceFailure as failure } from '../helpers.js';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectFormat, otherFormatsReading } from '../../src/trace/detect.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
const EXAMPLE = new URL('../fixtures/example.mmtrace', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mmsim-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer, gz = false): string {
  const p = join(dir, `d${n++}`);
  writeFileSync(p, gz ? gzipSync(content) : content);
  return p;
}

describe('detectFormat', () => {
  it('tells each format from its first telling line', async () => {
    expect(await detectFormat(FIXTURE)).toEqual({ format: 'lackey', line: 1 });
    expect(await detectFormat(EXAMPLE)).toMatchObject({ format: 'mmtrace' });
    expect(await detectFormat(file('\n# hot loop\n\n42\n7\n'))).toEqual({ format: 'pages', line: 4 });
    expect(await detectFormat(file('0x2a\n', true))).toEqual({ format: 'pages', line: 1 });
    expect(await detectFormat(file('\ufeffI  0401000,3\n'))).toEqual({ format: 'lackey', line: 1 });
    expect(await detectFormat(file('2a\n'), true)).toEqual({ format: 'pages', line: 1 });
  });

  it('when it cannot, names the formats tried and why each refused, and does not suggest --skip-bad-lines', async () => {
    const m = await failure(detectFormat(file('# x\nhello world\n1\n')));
    expect(m).toMatch(
      /:2: cannot tell the trace format: "hello world" is not lackey \(.*\), not pages \(.*\), not mmtrace \(.*\); pass --format/,
    );
    expect(m).not.toMatch(/skip-bad-lines/);
    const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 255));
    expect(await failure(detectFormat(file(junk)))).toMatch(
      /binary data, not a trace in any format mmsim reads \(tried lackey, pages, mmtrace\)/,
    );
    expect(await failure(detectFormat(file('')))).toMatch(/no references: the file is empty/);
    expect(await failure(detectFormat(file('# a\n\n')))).toMatch(/its 2 lines are blank or comments/);
  });

  it.skipIf(spawnSync('mkfifo', ['--version']).status !== 0)('refuses a pipe, whose start it would consume', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(await failure(detectFormat(fifo))).toMatch(/fifo: not a regular file \(a pipe or a device\): .*; pass --format/);
  });

  it('a huge first line is refused by its length, with a short message', async () => {
    const m = await failure(detectFormat(file(' L ' + 'a'.repeat(1 << 20) + ',4\n')));
    expect(m).toMatch(/the line is over [\d,]+ bytes long, longer than a line of any format/);
    expect(m.length).toBeLessThan(300);
  });

  it('otherFormatsReading: the hint after a bad first line', () => {
    expect(otherFormatsReading('42', 'lackey', false)).toEqual(['pages']);
    expect(otherFormatsReading(' L 1000,4', 'pages', false)).toEqual(['lackey']);
    expect(otherFormatsReading('mmtrace 1', 'pages', false)).toEqual(['mmtrace']);
    expect(otherFormatsReading('junk', 'pages', false)).toEqual([]);
  });
});
