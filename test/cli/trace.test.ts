// The trace and capture subcommands end to end, in-process through src/cli's main.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mmsim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mmsim(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await cli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describe('mmsim trace', () => {
  it('runs the lackey fixture with all four policies (--json)', async () => {
    const faults: Record<string, number> = {};
    for (const p of ['clock', 'fifo', 'lru', 'opt']) {
      const r = await mmsim('trace', FIXTURE, '--format', 'lackey', '--frames', '16', '--policy', p, '--json');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { references: number; faults: number; frames: number; policy: string };
      expect(j).toMatchObject({ references: 51182, frames: 16, policy: p });
      faults[p] = j.faults;
    }
    expect(faults).toEqual({ clock: 322, fifo: 356, lru: 311, opt: 189 });
  });

  it('writes a log that replays to the recorded hash', async () => {
    const log = join(dir, 't.mmlog');
    expect((await mmsim('trace', FIXTURE, '--frames', '8', '--policy', 'fifo', '--log', log)).code).toBe(0);
    const r = await mmsim('replay', log);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/matches the hash recorded in the log/);
  });

  it('bad input exits 2 with a clear message', async () => {
    const empty = join(dir, 'empty'),
      junk = join(dir, 'junk'),
      bad = join(dir, 'bad');
    writeFileSync(empty, '');
    writeFileSync(junk, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 53 + 7) & 255)));
    writeFileSync(bad, ' L 1000,4\n S xyz,4\n');
    const cases: [string[], RegExp][] = [
      [['trace', FIXTURE, '--frames', '0'], /--frames 0: strict mode needs at least 1 user frame/],
      [['trace', join(dir, 'missing')], /missing: no such file/],
      [['trace', empty], /no references: the file is empty/],
      [['trace', junk], /binary data, not a trace in any format mmsim reads \(tried lackey, pages, mmtrace\)/],
      [['trace', junk, '--format', 'lackey'], /binary data, not a lackey trace/],
      [['trace', bad], /bad:2: malformed lackey line " S xyz,4": bad address 'xyz'/],
      [['trace', FIXTURE, '--frames', 'many'], /--frames 'many' is not a whole number/],
    ];
    for (const [args, msg] of cases) {
      const r = await mmsim(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('mmsim trace: formats and edges', () => {
  it('detects the format when --format is not given, and says so', async () => {
    const pages = join(dir, 'p.txt');
    writeFileSync(pages, '# loop\n1\n2\n1\n');
    const r = await mmsim('trace', pages, '--frames', '4');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\(pages, detected from line 2\)/);
    const j = JSON.parse((await mmsim('trace', FIXTURE, '--frames', '16', '--json')).out) as { format: string; detected: { line: number } };
    expect(j).toMatchObject({ format: 'lackey', detected: { line: 1 }, faults: 322 });
  });

  it('a wrong --format gets a hint, not --skip-bad-lines', async () => {
    const pages = join(dir, 'p2.txt');
    writeFileSync(pages, '1\n2\n');
    const r = await mmsim('trace', pages, '--format', 'lackey');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /malformed lackey line "1": .*; it reads as pages: pass --format pages \(or leave --format out to detect the format\)/,
    );
    expect(r.err).not.toMatch(/skip-bad-lines/);
  });

  it('a UTF-8 byte-order mark is accepted', async () => {
    const bom = join(dir, 'bom.lackey');
    writeFileSync(bom, '\ufeff L 1000,4\n S 2000,4\n');
    for (const args of [[], ['--format', 'lackey']]) {
      const r = await mmsim('trace', bom, ...args, '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ references: 2, faults: 2 });
    }
  });

  it('a 10 MB token makes a one-line message that says how long it was', async () => {
    const big = join(dir, 'big.lackey');
    writeFileSync(big, ' L 1000,4\n L ' + 'a'.repeat(10 * 1024 * 1024) + ',4\n');
    const r = await mmsim('trace', big);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/big.lackey:2: malformed lackey line " L aaaa.*…" \(10,485,765 bytes\): longer than any trace line/);
    expect(r.err.length).toBeLessThan(400);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const token = join(dir, 'token.lackey');
    writeFileSync(token, ' L 1000,4\n L ' + 'a'.repeat(50000) + 'z,4\n');
    const t = await mmsim('trace', token);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/bad address 'a{40}…' \(50,001 characters\)/);
    expect(t.err.length).toBeLessThan(400);
  });

  it('--max-events bounds what a trace expands to', async () => {
    const tiny = join(dir, 'tiny.lackey');
    writeFileSync(tiny, ' L 0,4000000000\n');
    const r = await mmsim('trace', tiny, '--max-events', '500k');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/more than 500,000 page references, the bound --max-events sets/);
    expect((await mmsim('trace', tiny, '--max-events', 'lots')).err).toMatch(/--max-events 'lots' is not a count/);
  });
});

describe('mmsim trace start-up', () => {
  /**
   * CommonJS files of seedrandom and msgpackr-extract (msgpackr's native part, which msgpackr
   * loads when it loads) in a fresh process after the trace command, then after the code that
   * needs them: a run log and a state hash.
   */
  it('a run without --log loads neither seedrandom nor msgpackr (the log writer and the hash load it)', () => {
    const dist = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'src');
    const one = join(dir, 'one.pages');
    writeFileSync(one, '1\n');
    const script = `import { main } from ${JSON.stringify(join(dist, 'cli', 'index.js'))};
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /seedrandom|msgpackr/.test(k)).length;
      const io = { stdout: { write() {} }, stderr: process.stderr, stdin: process.stdin };
      if ((await main(['trace', ${JSON.stringify(one)}, '--format', 'pages', '--json'], io)) !== 0) process.exit(3);
      const after = [loaded()];
      await main(['trace', ${JSON.stringify(one)}, '--format', 'pages', '--log', ${JSON.stringify(join(dir, 'one.mmlog'))}], io);
      new (await import(${JSON.stringify(join(dist, 'workload', 'rng.js'))})).Rng('1', 'probe');
      after.push(loaded());
      process.stdout.write(JSON.stringify(after));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [plain, withLog] = JSON.parse(r.stdout) as number[];
    expect(plain).toBe(0);
    expect(withLog).toBeGreaterThan(0); // the probe sees them when they are loaded
  });
});

describe('mmsim capture', () => {
  it('captures this test process and `mmsim run` simulates the capture', async () => {
    const out = join(dir, 'machine.json');
    const c = await mmsim('capture', '-o', out, '--pid', String(process.pid), '--json');
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out)).toMatchObject({ processes: 1 });
    const r = await mmsim('run', '--scenario', out, '--events', '20000', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toBeTruthy();
  });

  it('a capture of no readable process exits 2', async () => {
    const r = await mmsim('capture', '-o', join(dir, 'none.json'), '--pid', String(2 ** 22 + 11));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nothing captured: no process could be read \(1 exited\)/);
    // root can read every process already, so it is not told to become root
    expect(r.err.includes('run as root')).toBe(process.getuid?.() !== 0);
  });
});
