import { smooth } from '../../engine/config/metrics';
import type { StepPoint } from '../../engine/config/events';

/** Drawn per training series; older steps are thinned, never the latest. */
const MAX_POINTS = 300;

export interface XY {
  step: number;
  value: number;
}

export interface TrainSeries {
  raw: XY[];
  smoothed: XY[];
  /** The largest finite raw value, for the y axis. */
  max: number;
  /** The smoothed value at the latest step. */
  last: XY | null;
}

export function thin<T>(rows: T[], max = MAX_POINTS): T[] {
  if (rows.length <= max) return rows;
  const every = Math.ceil(rows.length / max);
  return rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
}

/** The next "round" number at or above x (a multiple of half its decade, or of its decade from 5 up), so an axis bound changes rarely. */
export function niceCeil(x: number): number {
  if (!Number.isFinite(x) || x <= 0) return 1;
  const decade = 10 ** Math.floor(Math.log10(x));
  const step = x / decade < 5 ? decade / 2 : decade;
  return Math.round(Math.ceil(x / step - 1e-9) * step * 1e9) / 1e9;
}

/** About `count` evenly spaced round values from lo to hi (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const rough = (hi - lo) / count;
  const decade = 10 ** Math.floor(Math.log10(rough));
  const step = decade * (rough / decade <= 1 ? 1 : rough / decade <= 2 ? 2 : rough / decade <= 5 ? 5 : 10);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.round(t * 1e9) / 1e9 + 0); // + 0 turns -0 into 0
  return ticks;
}

const cache = new WeakMap<StepPoint[], Map<(p: StepPoint) => number, TrainSeries>>();

/** Raw and smoothed (EMA 0.95) training values, thinned for drawing; computed once per steps array and accessor. */
export function trainSeries(steps: StepPoint[], of: (p: StepPoint) => number): TrainSeries {
  let byAccessor = cache.get(steps);
  if (!byAccessor) cache.set(steps, (byAccessor = new Map()));
  const hit = byAccessor.get(of);
  if (hit) return hit;
  const values = steps.map(of);
  const s = smooth(values, 0.95);
  const keep = thin(steps.map((_, i) => i));
  const series: TrainSeries = {
    raw: keep.map((i) => ({ step: steps[i].step, value: values[i] })),
    smoothed: keep.map((i) => ({ step: steps[i].step, value: s[i] })),
    max: values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0),
    last: steps.length ? { step: steps[steps.length - 1].step, value: s[s.length - 1] } : null,
  };
  byAccessor.set(of, series);
  return series;
}

/** An SVG path through the finite points ("M x,y L x,y ..."), mapped by the chart's scales. */
export function pathOf(points: XY[], x: (v: number) => number | undefined, y: (v: number) => number | undefined): string {
  let d = '';
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const px = x(p.step);
    const py = y(p.value);
    if (px === undefined || py === undefined || !Number.isFinite(px) || !Number.isFinite(py)) continue;
    d += `${d ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
  }
  return d;
}
