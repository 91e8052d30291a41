// --engine immer on every command that applies events gives what the default direct engine
// gives: the same text, the same exit code, the same files.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, record, tmp } from '../helpers.js';

const sound = record({ scenario: 'tiny', seed: '3', events: 10000, every: 8192 });
const broken = record({ scenario: 'x486', events: 9000, every: 8192, inject: 'fault-no-link@0.05' });
const TRACE = join(import.meta.dirname, '..', 'fixtures', 'example.mmtrace');

/** Timings and the files a run writes differ between two runs: drop them. */
const same = (s: string): string =>
  s
    .replace(/[\d,.]+ ms\b/g, 'T ms')
    .replace(/\/tmp\/\S+/g, 'FILE')
    .replace(/mmsim-test-\w+/g, 'DIR');

function commands(log: string): { name: string; args: string[]; input?: string; out?: string }[] {
  return [
    { name: 'replay', args: ['replay', log] },
    { name: 'check', args: ['check', log] },
    { name: 'seek', args: ['seek', log, '8500', '--page', '40'] },
    { name: 'diff', args: ['diff', log, '100', '8000'] },
    { name: 'history', args: ['history', log, '--page', '40', '--to', '8000'] },
    { name: 'bisect', args: ['bisect', log] },
    { name: 'debug', args: ['debug', log], input: 'goto 8300\nback 5\nprint page 40\nstep 3\nwhere\n' },
    { name: 'export', args: ['export', log, '--to', '6000'], out: 'out.json' },
  ];
}

describe('--engine immer gives the direct engine answer', { timeout: 120000 }, () => {
  for (const [what, log] of [
    ['a sound log', sound.path],
    ['a log with an injected bug', broken.path],
  ] as const) {
    it.each(commands(log))(`$name over ${what}`, async ({ args, input, out }) => {
      const answers = [];
      for (const engine of ['direct', 'immer']) {
        const file = out === undefined ? [] : ['-o', tmp(out)];
        const r = await cli([...args, ...file, '--engine', engine], input);
        answers.push({
          code: r.code,
          stdout: same(r.stdout),
          stderr: same(r.stderr),
          file: file.length ? readFileSync(file[1], 'utf8') : null,
        });
      }
      expect(answers[1]).toEqual(answers[0]);
      if (args[0] === 'check') expect(answers[0].code).toBe(log === broken.path ? 1 : 0);
    });
  }

  it.each([
    ['run', ['run', '--scenario', 'tiny', '--seed', '5', '--events', '5000']],
    ['record', ['record', '--scenario', 'tiny', '--seed', '5', '--events', '5000', '-o']],
    ['trace', ['trace', TRACE, '--frames', '64']],
  ])('%s', async (name, args) => {
    const answers = [];
    for (const engine of ['direct', 'immer']) {
      const r = await cli([...args, ...(name === 'record' ? [tmp('r.mmlog')] : []), '--engine', engine]);
      answers.push({ code: r.code, stdout: same(r.stdout), stderr: same(r.stderr) });
    }
    expect(answers[0].code).toBe(0);
    expect(answers[1]).toEqual(answers[0]);
  });
});
