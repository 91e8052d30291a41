// The slider's seek scheduling with a hand-cranked animation clock and hand-resolved loads.
import { describe, expect, it } from 'vitest';
import { SeekScheduler } from '../../../src/view/web/seek.js';

function rig() {
  const frames: (() => void)[] = [];
  const loads: { n: number; done: () => void }[] = [];
  const s = new SeekScheduler(
    (n) => new Promise<void>((resolve) => loads.push({ n, done: resolve })),
    (cb) => frames.push(cb),
  );
  const frame = () => {
    for (const cb of frames.splice(0)) cb();
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { s, frame, loads, settle };
}

describe('SeekScheduler', () => {
  it('many seeks within one animation frame make one request, for the latest position', () => {
    const { s, frame, loads } = rig();
    for (let n = 0; n < 50; n++) s.seek(n);
    expect(loads.length).toBe(0); // nothing before the frame
    frame();
    expect(loads.map((l) => l.n)).toEqual([49]);
    expect(s.requests).toBe(1);
  });

  it('one request in flight at a time; positions passed over meanwhile collapse to the latest', async () => {
    const { s, frame, loads, settle } = rig();
    s.seek(1);
    frame();
    for (let n = 2; n <= 9; n++) {
      s.seek(n);
      frame();
    }
    expect(loads.map((l) => l.n)).toEqual([1]);
    loads[0].done();
    await settle();
    frame();
    expect(loads.map((l) => l.n)).toEqual([1, 9]);
    loads[1].done();
    await settle();
    frame();
    expect(loads.length).toBe(2); // at 9: nothing more to fetch
  });

  it('seeking to the position shown asks nothing', async () => {
    const { s, frame, loads, settle } = rig();
    s.seek(3);
    frame();
    loads[0].done();
    await settle();
    s.seek(3);
    frame();
    expect(loads.length).toBe(1);
  });
});
