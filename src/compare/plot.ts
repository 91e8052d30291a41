// Hand-rolled SVG line charts for a comparison (no plotting dependency): free pages over
// simulated time, scan rate and fault rate, one line per design.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignResult } from './run.js';
import type { ComparisonResult } from './index.js';
import type { Sample } from './metrics.js';
import { thousands } from '../lib/thousands.js';

export interface Series {
  name: string;
  points: [number, number][];
  /** Per point, an interval [low, high] drawn as an error bar (sweep reports); points get markers. */
  errors?: ([number, number] | null)[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick steps: 1, 2, 5 × 10^k. */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks on a log10 axis (lo, hi are exponents): 1, 2, 5 × 10^k, as values. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    for (const m of hi - lo > 4 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** k;
      if (Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9) out.push(v);
    }
  }
  return out;
}

const label = (v: number): string => (Math.abs(v) >= 10000 ? `${(v / 1000).toFixed(0)}k` : String(Number(v.toPrecision(4))));

export interface ChartOptions {
  /** Log10 axes (values must be > 0; others are left out): for rates that differ by orders of magnitude. */
  logX?: boolean;
  logY?: boolean;
  /** Cut the y axis here (lines above it are clipped): keeps a start-up peak from hiding the steady state. */
  yMax?: number;
  /** A marker at every point (few points, e.g. a sweep). */
  markers?: boolean;
}

const sameLine = (a: Series, b: Series): boolean =>
  a.points.length === b.points.length && a.points.every((p, i) => p[0] === b.points[i][0] && p[1] === b.points[i][1]);

/** Dash patterns by series index, so that lines lying on top of each other stay visible. */
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export function lineChart(title: string, xLabel: string, yLabel: string, seriesIn: Series[], opts: ChartOptions = {}): string {
  const tx = (x: number): number => (opts.logX ? Math.log10(x) : x);
  const ty = (y: number): number => (opts.logY ? Math.log10(y) : y);
  const keep = (p: [number, number]): boolean => (!opts.logX || p[0] > 0) && (!opts.logY || p[1] > 0);
  // a series identical to an earlier one is named so in the legend, not silently hidden under it
  const series = seriesIn.map((s, i) => {
    const twin = seriesIn.slice(0, i).find((o) => o.points.length > 0 && sameLine(o, s));
    return { ...s, name: twin ? `${s.name} (= ${twin.name})` : s.name, points: s.points.filter(keep) };
  });
  const R = Math.max(170, 60 + 6.5 * Math.max(0, ...seriesIn.map((x) => x.name.length + 12)));
  const W = 550 + R,
    H = 400,
    L = 70,
    T = 40,
    B = 50;
  const xs = series.flatMap((s) => s.points.map((p) => tx(p[0])));
  const ys = series
    .flatMap((s) => [...s.points.map((p) => p[1]), ...(s.errors ?? []).flatMap((e) => e ?? [])])
    .filter((y) => !opts.logY || y > 0)
    .map(ty);
  const x0 = opts.logX ? Math.min(...xs) : 0,
    x1 = Math.max(x0 + 1e-9, ...xs);
  const y0 = opts.logY ? Math.floor(Math.min(...ys)) : Math.min(0, ...ys) * 1.05;
  let y1 = opts.logY ? Math.ceil(Math.max(...ys)) : Math.max(1, ...ys) * 1.05;
  if (opts.yMax !== undefined) y1 = Math.min(y1, ty(opts.yMax));
  if (!(y1 > y0)) y1 = y0 + 1;
  const px = (x: number): number => L + ((tx(x) - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number): number => H - B - ((ty(y) - y0) / (y1 - y0)) * (H - T - B);
  const axisTicks = (lo: number, hi: number, log: boolean | undefined): number[] => (log ? logTicks(lo, hi) : ticks(lo, hi));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - R / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  parts.push(`<clipPath id="plot"><rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}"/></clipPath>`);
  for (const t of axisTicks(y0, y1, opts.logY)) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${label(t)}</text>`);
  }
  for (const t of axisTicks(x0, x1, opts.logX)) {
    parts.push(`<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const dash = DASHES[i % DASHES.length];
    if (s.points.length > 0) {
      const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''} clip-path="url(#plot)"/>`,
      );
    }
    if (opts.markers && s.errors === undefined)
      for (const p of s.points)
        parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${c}" clip-path="url(#plot)"/>`);
    if (s.errors !== undefined)
      s.points.forEach((p, j) => {
        // bars of different series at the same x are set a few pixels apart, so none hides another
        const x = (px(p[0]) + (i - (series.length - 1) / 2) * 4).toFixed(1);
        parts.push(`<circle cx="${x}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${c}"/>`);
        const e = s.errors?.[j];
        if (e === null || e === undefined) return;
        const [lo, hi] = [py(e[0]).toFixed(1), py(e[1]).toFixed(1)];
        const [xl, xr] = [(Number(x) - 5).toFixed(1), (Number(x) + 5).toFixed(1)];
        parts.push(
          `<path d="M${x},${lo}L${x},${hi}M${xl},${lo}L${xr},${lo}M${xl},${hi}L${xr},${hi}" stroke="${c}" stroke-width="1.2" fill="none"/>`,
        );
      });
    const ly = T + 10 + i * 18;
    parts.push(
      `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    parts.push(`<text x="${W - R + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Rate of a counter per simulated second between consecutive samples. */
function rate(samples: Sample[], f: (s: Sample) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i].time - samples[i - 1].time;
    if (dt <= 0) continue;
    out.push([samples[i].time / 1e6, ((f(samples[i]) - f(samples[i - 1])) * 1e6) / dt]);
  }
  return out;
}

