import type { Cli } from './context.js';
import { resolve } from 'node:path';
import { writeAtomicallyAsync } from './files.js';
import { Command, Option } from 'commander';
import { runTrace, type TraceResult } from '../trace/run.js';
import type { MmtraceResult } from '../trace/mmtrace.js';
import { STRICT_POLICIES, type StrictPolicyName } from '../reclaim/strict.js';
import { TRACE_FORMATS, type TraceFormat } from '../trace/formats.js';
import { DEFAULT_MAX_EVENTS } from '../trace/strict.js';
import { engineOption, parseCount, Progress } from './options.js';
import { UsageError } from './usage-error.js';
import { MMSIM_VERSION } from './version.js';
import type { EngineName } from '../event-store.js';

interface TraceOpts {
  format?: TraceFormat;
  frames: number;
  policy: StrictPolicyName;
  clockRefOnLoad: boolean;
  hex?: boolean;
  skipBadLines?: boolean;
  json?: boolean;
  log?: string;
  engine: EngineName;
  maxEvents: number;
}

function parseFrames(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--frames '${v}' is not a whole number of frames, e.g. --frames 64`);
  return Number(v);
}

function parseBool(flag: string) {
  return (v: string): boolean => {
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new UsageError(`${flag} '${v}': write true or false`);
  };
}

export function traceCommand(cli: Cli): Command {
  return new Command('trace')
    .description('run a memory trace in strict demand-paging mode: exactly --frames user frames, one page reclaimed per frame needed')
    .argument('<file>', 'the trace (plain or gzip-compressed)')
    .addOption(
      new Option(
        '--format <format>',
        'lackey: valgrind --tool=lackey --trace-mem=yes; pages: one page number per line; mmtrace: docs/mmtrace.md (default: detected from the first lines)',
      ).choices([...TRACE_FORMATS]),
    )
    .option('--frames <n>', 'user frames (page tables and kernel pages not counted)', parseFrames, 64)
    .addOption(new Option('--policy <policy>', 'reference policy').choices([...STRICT_POLICIES]).default('clock'))
    .option(
      '--clock-ref-on-load <bool>',
      'clock: the access that loads a page sets its accessed bit (false: new pages start unreferenced)',
      parseBool('--clock-ref-on-load'),
      true,
    )
    .option('--hex', 'pages: bare numbers are hexadecimal')
    .option('--skip-bad-lines', 'count and skip malformed lines instead of stopping')
    .option(
      '--max-events <n>',
      'stop with an error past this many events (also refuses a trace of more references); 500k, 10M',
      parseCount('--max-events'),
      DEFAULT_MAX_EVENTS,
    )
    .option('--log <file>', 'write every event to a run log (.mmlog)')
    .option('--json', 'print the result as JSON')
    .addOption(engineOption())
    .action(async (file: string, o: TraceOpts) => {
      const detected = o.format === undefined ? await (await import('../trace/detect.js')).detectFormat(file, o.hex ?? false) : null;
      const format = o.format ?? detected!.format;
      // the log, if any, is written under a temporary name and renamed when the run is complete
      const traceTo = async (logPath: string | null): Promise<TraceResult | MmtraceResult> => {
        // the log writer (and msgpackr) is loaded only for --log
        const log =
          logPath === null
            ? null
            : (await import('../trace/log.js')).traceLog(logPath, {
                file,
                format,
                policy: o.policy,
                frames: o.frames,
                version: MMSIM_VERSION,
                args: [
                  resolve(file),
                  '--format',
                  format,
                  '--frames',
                  String(o.frames),
                  '--policy',
                  o.policy,
                  '--clock-ref-on-load',
                  String(o.clockRefOnLoad),
                  ...(o.hex ? ['--hex'] : []),
                  ...(o.skipBadLines ? ['--skip-bad-lines'] : []),
                  ...(o.maxEvents !== DEFAULT_MAX_EVENTS ? ['--max-events', String(o.maxEvents)] : []),
                ],
              });
        let progress = null as Progress | null; // made at the first call, which knows the total
        const common = {
          frames: o.frames,
          policy: o.policy,
          clockRefOnLoad: o.clockRefOnLoad,
          skipBadLines: o.skipBadLines,
          engine: o.engine,
          maxEvents: o.maxEvents,
          hash: log !== null,
          ...(log ? { sink: log.sink, onStart: log.onStart } : {}),
        };
        let r: TraceResult | MmtraceResult;
        try {
          r =
            format === 'mmtrace'
              ? await (await import('../trace/mmtrace.js')).runMmtrace(file, {
                  ...common,
                  onProgress: (d, t) => {
                    progress ??= new Progress(cli, t, 'trace', 'bytes');
                    progress.update(d);
                  },
                })
              : await runTrace(file, {
                  ...common,
                  format,
                  hex: o.hex,
                  onProgress: (d, t) => {
                    progress ??= new Progress(cli, t, 'trace', 'references');
                    progress.update(d);
                  },
                });
        } catch (err) {
          log?.abandon();
          throw err;
        } finally {
          progress?.stop();
        }
        log?.close({ hash: r.stateHash, result: r });
        return r;
      };
      const r = o.log === undefined ? await traceTo(null) : await writeAtomicallyAsync(o.log, '--log', traceTo);
      if (o.json) return cli.json(detected ? { ...r, detected: { line: detected.line } } : r);
      const how = detected ? `, detected from line ${detected.line}` : '';
      const lines = [
        `trace ${file} (${r.format}${how}${r.badLines ? `, ${r.badLines} bad lines skipped` : ''})`,
        `policy ${r.policy}${r.clockRefOnLoad === false ? ' (new pages unreferenced)' : ''}, ${r.frames} frames`,
        `references ${r.references}  faults ${r.faults}  hits ${r.hits}  evictions ${r.evictions}  write-backs ${r.writeBacks}  events ${r.events}`,
      ];
      cli.out(lines.join('\n') + '\n');
    });
}
