// Every command that can take over a second has a progress line (src/cli/common.ts
// Progress): on a terminal it appears, fits the width and is cleared before anything else
// is printed and at the end; on a pipe (every other test, every script) nothing is written.
// Commands run in-process with a fake clock that moves a second per reading, so the line
// shows at once however fast the machine is.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { cli, record, tmp } from '../helpers.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
const MMTRACE = new URL('../fixtures/example.mmtrace', import.meta.url).pathname;
/** No snapshot after the start: a seek or a diff reads every chunk up to its event. */
const log = record({ scenario: 'tiny', seed: '3', events: 9000, every: 8192 * 1000 }).path;
const COLUMNS = 50;

const commands: Array<[string, () => string[]]> = [
  ['run', () => ['run', '--scenario', 'tiny', '--events', '5000']],
  ['record', () => ['record', '--scenario', 'tiny', '--events', '5000', '-o', tmp('r.mmlog')]],
  ['replay', () => ['replay', log]],
  ['check', () => ['check', log]],
  ['bisect', () => ['bisect', log]],
  ['seek', () => ['seek', log, '8500']],
  ['diff', () => ['diff', log, '100', '8500']],
  ['history', () => ['history', log, '--page', '20']],
  // each debugger command that reads far (here a goto across the log) has its own line
  ['debug', () => ['debug', log, '-x', 'goto 8500']],
  ['export', () => ['export', log, '-o', tmp('t.json')]],
  ['trace', () => ['trace', FIXTURE, '--frames', '8']],
  // mmtrace is streamed once, so its line counts bytes of the file read
  ['trace', () => ['trace', MMTRACE, '--frames', '8']],
  ['capture', () => ['capture', '--pid', String(process.pid), '-o', tmp('c.json')]],
  ['compare', () => ['compare', '--seeds', '1,2', '--steps', '300', '--designs', 'clock/pte-chain', '--sequential']],
];

/** Both streams in the order written, stderr as a terminal of COLUMNS columns, and a clock one second on per reading. */
async function onTerminal(args: string[]): Promise<{ code: number; writes: Array<['out' | 'err', string]> }> {
  const writes: Array<['out' | 'err', string]> = [];
  let now = 0;
  const code = await main(args, {
    stdout: { write: (s: string) => writes.push(['out', s]) },
    stderr: { write: (s: string) => writes.push(['err', s]), isTTY: true, columns: COLUMNS },
    stdin: Readable.from(['']),
    now: () => (now += 1000),
  });
  return { code, writes };
}

const CLEAR = '\r\x1b[K';

describe('progress lines', () => {
  it.each(commands)('%s writes nothing of it when stderr is not a terminal', async (_name, args) => {
    const r = await cli(args());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\x1b');
  });

  it.each(commands)('%s shows one line that fits the terminal, cleared before output and at the end', async (name, args) => {
    const { code, writes } = await onTerminal(args());
    expect(code).toBe(0);
    const lines = writes
      .filter(([w, s]) => w === 'err' && s.startsWith(CLEAR) && s.length > CLEAR.length)
      .map(([, s]) => s.slice(CLEAR.length));
    expect(lines.length, 'a progress line was shown').toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.startsWith(name), l).toBe(true);
      expect(l.length).toBeLessThan(COLUMNS);
      expect(l).not.toContain('\n');
    }
    // a line on screen is cleared before anything else is printed, and none is left at the end
    let shown = false;
    for (const [w, s] of writes) {
      if (w === 'err' && s.startsWith(CLEAR)) shown = s.length > CLEAR.length;
      else expect(shown, `${w}: ${s.slice(0, 80)} printed over a progress line`).toBe(false);
    }
    expect(shown).toBe(false);
  });
});
