import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SweepLine } from '../../src/sweep/job.js';
import { checkSame, readResults, ResultsWriter } from '../../src/sweep/store.js';
import { tmp } from '../helpers.js';

const line = (id: string, hash = 'a'.repeat(64)): SweepLine =>
  ({
    id,
    version: 'v',
    scenario: 'tiny',
    scenarioHash: 'h',
    seed: '1',
    design: 'old/none',
    memPages: 64,
    steps: 1,
    report: { stateHash: hash, majorFaults: 1 },
  }) as unknown as SweepLine;

describe('results file', () => {
  it('appends whole lines and reads them back', () => {
    const f = tmp('r.jsonl');
    const w = new ResultsWriter(f);
    w.append(line('a'));
    w.append(line('b'));
    w.close();
    expect(readResults(f).lines.map((l) => l.id)).toEqual(['a', 'b']);
  });
  it('cuts a torn last line only when asked to repair', () => {
    const f = tmp('r.jsonl');
    writeFileSync(f, `${JSON.stringify(line('a'))}\n{"id":"b","ver`);
    expect(readResults(f)).toMatchObject({ tornBytes: 14 });
    expect(readFileSync(f, 'utf8')).toMatch(/ver$/);
    const r = readResults(f, true);
    expect(r.lines.map((l) => l.id)).toEqual(['a']);
    expect(readFileSync(f, 'utf8')).toBe(`${JSON.stringify(line('a'))}\n`);
  });
  it('a damaged line is an error naming it, and a torn tail is then not cut either', () => {
    const f = tmp('r.jsonl');
    const text = `${JSON.stringify(line('a'))}\nnot json\n${JSON.stringify(line('b'))}\n{"id":"c`;
    writeFileSync(f, text);
    expect(() => readResults(f, true)).toThrow(/r.jsonl line 2 is not a sweep result \(not json\)/);
    expect(readFileSync(f, 'utf8')).toBe(text);
  });
  it('a job twice: the same result is kept once; a different hash is a mismatch', () => {
    const f = tmp('r.jsonl');
    writeFileSync(f, `${JSON.stringify(line('a'))}\n${JSON.stringify(line('a'))}\n`);
    expect(readResults(f).lines).toHaveLength(1);
    writeFileSync(f, `${JSON.stringify(line('a'))}\n${JSON.stringify(line('a', 'b'.repeat(64)))}\n`);
    expect(() => readResults(f)).toThrow(/ran twice with different final states: aaaa/);
    const other = { ...line('a'), report: { ...line('a').report, majorFaults: 2 } };
    expect(() => checkSame(line('a'), other, 'test')).toThrow(/same state hash but different reports/);
  });
});
