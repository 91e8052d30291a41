// `mmsim compare --seeds 1..20`: every design on every seed, each metric as a mean with its
// 95% interval over seeds, and each design's paired difference from the baseline (the seed's
// design when present) with its interval, so "A beats B" is said only when the interval
// excludes zero. The runs are the comparison engine's; the statistics are the sweep report's.

import { memLabel, type SweepLine } from '../sweep/job.js';
import { aggregate, METRICS, metricsOf, type Section } from '../sweep/report.js';
import { loadScenario, type Scenario } from '../workload/scenario.js';
import { parseSizePages } from '../workload/size.js';
import { expandCpus, parseDesignList } from './designs.js';
import { type CompareMode, runJobs } from './index.js';
import { type DesignJob, EVENTS_PER_STEP_CAP } from './run.js';

export interface SeedsOptions {
  scenario: string | Scenario;
  seeds: readonly string[];
  designs?: string | readonly string[];
  steps?: number;
  mem?: string;
  mode?: CompareMode;
  jobs?: number;
  baseline?: string;
  onProgress?: (done: number, total: number) => void;
  /** --cpus: each design on each of these numbers of CPUs (labels as compare --cpus: `clock/pte-chain 2cpu/bkl`). */
  cpus?: readonly number[];
  /** --locking: the locking designs on 2+ CPUs (default bkl). */
  locking?: readonly string[];
}

export interface SeedsResult {
  scenario: string;
  seeds: string[];
  steps: number;
  section: Section;
  /** design -> metric -> the per-seed values, in seed order. */
  values: Record<string, Record<string, Array<number | null>>>;
}

export async function runSeeds(o: SeedsOptions): Promise<SeedsResult> {
  const scenario = typeof o.scenario === 'string' ? loadScenario(o.scenario) : o.scenario;
  const specs = expandCpus(parseDesignList(o.designs), o.cpus, o.locking);
  const steps = o.steps ?? 100000;
  const jobs: DesignJob[] = [];
  for (const seed of o.seeds) {
    for (const design of specs) {
      jobs.push({ scenario, seed, steps, maxEvents: steps * EVENTS_PER_STEP_CAP, design, mem: o.mem, sampleEvery: 1 << 30 });
    }
  }
  let done = 0;
  const results = await runJobs(jobs, o.mode ?? 'auto', o.jobs, (j, n) => {
    if (n >= j.steps) o.onProgress?.(++done, jobs.length);
  });
  const memPages = parseSizePages(o.mem ?? scenario.memory, o.mem ? '--mem' : 'memory');
  const lines: SweepLine[] = results.map((r, i) => {
    const { samples: _s, design: _d, reclaim: _r, rmap: _m, ...report } = r;
    return {
      id: String(i),
      version: '',
      scenario: scenario.name,
      scenarioHash: '',
      seed: jobs[i].seed,
      design: jobs[i].design.label,
      memPages,
      steps,
      report,
    };
  });
  const section = aggregate(lines, o.baseline).sections[0];
  const values: SeedsResult['values'] = {};
  for (const d of specs) {
    values[d.label] = {};
    for (const m of METRICS) {
      values[d.label][m.key] = o.seeds.map((seed) => {
        const l = lines.find((x) => x.seed === seed && x.design === d.label);
        return l === undefined ? null : m.get(l.report);
      });
    }
  }
  return { scenario: scenario.name, seeds: [...o.seeds], steps, section: { ...section, mem: memLabel(memPages) }, values };
}

/** JSON with, per design and metric, `mean`, `ci95` (the interval's half-width; null with one seed) and `values`. */
export function seedsJson(r: SeedsResult): string {
  const designs = r.section.designs.map((d) => ({
    design: d.design,
    seeds: d.seeds,
    metrics: Object.fromEntries(
      metricsOf(r.section).map((m) => [
        m.key,
        { mean: d.metrics[m.key].mean, ci95: d.metrics[m.key].half, values: r.values[d.design][m.key] },
      ]),
    ),
  }));
  const differences = r.section.differences.map((d) => ({
    design: d.design,
    baseline: d.baseline,
    pairs: d.pairs,
    metrics: Object.fromEntries(
      metricsOf(r.section).map((m) => {
        const i = d.metrics[m.key];
        // the interval excludes zero: the difference is real at 95%
        const significant = i.lo !== null && i.hi !== null && (i.lo > 0 || i.hi < 0);
        return [m.key, { mean: i.mean, ci95: i.half, significant }];
      }),
    ),
  }));
  return JSON.stringify({ scenario: r.scenario, mem: r.section.mem, steps: r.steps, seeds: r.seeds, designs, differences }, null, 2);
}
