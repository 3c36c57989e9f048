import type { CellFeature } from '../config/inspect';

/**
 * A property of the text at each character: quote (1 from an opening " up to its closing one, both included),
 * newline and space (1 at those characters), linePosition (characters since the last newline).
 */
export function featureSeries(chars: string[], feature: CellFeature): Float32Array {
  const out = new Float32Array(chars.length);
  let inside = false;
  let column = 0;
  chars.forEach((ch, t) => {
    if (feature === 'quote') {
      const opens = ch === '"' && !inside;
      if (opens) inside = true;
      out[t] = inside ? 1 : 0;
      if (ch === '"' && !opens) inside = false;
    } else if (feature === 'newline') out[t] = ch === '\n' ? 1 : 0;
    else if (feature === 'space') out[t] = ch === ' ' ? 1 : 0;
    else {
      out[t] = column;
      column = ch === '\n' ? 0 : column + 1;
    }
  });
  return out;
}

/** Pearson's r = cov(x, y) / (sd(x) sd(y)); 0 when either is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: ${n} values against ${y.length}.`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Each unit's correlation with `series`, for cells [T, units] row-major, and the unit of the largest |r|. */
export function mostCorrelated(cells: Float32Array, units: number, series: Float32Array): { unit: number; correlations: Float32Array } {
  const steps = series.length;
  if (cells.length !== steps * units) throw new Error(`Expected ${steps} x ${units} cell values, got ${cells.length}.`);
  const correlations = new Float32Array(units);
  const column = new Float32Array(steps);
  let unit = 0;
  for (let u = 0; u < units; u++) {
    for (let t = 0; t < steps; t++) column[t] = cells[t * units + u];
    correlations[u] = pearson(column, series);
    if (Math.abs(correlations[u]) > Math.abs(correlations[unit])) unit = u;
  }
  return { unit, correlations };
}
