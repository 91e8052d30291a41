import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from '../helpers.js';

describe('mmsim export (Chrome trace-event JSON)', () => {
  it('writes one slice per kernel operation on the simulated clock, with memory counters', async () => {
    const log = tmp('e.mmlog'),
      out = tmp('e.json');
    const rec = JSON.parse((await cli(['record', '--scenario', 'tiny', '--events', '20000', '-o', log, '--json'])).stdout);
    const r = await cli(['export', log, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const trace = JSON.parse(readFileSync(out, 'utf8')) as Array<{
      ph: string;
      name: string;
      ts: number;
      dur?: number;
      tid?: number;
      args: Record<string, unknown>;
    }>;
    const slices = trace.filter((e) => e.ph === 'X');
    expect(slices.length).toBe(rec.report.operations);
    // slices are in simulated-time order and end where the run ended
    for (let i = 1; i < slices.length; i++) expect(slices[i].ts).toBeGreaterThanOrEqual(slices[i - 1].ts);
    const last = slices[slices.length - 1];
    expect(last.ts + (last.dur ?? 0)).toBe(rec.report.simulatedUs);
    expect(slices.some((e) => e.name.startsWith('fault ('))).toBe(true);
    const mem = trace.filter((e) => e.ph === 'C' && e.name === 'memory (pages)');
    expect(mem[mem.length - 1].args.free).toBe(rec.report.freePages);
    expect(trace.some((e) => e.ph === 'M' && e.args.name === 'mm 1')).toBe(true);
  });

  it('--from past the end is a usage error naming the range', async () => {
    const log = tmp('f.mmlog');
    expect((await cli(['record', '--scenario', 'tiny', '--events', '2000', '-o', log])).code).toBe(0);
    const r = await cli(['export', log, '-o', tmp('f.json'), '--from', '999999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from 999999 is past the end: this log has \d+ events, numbered 0\.\.\d+/);
  });
});
