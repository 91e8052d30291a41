import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { Cli } from '../../src/cli/context.js';
import { etaSeconds, Progress } from '../../src/cli/options.js';

/** A terminal stderr that records what is written, and a clock the test moves (the io's `now`). */
function tty(columns = 80) {
  const writes: string[] = [];
  let now = 0;
  const cli = new Cli({
    stdout: { write: () => true },
    stderr: { write: (s: string) => writes.push(s), isTTY: true, columns },
    stdin: Readable.from(['']),
    now: () => now,
  });
  return { cli, writes, at: (ms: number) => (now = ms) };
}

describe('etaSeconds', () => {
  it('scales the time so far by the work left over the work done', () => {
    expect(etaSeconds(2, 5, 100)).toBe(38);
    expect(etaSeconds(10, 100, 100)).toBe(0);
    expect(etaSeconds(3, 0, 100)).toBeNull();
  });
});

describe('Progress', () => {
  it('says the time left from the rate so far (38 s at 5% after 2 s, not 0 s)', () => {
    const t = tty();
    const p = new Progress(t.cli, 1000, 'run');
    t.at(2000);
    p.update(50);
    expect(t.writes.join('')).toBe('\r\x1b[Krun 5% | 50/1,000 events | ETA 0:38');
  });

  it('stays quiet for the first second and on a pipe', () => {
    const t = tty();
    const p = new Progress(t.cli, 1000, 'run');
    t.at(500);
    p.update(500);
    p.stop();
    expect(t.writes).toEqual([]);
    const pipe: string[] = [];
    const q = new Progress(
      new Cli({ stdout: { write: () => true }, stderr: { write: (s: string) => pipe.push(s) }, stdin: Readable.from(['']) }),
      10,
      'run',
    );
    t.at(5000);
    q.update(5);
    q.stop();
    expect(pipe).toEqual([]);
  });

  it('fits the terminal and leaves nothing behind at the end', () => {
    const t = tty(30);
    const p = new Progress(t.cli, 3000, 'shrink', 'tests', false);
    t.at(1500);
    p.update(120, 'smallest failing run 4,321 inputs');
    const line = t.writes.at(-1)!.replace('\r\x1b[K', '');
    expect(line.length).toBeLessThan(30);
    expect(line).toBe('shrink 4% | 120/3,000 tests |');
    p.stop();
    expect(t.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('keeps its ETA right as the work goes on at a steady rate, and ends at 0', () => {
    const t = tty();
    const p = new Progress(t.cli, 10_000, 'check');
    const shown: string[] = [];
    for (const [ms, done] of [
      [1000, 1000],
      [5000, 5000],
      [9000, 9000],
      [10_000, 10_000],
    ]) {
      t.at(ms);
      p.update(done);
      shown.push(t.writes.at(-1)!.replace('\r\x1b[K', ''));
    }
    expect(shown).toEqual([
      'check 10% | 1,000/10,000 events | ETA 0:09',
      'check 50% | 5,000/10,000 events | ETA 0:05',
      'check 90% | 9,000/10,000 events | ETA 0:01',
      'check 100% | 10,000/10,000 events | ETA 0:00',
    ]);
  });

  it('without a total (a search) shows the count so far and no percentage or ETA', () => {
    const t = tty();
    const p = new Progress(t.cli, null, 'bisect');
    t.at(1500);
    p.update(123_456);
    expect(t.writes.at(-1)).toBe('\r\x1b[Kbisect | 123,456 events so far');
  });
});
