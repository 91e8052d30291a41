// Which format a trace is in, from its first telling line, when --format is not given:
// blank lines and `#` comments say nothing; `==PID==` lines are valgrind's (lackey); a first
// word `mmtrace` is mmtrace's header; otherwise the first line lackey or pages reads as a
// reference decides. Only the start of the file is read (DETECT_BYTES at most).

import { statSync } from 'node:fs';
import { TraceError, quoteLine } from './errors.js';
import { thousands } from '../lib/thousands.js';
import { pagesParser, parseLackeyLine, TRACE_FORMATS, type TraceFormat } from './formats.js';
import { LineSplitter, looksBinary, MAX_LINE_BYTES } from './lines.js';
import { traceChunks } from './source.js';

/** Read at most this much of the (decompressed) start of a trace to tell its format. */
export const DETECT_BYTES = 1 << 16;

export interface Detection {
  format: TraceFormat;
  /** The line that told it. */
  line: number;
}

type Verdict = TraceFormat | 'blank' | string[];

/** What one line says about the format: a format, nothing ('blank'), or each format's reason to refuse it. */
function judge(text: string, hex: boolean): Verdict {
  const t = text.trim();
  if (t.length === 0 || t[0] === '#') return 'blank';
  if (text.startsWith('==')) return 'lackey';
  if (t.split(/\s/)[0] === 'mmtrace') return 'mmtrace';
  const lackey = parseLackeyLine(text, () => {});
  if (lackey === null) return 'lackey';
  const pages = pagesParser(hex)(text, () => {});
  if (pages === null) return 'pages';
  return [`not lackey (${lackey})`, `not pages (${pages})`, "not mmtrace (an mmtrace file starts with the header 'mmtrace 1')"];
}

/** The formats other than `format` that read `text` as a reference or a header (for the hint after a bad first line). */
export function otherFormatsReading(text: string, format: TraceFormat, hex: boolean): TraceFormat[] {
  const v = judge(text, hex);
  return typeof v === 'string' && v !== 'blank' && v !== format ? [v] : [];
}

/** A pipe or device: what detection reads would be gone for the run. */
function notRegular(file: string): boolean {
  try {
    const st = statSync(file);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false; // reading it says what is wrong
  }
}

export async function detectFormat(file: string, hex = false): Promise<Detection> {
  if (notRegular(file)) {
    throw new TraceError(
      `${file}: not a regular file (a pipe or a device): telling its format would consume its start; pass --format (${TRACE_FORMATS.join(', ')})`,
    );
  }
  // set from the line callbacks (an object, so that the checks below see the assignments)
  const seen: { found: Detection | null; failure: TraceError | null } = { found: null, failure: null };
  const tried = TRACE_FORMATS.join(', ');
  const split = new LineSplitter({
    line(b, start, end, lineNo) {
      if (seen.found || seen.failure) return;
      const text = b.toString('utf8', start, end);
      const v = judge(text, hex);
      if (v === 'blank') return;
      if (typeof v === 'string') seen.found = { format: v, line: lineNo };
      else if (looksBinary(text))
        seen.failure = new TraceError(`${file}:${lineNo}: binary data, not a trace in any format mmsim reads (tried ${tried})`);
      else
        seen.failure = new TraceError(
          `${file}:${lineNo}: cannot tell the trace format: ${quoteLine(text)} is ${v.join(', ')}; pass --format`,
        );
    },
    longLine(_head, length, lineNo) {
      if (seen.found || seen.failure) return;
      seen.failure = new TraceError(
        `${file}:${lineNo}: cannot tell the trace format: the line is ${thousands(length)} bytes long, longer than a line of any format (${tried}) can be (${thousands(MAX_LINE_BYTES)})`,
      );
    },
  });
  let read = 0,
    whole = true;
  for await (const chunk of traceChunks(file)) {
    split.push(chunk);
    read += chunk.length;
    if (seen.found || seen.failure || read >= DETECT_BYTES) {
      whole = false;
      break;
    }
  }
  if (whole) split.end();
  if (seen.failure) throw seen.failure;
  if (seen.found) return seen.found;
  if (read === 0) throw new TraceError(`${file}: no references: the file is empty`);
  if (!whole && split.unfinishedLength > MAX_LINE_BYTES) {
    throw new TraceError(
      `${file}:${split.lines + 1}: cannot tell the trace format: the line is over ${thousands(split.unfinishedLength)} bytes long, longer than a line of any format (${tried}) can be (${thousands(MAX_LINE_BYTES)})`,
    );
  }
  if (whole) throw new TraceError(`${file}: no references: its ${split.lines} lines are blank or comments (tried ${tried})`);
  throw new TraceError(
    `${file}: cannot tell the trace format: its first ${thousands(DETECT_BYTES)} bytes are blank or comment lines; pass --format (${tried})`,
  );
}
