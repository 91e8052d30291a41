import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMmtrace } from '../src/trace/mmtrace.js';
import { TraceError } from '../src/trace/errors.js';
import { checkState } from '../src/check/invariants.js';
import { FAULT } from '../src/events.js';
import type { EventStore } from '../src/event-store.js';

const EXAMPLE = new URL('./fixtures/example.mmtrace', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mmsim-mmtrace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string): string => {
  const p = join(dir, `m${n++}`);
  writeFileSync(p, text);
  return p;
};

describe('mmtrace', () => {
  it('runs the documented example: fork shares present pages, a write copies, a shared file page is found in the cache', async () => {
    const r = await runMmtrace(EXAMPLE, { frames: 16, policy: 'lru' });
    expect(r).toMatchObject({ references: 13, faults: 11, hits: 2, evictions: 0, processes: 3, forks: 1, exits: 1 });
    expect(r.faultKinds[FAULT.cow]).toBe(1);
    expect(r.faultKinds[FAULT.file]).toBe(1);
    expect(r.faultKinds[FAULT.file_major]).toBe(7);
    expect(r.faultKinds[FAULT.anon]).toBe(2);
  });

  it('under pressure (2 frames) anonymous pages go to swap and come back, and the machine stays consistent', async () => {
    for (const policy of ['clock', 'fifo', 'lru'] as const) {
      let m: EventStore | null = null;
      const r = await runMmtrace(EXAMPLE, {
        frames: 2,
        policy,
        onStart: (i) => {
          m = i.machine;
        },
      });
      expect(r.evictions).toBeGreaterThan(0);
      expect(r.faultKinds[FAULT.swapin]).toBeGreaterThan(0);
      expect(checkState(m!.state())).toEqual([]);
    }
  });

  it('refuses OPT and reports bad lines with file, line number and content', async () => {
    const err = async (p: Promise<unknown>): Promise<string> => {
      const e = await p.then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(TraceError);
      return (e as Error).message;
    };
    expect(await err(runMmtrace(EXAMPLE, { frames: 4, policy: 'opt' }))).toMatch(/opt needs the future/);
    expect(await err(runMmtrace(file('exec 1\n'), { frames: 4, policy: 'lru' }))).toMatch(
      /:1: "exec 1": the first line must be the header 'mmtrace 1'/,
    );
    expect(await err(runMmtrace(file('mmtrace 1\nr 7 0x1000\n'), { frames: 4, policy: 'lru' }))).toMatch(
      /:2: "r 7 0x1000": pid 7 does not exist/,
    );
    expect(
      await err(runMmtrace(file('mmtrace 1\nexec 1\nmmap 1 0x1000 0x1000 private r /x\nw 1 0x1000\n'), { frames: 4, policy: 'lru' })),
    ).toMatch(/:4: .*without w protection/);
    expect(
      await err(
        runMmtrace(file('mmtrace 1\nexec 1\nmmap 1 0x1000 0x1000 anon rw\nmmap 1 0x1000 0x2000 anon rw\n'), { frames: 4, policy: 'lru' }),
      ),
    ).toMatch(/:4: .*overlaps/);
    expect(await err(runMmtrace(file(''), { frames: 4, policy: 'lru' }))).toMatch(/empty/);
    expect(await err(runMmtrace(file('mmtrace 1\nexec 1\n'), { frames: 4, policy: 'lru' }))).toMatch(/no references/);
  });

  it('skipBadLines counts malformed lines', async () => {
    const r = await runMmtrace(file('mmtrace 1\nexec 1\nmmap 1 0x1000 0x2000 anon rw\nw 1 0x1000\nbogus\nw 1 0x9999999\nw 1 0x2000\n'), {
      frames: 4,
      policy: 'fifo',
      skipBadLines: true,
    });
    expect(r).toMatchObject({ badLines: 2, references: 2, faults: 2 });
  });

  it('reads the same run from bytes and from text: blanks, extra fields, CRLF, 0x or decimal', async () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    // r/w/x lines the byte reader takes, and variants only the text parser takes (a no-break space, trailing fields)
    const variant = text
      .split('\n')
      .map((l, i) =>
        /^[rwx] /.test(l) ? (i % 3 === 0 ? l.replace(' ', '\t  ') + ' trailing' : i % 3 === 1 ? l.replace(' ', '\u00a0') : l + '\t') : l,
      )
      .join('\r\n');
    expect(variant).not.toBe(text);
    const a = await runMmtrace(EXAMPLE, { frames: 3, policy: 'clock', hash: true });
    const b = await runMmtrace(file(variant), { frames: 3, policy: 'clock', hash: true });
    expect(b).toMatchObject({ references: a.references, faults: a.faults, events: a.events, lines: a.lines, stateHash: a.stateHash });
  });
});
