// Files the commands read and write: every file or path error exits 2 with one line naming
// the file (never a stack), and an output is never half-written over an existing file.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputFile, writeAtomically } from '../../src/cli/files.js';
import { CLI, cli, record, tmp } from '../helpers.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
const dir = dirname(tmp('x'));
const missing = join(dir, 'no-such-dir', 'out');
/** A directory this process cannot create files in (root ignores permissions: use sysfs). */
const readOnly = ((): string => {
  if (process.getuid?.() === 0) return '/sys';
  const d = join(dir, 'ro');
  mkdirSync(d);
  chmodSync(d, 0o555);
  return d;
})();
const log = record({ scenario: 'tiny', events: 3000 }).path;

/** One line, `mmsim: error: …`, naming `path`, and no stack. */
async function expectFileError(args: string[], path: string): Promise<void> {
  const r = await cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
  expect(r.stderr).toMatch(/^mmsim: error: .+\n$/);
  expect(r.stderr).toContain(path);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('file and path errors exit 2 with one line naming the file', () => {
  const outputs: Array<[string, (out: string) => string[]]> = [
    ['record -o', (out) => ['record', '--scenario', 'tiny', '--events', '2000', '-o', out]],
    ['record --emit-trace', (out) => ['record', '--scenario', 'tiny', '--events', '2000', '-o', tmp('r.mmlog'), '--emit-trace', out]],
    ['run --emit-trace', (out) => ['run', '--scenario', 'tiny', '--events', '2000', '--emit-trace', out]],
    ['export -o', (out) => ['export', log, '-o', out]],
    ['capture -o', (out) => ['capture', '--pid', String(process.pid), '-o', out]],
    ['trace --log', (out) => ['trace', FIXTURE, '--frames', '8', '--log', out]],
    ['shrink -o', (out) => ['shrink', log, '-o', out]],
  ];
  const places: Array<[string, () => string]> = [
    ['into a missing directory', () => missing],
    ['onto a directory', () => dir],
    ['into a read-only directory', () => join(readOnly, 'out')],
    ['onto a full device', () => '/dev/full'],
  ];
  for (const [cmd, args] of outputs) {
    it.each(places)(`${cmd} %s`, async (_w, place) => {
      // shrink finds nothing to shrink in a clean log before it writes: check only what it checks up front
      if (cmd === 'shrink -o' && (place() === '/dev/full' || place().startsWith(readOnly))) return;
      await expectFileError(args(place()), place());
    });
  }

  const logCommands: string[][] = [
    ['replay'],
    ['check'],
    ['export', '-o', join(dir, 'e.json')],
    ['seek', '0'],
    ['bisect'],
    ['diff', '0', '1'],
    ['history', '--page', '1'],
    ['debug', '-x', 'quit'],
    ['shrink', '-o', join(dir, 's.mmlog')],
  ];
  for (const [name, ...rest] of logCommands) {
    it(`${name} given a directory or a missing file as its log`, async () => {
      await expectFileError([name, dir, ...rest], dir);
      await expectFileError([name, join(dir, 'missing.mmlog'), ...rest], join(dir, 'missing.mmlog'));
    });
  }

  it('trace given a directory or a missing file', async () => {
    await expectFileError(['trace', dir], dir);
    await expectFileError(['trace', join(dir, 'missing.trace')], join(dir, 'missing.trace'));
  });

  it('run given a directory as its scenario', async () => {
    await expectFileError(['run', '--scenario', dir], dir);
  });

  it('compare --plot onto a file', async () => {
    const f = tmp('plot-file');
    writeFileSync(f, 'x');
    await expectFileError(['compare', '--scenario', 'tiny', '--steps', '100', '--plot', f], f);
  });
});

describe('outputs never destroy an existing file', () => {
  it('record -o: a run that fails half-way leaves the existing log as it was, and no temporary file', async () => {
    const out = tmp('keep.mmlog');
    expect((await cli(['record', '--scenario', 'tiny', '--events', '2000', '-o', out])).code).toBe(0);
    const before = readFileSync(out);
    // the log is being written when the trace's first flush fails
    const r = await cli(['record', '--scenario', 'tiny', '--events', '300000', '-o', out, '--emit-trace', '/dev/full']);
    expect(r.code).toBe(2);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(dirname(out))).toEqual(['keep.mmlog']);
  });

  it('record -o killed half-way leaves the existing log as it was', async () => {
    const out = tmp('killed.mmlog');
    expect((await cli(['record', '--scenario', 'tiny', '--events', '2000', '-o', out])).code).toBe(0);
    const before = readFileSync(out);
    const child = spawn(process.execPath, [CLI, 'record', '--scenario', 'tiny', '--events', '50M', '-o', out], { stdio: 'ignore' });
    const partial = join(dirname(out), `.killed.mmlog.${child.pid}.tmp`);
    // kill it once it has written part of its log (far short of 50M events)
    while (!(existsSync(partial) && statSync(partial).size > 100000)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readFileSync(out).equals(before)).toBe(true);
  });

  it('writeAtomically renames into place only when the writer returns', () => {
    const out = tmp('a.txt');
    writeFileSync(out, 'old');
    expect(() =>
      writeAtomically(out, '-o', (t) => {
        writeFileSync(t, 'half');
        throw new Error('killed');
      }),
    ).toThrow('killed');
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(dirname(out))).toEqual(['a.txt']);
    writeAtomically(out, '-o', (t) => writeFileSync(t, 'new'));
    expect(readFileSync(out, 'utf8')).toBe('new');
    expect(readdirSync(dirname(out))).toEqual(['a.txt']);
  });

  it('a device is written in place, not replaced', () => {
    writeAtomically('/dev/null', '-o', (t) => {
      expect(t).toBe('/dev/null');
      writeFileSync(t, 'x');
    });
    expect(existsSync('/dev/null')).toBe(true);
  });

  it('outputFile names the flag and what is wrong', () => {
    expect(() => outputFile(missing, '-o')).toThrow(`-o ${missing}: the directory ${dirname(missing)} does not exist`);
    expect(() => outputFile(dir, '--log')).toThrow(`--log ${dir} is a directory`);
  });
});
