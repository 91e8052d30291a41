import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from '../helpers.js';

describe('record --emit-trace', () => {
  it('writes the seeded workload as an mmtrace that mmsim trace runs, the same bytes for the same seed', async () => {
    const a = tmp('a.mmtrace'),
      b = tmp('b.mmtrace.gz');
    expect((await cli(['run', '--scenario', 'tiny', '--seed', '4', '--events', '20000', '--emit-trace', a])).code).toBe(0);
    expect(
      (await cli(['record', '--scenario', 'tiny', '--seed', '4', '--events', '20000', '-o', tmp('r.mmlog'), '--emit-trace', b])).code,
    ).toBe(0);
    const text = readFileSync(a, 'utf8');
    expect(gunzipSync(readFileSync(b)).toString('utf8')).toBe(text);
    const lines = text.split('\n');
    expect(lines[0]).toBe('mmtrace 1');
    expect(lines.some((l) => l.startsWith('fork '))).toBe(true);
    expect(lines.some((l) => l.startsWith('exit ') || l.startsWith('munmap '))).toBe(true);
    const refs = lines.filter((l) => /^[rwx] /.test(l)).length;
    for (const policy of ['clock', 'fifo', 'lru']) {
      const r = await cli(['trace', a, '--format', 'mmtrace', '--frames', '24', '--policy', policy, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.references).toBe(refs);
      expect(out.faults).toBeGreaterThan(0);
    }
  });

  it("writes a captured machine's boot and steps too (it used to write only the header)", async () => {
    const a = tmp('cap.mmtrace');
    const fixture = new URL('../fixtures/machine-capture.json', import.meta.url).pathname;
    expect((await cli(['run', '--scenario', fixture, '--events', '12000', '--emit-trace', a])).code).toBe(0);
    const lines = readFileSync(a, 'utf8').split('\n');
    expect(lines.filter((l) => l.startsWith('exec ')).length).toBe(1); // the capture: a process and its forked child
    expect(lines).toContain('fork 1 2');
    const refs = lines.filter((l) => /^[rw] /.test(l)).length;
    expect(refs).toBeGreaterThan(444); // the boot touches every captured resident page, then steps
    const r = await cli(['trace', a, '--format', 'mmtrace', '--frames', '300', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ references: refs, processes: 2, forks: 1 });
  });
});
