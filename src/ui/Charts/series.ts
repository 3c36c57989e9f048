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

const cache = new WeakMap<StepPoint[], Map<(p: StepPoint) => number, Map<number, TrainSeries>>>();

/**
 * Raw and smoothed (EMA 0.95) training values from step `from` on (0: all), thinned for drawing; computed once per
 * steps array, accessor and start. The smoothing runs over the whole run, so a zoomed curve shows the same values.
 */
export function trainSeries(steps: StepPoint[], of: (p: StepPoint) => number, from = 0): TrainSeries {
  let byAccessor = cache.get(steps);
  if (!byAccessor) cache.set(steps, (byAccessor = new Map()));
  let byStart = byAccessor.get(of);
  if (!byStart) byAccessor.set(of, (byStart = new Map()));
  const hit = byStart.get(from);
  if (hit) return hit;
  const values = steps.map(of);
  const s = smooth(values, 0.95);
  const first = from > 0 ? steps.findIndex((p) => p.step >= from) : 0;
  const shown = first < 0 ? [] : steps.slice(first).map((_, i) => first + i);
  const keep = thin(shown);
  const series: TrainSeries = {
    raw: keep.map((i) => ({ step: steps[i].step, value: values[i] })),
    smoothed: keep.map((i) => ({ step: steps[i].step, value: s[i] })),
    max: shown.reduce((m, i) => (Number.isFinite(values[i]) && values[i] > m ? values[i] : m), 0),
    last: steps.length ? { step: steps[steps.length - 1].step, value: s[s.length - 1] } : null,
  };
  // a zoomed start moves with the run: keep only the latest few
  if (byStart.size > 8) byStart.clear();
  byStart.set(from, series);
  return series;
}

/**
 * The x range of a chart zoomed to its last `window` steps (0: the whole run, [0, xMax]). The start moves in fifths
 * of the window, so the frame is redrawn five times per window rather than at every step.
 */
export function zoomRange(window: number, lastStep: number, xMax: number): [number, number] {
  if (window <= 0 || lastStep <= window) return [0, window > 0 ? Math.min(xMax, window) : xMax];
  const stride = window / 5;
  const from = Math.ceil((lastStep - window) / stride) * stride;
  return [from, from + window];
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
