// Scenarios: JSON files validated with zod. A scenario names the machine (memory, swap,
// kernel reservation), the files on their backing stores, the programs and libraries,
// the processes started at boot and the jobs that come and go.

import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SHAREDLIB_MAX, sharedlibScenario } from './sharedlib.js';

const size = z.union([z.string(), z.number().int().nonnegative()], {
  error: (iss) =>
    `${iss.input === undefined ? 'missing' : `${shown(iss.input)} is not a size`}: write a whole number of pages or a string like 8M, 768K, 1G`,
});

/** A value as a message shows it: never the whole of a huge string or a deep structure. */
function shown(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') return v.length > 40 ? `'${v.slice(0, 40)}...' (${v.length} characters)` : `'${v}'`;
  return Array.isArray(v) ? 'a list' : 'an object';
}
/** Names of programs and libraries: own keys of plain objects, so no `__proto__` and friends. */
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/, 'a name is 1-64 letters, digits, _ . + - and starts with a letter or digit')
  .refine((n) => !Object.hasOwn(Object.prototype, n), {
    message: 'a name may not be a property every object has (constructor, toString, ...)',
  });
const pct = z.number().int().min(0).max(100);

const Lib = z
  .object({
    file: z.string(),
    text: z.number().int().positive().describe('pages of code, shared read-only'),
    data: z.number().int().nonnegative().default(0).describe('pages of private file-backed data'),
  })
  .strict();

const Mix = z
  .object({
    text: z.number().int().nonnegative().default(40),
    libs: z.number().int().nonnegative().default(30),
    data: z.number().int().nonnegative().default(5),
    heap: z.number().int().nonnegative().default(20),
    stack: z.number().int().nonnegative().default(5),
  })
  .strict();

const Program = z
  .object({
    file: z.string().describe('the executable (a file in `files`)'),
    text: z.number().int().positive(),
    data: z.number().int().nonnegative().default(4),
    libs: z.array(z.string()).default([]),
    heap: z.number().int().positive().describe('heap pages at start (brk)'),
    maxHeap: z.number().int().positive().optional().describe('the heap grows to this many pages over the life of the process'),
    stack: z.number().int().positive().default(4),
    hot: pct.default(25).describe('percent of each region that gets most references'),
    hotPct: pct.default(85).describe('percent of references that go to the hot part'),
    writePct: pct.default(30),
    mix: Mix.default({ text: 40, libs: 30, data: 5, heap: 20, stack: 5 }),
    weight: z.number().int().positive().default(10).describe('relative CPU share'),
    life: z.number().int().positive().optional().describe('references before the process exits (default: runs forever)'),
    spawn: z
      .object({
        program: z.string(),
        everyPct: z.number().min(0).max(100).describe('percent chance per reference of starting a child'),
        exec: z.boolean().default(true).describe('child execs `program` (false: plain fork, sharing the parent image)'),
        max: z.number().int().positive().default(1).describe('children alive at once'),
      })
      .strict()
      .optional(),
    mmapTemp: z
      .object({
        pages: z.number().int().positive(),
        everyPct: z.number().min(0).max(100),
      })
      .strict()
      .optional()
      .describe('maps, touches and unmaps a temporary anonymous buffer'),
  })
  .strict();

const Ranges = z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()]));

const CapturedVma = z
  .object({
    start: z
      .number()
      .int()
      .nonnegative()
      .describe("address in the captured process (used to match a fork child's mappings to its parent's)"),
    pages: z.number().int().positive(),
    kind: z.enum(['anon', 'private', 'shared']),
    prot: z.string().regex(/^r?w?x?$/),
    file: z.string().optional(),
    pgoff: z.number().int().nonnegative().default(0),
    resident: Ranges.default([]).describe('[page offset, count] runs of present pages'),
    cow: Ranges.optional().describe('private file pages that were anonymous copies'),
  })
  .strict();

export const CapturedLayout = z
  .object({
    version: z.literal(1),
    pfns: z.boolean().describe('false: frames were unreadable, so sharing was not captured'),
    processes: z
      .array(
        z
          .object({
            pid: z.number().int().positive(),
            ppid: z.number().int().nonnegative().default(0),
            name: z.string(),
            vmas: z.array(CapturedVma),
          })
          .strict(),
      )
      .min(1),
    shared: z
      .array(
        z
          .object({
            kind: z.enum(['anon', 'file']),
            maps: z
              .array(z.tuple([z.number().int().positive(), z.number().int().nonnegative(), z.number().int().nonnegative()]))
              .min(2)
              .describe('[pid, vma index, page offset] of every mapping of one physical frame'),
          })
          .strict(),
      )
      .default([]),
    skipped: z.record(z.string(), z.number().int().nonnegative()).default({}),
    notes: z.array(z.string()).default([]),
  })
  .strict();

export type CapturedLayoutSpec = z.infer<typeof CapturedLayout>;