/** Thin a rate series to at most n points by averaging runs of neighbours (a readable line). */
function smooth(points: [number, number][], n = 200): [number, number][] {
  if (points.length <= n) return points;
  const k = Math.ceil(points.length / n);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += k) {
    const run = points.slice(i, i + k);
    out.push([run[run.length - 1][0], run.reduce((a, p) => a + p[1], 0) / run.length]);
  }
  return out;
}

/** Writes free-pages.svg, scan-rate.svg, fault-rate.svg into dir; returns the paths. */
export function writePlots(c: ComparisonResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const sub = `${c.scenario}, seed ${c.seed}, ${thousands(c.steps)} steps`;
  // free memory starts near all of mem_map at boot: cut the axis above the second half's peak
  const later = c.results.flatMap((r) => r.samples.filter((_s, i) => i >= r.samples.length / 2).map((s) => s.nrFree));
  const steadyMax = later.length > 0 ? Math.max(...later) * 1.5 : undefined;
  const charts: [string, string][] = [
    [
      'free-pages.svg',
      lineChart(
        `Free pages (${sub})`,
        'simulated time (s)',
        'free pages (axis cut above the steady state; boot starts higher)',
        c.results.map((r) => ({ name: r.design, points: r.samples.map((s) => [s.time / 1e6, s.nrFree] as [number, number]) })),
        { yMax: steadyMax },
      ),
    ],
    [
      'scan-rate.svg',
      lineChart(
        `Scan rate (${sub})`,
        'simulated time (s)',
        'pages scanned per second (log scale)',
        c.results.map((r) => ({ name: r.design, points: smooth(rate(r.samples, (s) => s.scanned)) })),
        { logY: true },
      ),
    ],
    [
      'fault-rate.svg',
      lineChart(
        `Fault rate (${sub})`,
        'simulated time (s)',
        'faults per second',
        c.results.map((r) => ({ name: r.design, points: smooth(rate(r.samples, (s) => s.faults)) })),
      ),
    ],
  ];
  if (c.results.some((r) => r.cpus !== undefined)) charts.push(...cpuCharts(c, sub));
  return charts.map(([name, svg]) => {
    const p = join(dir, name);
    writeFileSync(p, svg);
    return p;
  });
}

/**
 * With --cpus: faults per simulated second and lock wait against the number of CPUs, a line
 * per design and locking design (the 1-CPU run starts every line of its design).
 */
function cpuCharts(c: ComparisonResult, sub: string): [string, string][] {
  const base = (label: string): string => label.replace(/ \d+cpu(\/\S+)?$/, '');
  const lines = new Map<string, [number, DesignResult][]>();
  const lockings = [...new Set(c.results.map((r) => r.locking).filter((l): l is string => typeof l === 'string'))];
  for (const r of c.results) {
    for (const l of r.locking === null || r.locking === undefined ? lockings : [r.locking]) {
      const key = `${base(r.design)} ${l}`;
      lines.set(key, [...(lines.get(key) ?? []), [r.cpus ?? 1, r]]);
    }
  }
  const series = (f: (r: DesignResult) => number): Series[] =>
    [...lines].map(([name, pts]) => ({ name, points: pts.sort((a, b) => a[0] - b[0]).map(([n, r]) => [n, f(r)] as [number, number]) }));
  return [
    [
      'cpus-throughput.svg',
      lineChart(
        `Faults per simulated second against CPUs (${sub})`,
        'CPUs',
        'faults per simulated second',
        series((r) => r.faultsPerSecond ?? 0),
        {
          markers: true,
        },
      ),
    ],
    [
      'cpus-lock-wait.svg',
      lineChart(
        `Lock wait against CPUs (${sub})`,
        'CPUs',
        'lock wait, all locks (simulated ms)',
        series((r) => (r.lockWaitUs ?? 0) / 1000),
        {
          markers: true,
        },
      ),
    ],
  ];
}
