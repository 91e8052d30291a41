// README's command reference against --help, and the installed command run from elsewhere.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/index.js';
import { Cli } from '../../src/cli/context.js';
import { processIo } from '../../src/cli/context.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');

/** README's table rows for a command: its own rows, and the run-options table for run, record and explore. */
function rowsFor(name: string): string {
  const own = README.filter((l) => l.startsWith(`| \`mmsim ${name} `) || l.startsWith(`| \`mmsim ${name}\``));
  const start = README.findIndex((l) => l.startsWith('Run options (`run`, `record`'));
  const runOptions = README.slice(start, README.indexOf('', start + 2)).filter((l) => l.startsWith('| `--'));
  return [...own, ...(['run', 'record', 'explore'].includes(name) ? runOptions : [])].join('\n');
}

describe('README', () => {
  it('names every option that --help shows, on the command’s row', async () => {
    const program = await buildProgram(new Cli(processIo()));
    const missing: string[] = [];
    // commands and their subcommands (`sweep report`), by their full name
    const all = program.commands.flatMap((c) => [
      { name: c.name(), cmd: c },
      ...c.commands.map((s) => ({ name: `${c.name()} ${s.name()}`, cmd: s })),
    ]);
    for (const { name, cmd } of all) {
      const rows = rowsFor(name);
      expect(rows, `README has no row for mmsim ${name}`).not.toBe('');
      for (const o of cmd.options) {
        const flag = o.long ?? o.short ?? '';
        if (!rows.includes(flag) && !(o.short !== undefined && rows.includes(`${o.short} `))) missing.push(`${name} ${flag}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the installed command', () => {
  it('`npm install -g .` puts a working mmsim on PATH, which runs from any directory', { timeout: 120000 }, () => {
    const prefix = mkdtempSync(join(tmpdir(), 'mmsim-prefix-'));
    // a global install of a folder links it: nothing is fetched (--offline), nothing rebuilt (--ignore-scripts)
    const npm = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ROOT], {
      encoding: 'utf8',
    });
    expect(npm.status, npm.stderr).toBe(0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'mmsim-cwd-'));
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: elsewhere, env, encoding: 'utf8' });
    const v = sh('mmsim --version');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const run = sh('mmsim run --scenario tiny --events 2000 --json');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).events).toBeGreaterThanOrEqual(2000);
  });
});