export const ScenarioSchema = z
  .object({
    name: z.string(),
    description: z.string().default(''),
    memory: size,
    reserved: size.default('768K').describe('kernel image, mem_map and boot allocations'),
    swap: size.default('16M'),
    watermarks: z
      .object({ min: z.number().int().positive(), low: z.number().int().positive(), high: z.number().int().positive() })
      .strict()
      .optional()
      .describe('override the 2.1.47 watermarks (min 48 pages is too much for tiny machines)'),
    latencies: z.record(z.string(), z.number().int().nonnegative()).optional(),
    files: z.array(z.object({ name: z.string(), pages: z.number().int().positive(), backing: z.enum(['disk', 'nfs']) }).strict()),
    libs: z.record(name, Lib).default({}),
    programs: z.record(name, Program).default({}),
    boot: z.array(z.object({ program: z.string(), count: z.number().int().positive().max(65536).default(1) }).strict()).default([]),
    captured: CapturedLayout.optional().describe("a real machine's processes (mmsim capture); replaces programs and boot"),
  })
  .strict();

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ProgramSpec = z.infer<typeof Program>;

export class ScenarioError extends Error {}

/** The package root (works from src/ under vitest and from dist/ when compiled). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('mmsim: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

const BUILTIN_DIR = join(packageRoot(), 'src', 'workload', 'scenarios');

export function builtinScenarioNames(): string[] {
  return ['x486', 'forky', 'tiny'];
}

/** What a reference may name: the names defined, or that there are none (never an empty "()"). */
function have(names: Iterable<string>): string {
  const list = [...names];
  if (list.length === 0) return 'none are defined';
  const more = list.length > 10 ? `, and ${list.length - 10} more` : '';
  return `have: ${list.slice(0, 10).join(', ')}${more}`;
}

const MAX_PROBLEMS = 8;
const MAX_LINE = 240;

/** The error for a scenario with problems: the first few, each cut short (a value in it may be huge). */
function invalid(source: string, problems: readonly string[]): ScenarioError {
  const lines = problems
    .slice(0, MAX_PROBLEMS)
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}... (${l.length} characters)` : l));
  if (problems.length > MAX_PROBLEMS) lines.push(`and ${problems.length - MAX_PROBLEMS} more problems`);
  return new ScenarioError(`scenario ${source} is not valid:\n  ${lines.join('\n  ')}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.join('.') : '(top level)';
  // a bad record key: say what a key may be, not only that it is invalid
  const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  return `${path}: ${inner !== undefined ? `'${String(issue.path.at(-1))}' is not allowed: ${inner}` : issue.message}`;
}

/** Validate parsed JSON as a scenario; errors name the field and what is allowed. */
/** A built-in scenario's name or sharedlib:N, as opposed to a file's path. */
export function isScenarioName(nameOrFile: string): boolean {
  return /^sharedlib:/.test(nameOrFile) || builtinScenarioNames().includes(nameOrFile);
}

/**
 * Own `__proto__` keys (JSON.parse makes them own properties): zod's records drop them
 * without a word, so a program or library of that name would silently vanish.
 */
function protoKeys(json: unknown): string[] {
  const out: string[] = [];
  const todo: Array<[unknown, string]> = [[json, '']]; // a list, not recursion: the nesting may be deep
  while (todo.length > 0 && out.length <= MAX_PROBLEMS) {
    const [v, path] = todo.pop() as [unknown, string];
    if (v === null || typeof v !== 'object') continue;
    for (const k of Object.keys(v)) {
      const at = path === '' ? k : `${path}.${k}`;
      if (k === '__proto__')
        out.push(`${at}: '__proto__' is not allowed: a name may not be a property every object has (constructor, toString, ...)`);
      else todo.push([(v as Record<string, unknown>)[k], at]);
    }
  }
  return out;
}

