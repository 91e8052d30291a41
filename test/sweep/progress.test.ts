import { describe, expect, it } from 'vitest';
import { formatEta, ProgressLine, progressLine } from '../../src/sweep/progress.js';

describe('progress line', () => {
  const p = { done: 7, total: 16, failed: 1, skipped: 2, etaSeconds: 75, where: '2 threads' };
  it('says runs done/total, failures and ETA on one line', () => {
    expect(progressLine(p, 200)).toBe('sweep 7/16 runs (43%)  1 failed  ETA 1:15  2 already done  2 threads');
  });
  it('fits the terminal: drops the least useful parts first, never wraps', () => {
    expect(progressLine(p, 40)).toBe('sweep 7/16 runs (43%)  1 failed');
    expect(progressLine(p, 12)).toBe('sweep 7/16 ');
    for (const w of [10, 30, 50, 80]) expect(progressLine(p, w).length).toBeLessThan(w);
  });
  it('ETA', () => {
    expect(formatEta(null)).toBe('ETA --');
    expect(formatEta(3725)).toBe('ETA 1:02:05');
  });
});

describe('ProgressLine.show', () => {
  it("cuts another command's text to the terminal's width, and writes nothing on a pipe", () => {
    const writes: string[] = [];
    const line = new ProgressLine({ write: (s: string) => writes.push(s), isTTY: true, columns: 20 });
    line.show('x'.repeat(370), true);
    expect(writes).toEqual([`\r\x1b[K${'x'.repeat(19)}`]);
    line.clear();
    expect(writes.at(-1)).toBe('\r\x1b[K');
    const pipe: string[] = [];
    new ProgressLine({ write: (s: string) => pipe.push(s) }).show('x', true);
    expect(pipe).toEqual([]);
  });
});
