import { readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogReader } from '../../src/log/reader.js';
import { LogWriter } from '../../src/log/writer.js';
import { replayLog } from '../../src/log/replay.js';
import { LogError, PREAMBLE_BYTES } from '../../src/log/format.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { simulation, tmp } from '../helpers.js';

function record(path: string, events = 30000): string {
  const sim = simulation('x486', '11');
  const w = new LogWriter(path, { config: sim.cfg, initial: sim.initial });
  sim.machine.sink = (e) => w.event(e);
  const s = sim.run(events);
  const hash = stateHash(s);
  w.close({ hash });
  return hash;
}

describe('run log', () => {
  it('replays to the recorded hash', () => {
    const f = tmp('r.mmlog');
    const hash = record(f);
    const log = new LogReader(f);
    expect(log.warnings).toEqual([]);
    expect(log.end?.hash).toBe(hash);
    expect(stateHash(replayLog(log))).toBe(hash);
    expect(stateHash(replayLog(log, 'immer'))).toBe(hash);
  });

  it('a torn tail keeps the intact prefix with a warning', () => {
    const f = tmp('torn.mmlog');
    record(f);
    const size = statSync(f).size;
    truncateSync(f, size - 100);
    const log = new LogReader(f);
    expect(log.end).toBeNull();
    expect(log.warnings.join('\n')).toMatch(/torn tail at chunk \d+ \(byte offset \d+\)/);
    expect(log.events).toBeGreaterThan(0);
    // the prefix replays (to some state) without error
    expect(() => replayLog(log)).not.toThrow();
  });

  it('a chunk of zeros at the end (a crash before the data reached the disk) is a torn tail', () => {
    const f = tmp('zeros.mmlog');
    record(f);
    const buf = readFileSync(f);
    const extra = Buffer.alloc(64);
    extra.writeUInt32LE(56, 0);
    writeFileSync(f, Buffer.concat([buf, extra]));
    const log = new LogReader(f);
    expect(log.warnings.join('\n')).toMatch(/never written|torn tail/);
  });

  it('one flipped byte in the middle is an error naming the chunk and its offset', () => {
    const f = tmp('flip.mmlog');
    record(f);
    const buf = readFileSync(f);
    const at = Math.floor(buf.length / 2);
    buf[at] ^= 0x10;
    writeFileSync(f, buf);
    let err: unknown;
    try {
      new LogReader(f, { walk: true });
    } catch (e) {
      err = e;
    }
    // opened through its index, the damaged chunk is found when replay reads it
    expect(() => replayLog(new LogReader(f))).toThrow(/chunk \d+ \(events\) at byte offset \d+ is damaged/);
    expect(err).toBeInstanceOf(LogError);
    expect((err as LogError).message).toMatch(/chunk (\d+) at byte offset (\d+) is damaged/);
    const m = /chunk (\d+) at byte offset (\d+)/.exec((err as LogError).message)!;
    expect(Number(m[2])).toBeLessThanOrEqual(at);
    expect(Number(m[2])).toBeGreaterThanOrEqual(PREAMBLE_BYTES);
  });

  it('a file of another format is rejected at offset 0', () => {
    const f = tmp('other.mmlog');
    writeFileSync(f, JSON.stringify({ hello: 'world' }));
    expect(() => new LogReader(f)).toThrow(/not an mmsim run log/);
  });

  it('a missing file is a clear error', () => {
    expect(() => new LogReader('/nonexistent/x.mmlog')).toThrow(/cannot open log .*ENOENT/);
  });
});
