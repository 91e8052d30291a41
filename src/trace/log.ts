// A run log for a strict-mode trace run: the lead's LogWriter attached to the machine's
// sink. The header carries what the log reader expects (config.seed, config.scenario.name)
// plus the strict kernel configuration, so `mmsim replay` and `check` work on it unchanged.

import { LogWriter } from '../log/writer.js';
import type { StrictStart } from './strict.js';

export interface TraceLogMeta {
  file: string;
  format: string;
  policy: string;
  frames: number;
  version: string;
  /** The `mmsim trace` arguments that shape the run (the trace's path first): replay lines repeat them. */
  args?: string[];
}

/** Options to pass to runTrace/runMmtrace so that every event goes to `path`; call close() after. */
export function traceLog(
  path: string,
  meta: TraceLogMeta,
): {
  onStart: (i: StrictStart) => void;
  sink: (e: import('../events.js').Event) => void;
  close: (end: Record<string, unknown>) => void;
  abandon: () => void;
} {
  let w: LogWriter | null = null;
  return {
    onStart: (i) => {
      w = new LogWriter(path, {
        mmsim: meta.version,
        config: { seed: '', scenario: { name: `trace:${meta.format}` }, trace: meta, kernel: i.kernel },
        initial: i.initial,
      });
    },
    sink: (e) => {
      w!.event(e);
    },
    close: (end) => {
      w?.close(end);
    },
    abandon: () => {
      w?.abandon();
    },
  };
}
