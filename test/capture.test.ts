import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { captureMachine } from '../src/capture/capture.js';
import { Anonymiser } from '../src/capture/anonymise.js';
import { parseMaps } from '../src/capture/proc.js';
import { loadScenario, parseScenario } from '../src/workload/scenario.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { checkState } from '../src/check/invariants.js';
import { getPage, type State } from '../src/state.js';

const FIXTURE = new URL('./fixtures/machine-capture.json', import.meta.url).pathname;

function sharedPages(s: State): { anon: number; file: number } {
  let anon = 0,
    file = 0;
  for (let p = 0; p < s.nframes; p++) {
    const g = getPage(s, p);
    if (g.mapcount > 1) {
      if (g.inode !== 0) file++;
      else anon++;
    }
  }
  return { anon, file };
}

describe('captured machine layouts', () => {
  it('the committed capture (a forked process pair, anonymised) runs, with fork-shared anonymous and page-cache-shared file pages', () => {
    const sc = loadScenario(FIXTURE);
    expect(sc.captured?.processes.length).toBe(2);
    expect(sc.captured?.shared.filter((g) => g.kind === 'anon').length).toBeGreaterThan(30);
    const sim = new Simulation(makeRunConfig(sc, { seed: '1' }), 'direct');
    const booted = sim.finishBoot();
    const shared = sharedPages(booted);
    expect(shared.anon).toBeGreaterThan(30); // 49 frames were shared in the capture (36 heap pages the child did not write), less any reclaimed at boot
    expect(shared.file).toBeGreaterThan(100);
    expect(booted.stats.forks).toBe(1);
    const s = sim.run(100000);
    expect(s.stats.reclaimed).toBeGreaterThan(0);
    expect(s.stats.ooms).toBe(0);
    expect(checkState(s)).toEqual([]);
  });

  it('a capture without frame numbers still runs (layout only, no anonymous sharing)', () => {
    const sc = loadScenario(FIXTURE);
    const json = JSON.parse(JSON.stringify(sc));
    json.captured.pfns = false;
    json.captured.shared = [];
    const sim = new Simulation(makeRunConfig(parseScenario(json, 'no-pfns'), { seed: '2' }), 'direct');
    const s = sim.run(20000);
    expect(s.stats.forks).toBe(0);
    expect(sharedPages(s).anon).toBe(0);
    expect(checkState(s)).toEqual([]);
  });

  it('rejects a captured layout that names a missing file or vma', () => {
    const json = JSON.parse(JSON.stringify(loadScenario(FIXTURE)));
    json.captured.shared[0].maps[0][1] = 999;
    expect(() => parseScenario(json, 'bad')).toThrow(/captured\.shared\.0: no vma 999 in pid/);
  });
});

describe('capture from /proc', () => {
  const kids: ChildProcess[] = [];
  afterAll(() => {
    for (const k of kids) k.kill();
  });

  it('captures live processes, counts one that does not exist, anonymises, and the result runs', async () => {
    for (let i = 0; i < 2; i++) kids.push(spawn('sleep', ['30'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 200));
    const pids = kids.map((k) => k.pid as number);
    const { scenario, report } = captureMachine({ pids: [...pids, 2 ** 22 + 7] });
    expect(report.processes).toBe(2);
    expect(report.skipped.exited).toBe(1);
    const root = process.getuid?.() === 0;
    expect(report.pfns).toBe(root);
    if (root)
      expect(report.sharedFrames).toBeGreaterThan(10); // libc and sleep's text, through the page cache
    else expect(report.notes.join(' ')).toMatch(/need root/);
    const text = JSON.stringify(scenario);
    for (const pid of pids) expect(text).not.toContain(`"pid":${pid}`);
    for (const f of scenario.files as { name: string }[]) expect(f.name).toMatch(/^\/(usr|lib|lib64|bin|sbin|etc)\/|^\/file\/\d+$/);
    const sc = parseScenario(scenario, 'live');
    const s = new Simulation(makeRunConfig(sc, { seed: '1' }), 'direct').run(20000);
    expect(checkState(s)).toEqual([]);
  });

  it('anonymises user paths and process names; parses maps lines and counts bad ones', () => {
    const a = new Anonymiser();
    expect(a.path('/usr/lib/x86_64-linux-gnu/libc.so.6', 'k1')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(a.path('/home/alice/bin/tool', 'k2')).toBe('/file/1');
    expect(a.path('/tmp/x (deleted)', 'k3')).toBe('/file/2');
    expect(a.path('/home/alice/bin/tool', 'k2')).toBe('/file/1');
    expect(a.processName('bash', ['/usr/bin/bash'], 3)).toBe('bash');
    expect(a.processName('alice-secret', ['/file/1'], 3)).toBe('proc3');
    const { vmas, bad } = parseMaps('55d0-55d1 r-xp 00001000 fe:00 123  /usr/bin/x\ngarbage\n7ff0-7ff2 rw-p 00000000 00:00 0 \n');
    expect(bad).toBe(1);
    expect(vmas).toEqual([
      { start: 0x55d0, end: 0x55d1, perms: 'r-xp', offset: 0x1000, inode: 123, path: '/usr/bin/x' },
      { start: 0x7ff0, end: 0x7ff2, perms: 'rw-p', offset: 0, inode: 0, path: '' },
    ]);
  });
});
