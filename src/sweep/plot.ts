// `mmsim sweep report --plot DIR`: SVG charts of the report, a line per design with the
// 95% interval drawn at each point: against memory size for each scenario, and against the
// number of sharers when the sweep has several sharedlib:N scenarios at one memory size.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, type Series } from '../compare/plot.js';
import { METRICS, type Section, type SweepReport } from './report.js';

/** The metrics worth a chart (the rest are in the table). */
export const PLOTTED = ['majorFaults', 'pagesScanned', 'ptesPerFreed', 'kswapdMs', 'completionS'];

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

function series(sections: Section[], metric: string, x: (s: Section) => number): Series[] {
  const designs = [...new Set(sections.flatMap((s) => s.designs.map((d) => d.design)))].sort();
  return designs.map((design) => {
    const pts = sections
      .map((s) => ({ x: x(s), i: s.designs.find((d) => d.design === design)?.metrics[metric] }))
      .filter((p) => p.i !== undefined && p.i.n > 0)
      .sort((a, b) => a.x - b.x);
    return {
      name: design,
      points: pts.map((p) => [p.x, p.i!.mean] as [number, number]),
      errors: pts.map((p) => (p.i!.lo !== null && p.i!.hi !== null ? ([p.i!.lo, p.i!.hi] as [number, number]) : null)),
    };
  });
}

/** Writes the charts into dir; returns their paths. */
export function writeReportPlots(r: SweepReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const save = (name: string, svg: string): void => {
    const p = join(dir, name);
    writeFileSync(p, svg);
    written.push(p);
  };
  const label = (key: string): string => METRICS.find((m) => m.key === key)!.label;
  // against memory: one chart per scenario (and steps) and metric
  const byScenario = new Map<string, Section[]>();
  for (const s of r.sections) {
    const k = `${s.scenario}|${s.steps}`;
    byScenario.set(k, [...(byScenario.get(k) ?? []), s]);
  }
  const multiSteps = new Set(r.sections.map((s) => s.steps)).size > 1;
  for (const secs of byScenario.values()) {
    const { scenario, steps } = secs[0];
    for (const m of PLOTTED)
      save(
        `${fileSafe(scenario)}${multiSteps ? `-${steps}` : ''}-${m}.svg`,
        lineChart(
          `${label(m)}: ${scenario}, ${steps} steps, mean and 95% CI`,
          'memory (MiB)',
          label(m),
          series(secs, m, (s) => (s.memPages * 4) / 1024),
        ),
      );
  }
  // against sharers: sharedlib:N at each memory size that has at least two values of N
  const shared = r.sections.filter((s) => /^sharedlib:\d+$/.test(s.scenario));
  const groups = new Map<string, Section[]>();
  for (const s of shared) groups.set(`${s.mem}|${s.steps}`, [...(groups.get(`${s.mem}|${s.steps}`) ?? []), s]);
  for (const secs of groups.values()) {
    if (secs.length < 2) continue;
    const { mem, steps } = secs[0];
    for (const m of PLOTTED)
      save(
        `sharedlib-${mem}${multiSteps ? `-${steps}` : ''}-${m}.svg`,
        lineChart(
          `${label(m)} vs sharers: sharedlib:N, ${mem}, ${steps} steps, mean and 95% CI`,
          'N processes sharing the library',
          label(m),
          series(secs, m, (s) => Number(s.scenario.split(':')[1])),
        ),
      );
  }
  return written;
}
