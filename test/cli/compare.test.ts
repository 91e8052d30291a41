import { afterEach, describe, expect, it, vi } from 'vitest';
import { designProgress } from '../../src/cli/compare.js';
import { ProgressLine } from '../../src/sweep/progress.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compare progress', () => {
  it('the sweep (dozens of runs at once) redraws one line cut to the terminal, dropping finished runs', () => {
    // a clock that moves a second per look, so the line's ten-a-second throttle lets every redraw through
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 1000));
    const writes: string[] = [];
    const line = new ProgressLine({ write: (s: string) => writes.push(s), isTTY: true, columns: 60 });
    const onProgress = designProgress(line)!;
    for (const n of [1, 2, 4, 8, 16, 32, 64]) onProgress(`sharedlib:${n} clock/pte-chain`, 50, 100);
    expect(writes.length).toBe(7);
    for (const w of writes) {
      expect(w.startsWith('\r\x1b[K')).toBe(true);
      expect(w.length - 4).toBeLessThan(60);
      expect(w).not.toMatch(/\n/);
    }
    expect(writes[0]).toBe('\r\x1b[Ksharedlib:1 clock/pte-chain 50%');
    onProgress('sharedlib:1 clock/pte-chain', 100, 100);
    expect(writes.at(-1)!.startsWith('\r\x1b[Ksharedlib:2 clock')).toBe(true);
    line.clear();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('nothing on a pipe', () => {
    expect(designProgress(new ProgressLine({ write: () => true }))).toBeUndefined();
  });
});
