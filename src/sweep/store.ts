// results.jsonl: one line per finished run, appended as runs finish, so a sweep killed at any
// moment loses only the runs in flight. On open, a last line without its newline (the process
// died mid-write) is cut off and that run is done again; any other damage is an error, never
// silently dropped. The same job twice must carry the same state hash: a run is deterministic.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { SweepError } from './grid.js';
import type { SweepLine } from './job.js';

/** A job whose results differ between two runs: the simulation is not deterministic (exit 1). */
export class ResultMismatchError extends Error {}

export function isLine(v: unknown): v is SweepLine {
  const o = v as SweepLine;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.id === 'string' &&
    typeof o.scenario === 'string' &&
    typeof o.design === 'string' &&
    typeof o.seed === 'string' &&
    typeof o.memPages === 'number' &&
    typeof o.report === 'object' &&
    o.report !== null &&
    typeof o.report.stateHash === 'string'
  );
}

/** Throws ResultMismatchError unless both are the same run with the same outcome. */
export function checkSame(a: SweepLine, b: SweepLine, where: string): void {
  if (a.report.stateHash !== b.report.stateHash)
    throw new ResultMismatchError(
      `job ${a.id} (${a.scenario} seed ${a.seed} ${a.design}) ran twice with different final states: ${a.report.stateHash.slice(0, 16)} and ${b.report.stateHash.slice(0, 16)} (${where})`,
    );
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new ResultMismatchError(
      `job ${a.id} (${a.scenario} seed ${a.seed} ${a.design}) ran twice with the same state hash but different reports (${where})`,
    );
}

export interface ReadResult {
  lines: SweepLine[];
  /** Bytes of a torn last line that were cut off (0 when the file was whole). */
  tornBytes: number;
}

/** Parse a results file. With repair, a torn last line is cut from the file. */
export function readResults(path: string, repair = false): ReadResult {
  if (!existsSync(path)) return { lines: [], tornBytes: 0 };
  const buf = readFileSync(path);
  const end = buf.lastIndexOf(0x0a) + 1;
  const tornBytes = buf.length - end;
  const text = buf.subarray(0, end).toString('utf8');
  const lines: SweepLine[] = [];
  const byId = new Map<string, SweepLine>();
  text.split('\n').forEach((raw, i) => {
    if (raw === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      v = undefined;
    }
    if (!isLine(v))
      throw new SweepError(
        `${path} line ${i + 1} is not a sweep result (${raw.slice(0, 60)}${raw.length > 60 ? '…' : ''}); remove or fix that line, or write to another file`,
      );
    const prev = byId.get(v.id);
    if (prev !== undefined) checkSame(prev, v, `${path} holds it twice`);
    else {
      byId.set(v.id, v);
      lines.push(v);
    }
  });
  // only once the rest has been read whole: a file with other damage is left as it was
  if (tornBytes > 0 && repair) truncateSync(path, end);
  return { lines, tornBytes };
}

/** Appends one line per write, each whole (one write call), so a kill leaves at most a torn tail. */
export class ResultsWriter {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  append(line: SweepLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }
  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}