export function parseScenario(json: unknown, source: string): Scenario {
  const proto = protoKeys(json);
  if (proto.length > 0) throw invalid(source, proto);
  const r = ScenarioSchema.safeParse(json);
  if (!r.success) {
    throw invalid(source, r.error.issues.map(describeIssue));
  }
  const sc = r.data;
  const files = new Set(sc.files.map((f) => f.name));
  const problems: string[] = [];
  for (const [name, lib] of Object.entries(sc.libs)) {
    if (!files.has(lib.file)) problems.push(`libs.${name}.file: '${lib.file}' is not in files (${have(files)})`);
  }
  for (const [name, p] of Object.entries(sc.programs)) {
    if (!files.has(p.file)) problems.push(`programs.${name}.file: '${p.file}' is not in files (${have(files)})`);
    for (const l of p.libs)
      if (!Object.hasOwn(sc.libs, l)) problems.push(`programs.${name}.libs: '${l}' is not in libs (${have(Object.keys(sc.libs))})`);
    if (p.spawn && !Object.hasOwn(sc.programs, p.spawn.program))
      problems.push(`programs.${name}.spawn.program: '${p.spawn.program}' is not in programs (${have(Object.keys(sc.programs))})`);
    const f = sc.files.find((x) => x.name === p.file);
    if (f && f.pages < p.text + p.data)
      problems.push(`programs.${name}: text + data (${p.text + p.data} pages) is larger than ${p.file} (${f.pages} pages)`);
  }
  for (const [name, l] of Object.entries(sc.libs)) {
    const f = sc.files.find((x) => x.name === l.file);
    if (f && f.pages < l.text + l.data)
      problems.push(`libs.${name}: text + data (${l.text + l.data} pages) is larger than ${l.file} (${f.pages} pages)`);
  }
  problems.push(...layoutProblems(sc));
  for (const [i, b] of sc.boot.entries()) {
    if (!Object.hasOwn(sc.programs, b.program))
      problems.push(`boot.${i}.program: '${b.program}' is not in programs (${have(Object.keys(sc.programs))})`);
  }
  if (sc.captured === undefined && sc.boot.length === 0)
    problems.push('boot: name at least one program to start (or give a captured layout)');
  if (sc.captured !== undefined) {
    const procs = sc.captured.processes;
    for (const [i, pr] of procs.entries()) {
      if (pr.pid !== i + 1) problems.push(`captured.processes.${i}.pid: ${pr.pid}, expected ${i + 1} (pids are numbered from 1 in order)`);
      for (const [j, v] of pr.vmas.entries()) {
        if (v.kind !== 'anon' && (v.file === undefined || !files.has(v.file)))
          problems.push(`captured.processes.${i}.vmas.${j}.file: '${String(v.file)}' is not in files`);
      }
    }
    for (const [i, g] of sc.captured.shared.entries()) {
      for (const [pid, vi] of g.maps) {
        if (procs[pid - 1]?.vmas[vi] === undefined) problems.push(`captured.shared.${i}: no vma ${vi} in pid ${pid}`);
      }
    }
  }
  if (problems.length) throw invalid(source, problems);
  return sc;
}

/** A built-in scenario by name (x486, forky, tiny, sharedlib:N), or a JSON file by path. */
export function loadScenario(nameOrFile: string): Scenario {
  const gen = /^sharedlib:(.*)$/.exec(nameOrFile);
  if (gen !== null) {
    if (!/^\d+$/.test(gen[1]))
      throw new ScenarioError(
        `scenario '${nameOrFile}': the number of sharers '${gen[1]}' is not allowed: write sharedlib:N with N a whole number from 1 to ${SHAREDLIB_MAX}`,
      );
    const n = Number(gen[1]);
    try {
      return parseScenario(sharedlibScenario(n), nameOrFile);
    } catch (err) {
      throw new ScenarioError(`scenario '${nameOrFile}': ${(err as Error).message}`);
    }
  }
  let path = nameOrFile;
  if (builtinScenarioNames().includes(nameOrFile)) path = join(BUILTIN_DIR, `${nameOrFile}.json`);
  else if (!existsSync(nameOrFile)) {
    throw new ScenarioError(
      `scenario '${nameOrFile}' is neither a built-in scenario (${builtinScenarioNames().join(', ')}, or sharedlib:N for N sharers) nor an existing file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`scenario ${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseScenario(json, path);
}

const PAGES = (bytes: number): number => bytes / 4096;
/** The address-space regions of workload/layout.ts, in pages (kept here to avoid an import cycle). */
const TEXT_BASE_PAGE = PAGES(0x08048000),
  LIB_BASE_PAGE = PAGES(0x40000000),
  TEMP_BASE_PAGE = PAGES(0x60000000),
  PAGE_OFFSET_PAGE = PAGES(0xc0000000);

/** Each program's pieces must fit the i386 layout without overlapping (see workload/layout.ts). */
function layoutProblems(sc: Scenario): string[] {
  const out: string[] = [];
  for (const [name, p] of Object.entries(sc.programs)) {
    const heap = Math.max(p.heap, p.maxHeap ?? 0);
    const low = TEXT_BASE_PAGE + p.text + p.data + heap;
    if (low > LIB_BASE_PAGE) {
      out.push(
        `programs.${name}: text + data + heap (${p.text + p.data + heap} pages) run past 0x40000000 where the libraries start; at most ${LIB_BASE_PAGE - TEXT_BASE_PAGE} pages fit`,
      );
    }
    const libs = p.libs.reduce((n, l) => n + (Object.hasOwn(sc.libs, l) ? sc.libs[l].text + sc.libs[l].data : 0), 0);
    if (LIB_BASE_PAGE + libs > TEMP_BASE_PAGE) {
      out.push(
        `programs.${name}.libs: the libraries (${libs} pages) run past 0x60000000 where temporary mappings start; at most ${TEMP_BASE_PAGE - LIB_BASE_PAGE} pages fit`,
      );
    }
    const temp = p.mmapTemp?.pages ?? 0;
    if (TEMP_BASE_PAGE + temp > PAGE_OFFSET_PAGE - p.stack) {
      out.push(
        `programs.${name}: the stack (${p.stack} pages) and temporary mapping (${temp} pages) overlap below 0xc0000000; together at most ${PAGE_OFFSET_PAGE - TEMP_BASE_PAGE} pages fit`,
      );
    }
  }
  return out;
}
