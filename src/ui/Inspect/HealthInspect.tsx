import { useCallback, useEffect, useRef, useState } from 'react';
import type { Which } from '../../engine/config/api';
import { describeRatio, type HealthCheckpoint, type TrainingHealthView } from '../../engine/config/inspect';
import { inspectHealth } from '../store/inspectActions';
import { canvasTheme, useColourScheme, usePaint } from '../common/paint';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const colourOf = (layer: number) => COLOURS[layer % COLOURS.length];

/** Log10 of the positive values' range, widened to whole decades. */
function decades(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, Math.log10(v));
      hi = Math.max(hi, Math.log10(v));
    }
  }
  if (lo === Infinity) return [-4, 1];
  return [Math.floor(lo), Math.max(Math.ceil(hi), Math.floor(lo) + 1)];
}

/** Weight norms (solid) and update ratios (dashed) per layer over steps, on one log axis. */
function drawChart(canvas: HTMLCanvasElement, view: TrainingHealthView): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const pad = { left: 44, right: 8, top: 8, bottom: 20 };
  const theme = canvasTheme(canvas);
  ctx.fillStyle = theme.surface;
  ctx.fillRect(0, 0, width, height);
  const n = view.steps.length;
  const l = view.layers.length;
  if (n === 0 || l === 0) return;
  const all = new Float32Array(2 * n * l);
  all.set(view.weightNorms);
  all.set(view.updateRatios, n * l);
  const [lo, hi] = decades(all);
  const first = view.steps[0];
  const last = view.steps[n - 1];
  const x = (step: number) => pad.left + ((step - first) / (last - first || 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + ((hi - Math.log10(v)) / (hi - lo)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.font = '10px sans-serif';
  ctx.textBaseline = 'middle';
  for (let d = lo; d <= hi; d++) {
    ctx.beginPath();
    ctx.moveTo(pad.left, y(10 ** d));
    ctx.lineTo(width - pad.right, y(10 ** d));
    ctx.stroke();
    ctx.fillText(`1e${d}`, 4, y(10 ** d));
  }
  ctx.textBaseline = 'bottom';
  ctx.fillText(`step ${first}`, pad.left, height);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${last}`, width - pad.right, height);
  ctx.textAlign = 'left';
  for (let layer = 0; layer < l; layer++) {
    for (const [series, dash] of [
      [view.weightNorms, []],
      [view.updateRatios, [4, 3]],
    ] as const) {
      ctx.strokeStyle = colourOf(layer);
      ctx.setLineDash(dash);
      ctx.beginPath();
      let drawing = false;
      for (let p = 0; p < n; p++) {
        const v = series[p * l + layer];
        // a 0 (no update) or non-finite value has no place on a log axis: the line breaks there
        if (!(v > 0) || !Number.isFinite(v)) {
          drawing = false;
          continue;
        }
        if (drawing) ctx.lineTo(x(view.steps[p]), y(v));
        else ctx.moveTo(x(view.steps[p]), y(v));
        drawing = true;
      }
      ctx.stroke();
      // a mark on every measured point: a run of one probe has no line to draw
      ctx.fillStyle = colourOf(layer);
      for (let p = 0; p < n; p++) {
        const v = series[p * l + layer];
        if (v > 0 && Number.isFinite(v)) ctx.fillRect(x(view.steps[p]) - 2, y(v) - 2, 4, 4);
      }
    }
  }
  ctx.setLineDash([]);
}

/** One layer's weight histogram as bars. */
function HistogramCanvas({ h, colour }: { h: HealthCheckpoint['histograms'][number]; colour: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scheme = useColourScheme();
  usePaint(
    ref,
    (canvas) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const { width, height } = ctx.canvas;
      ctx.fillStyle = canvasTheme(canvas).surface;
      ctx.fillRect(0, 0, width, height);
      const most = Math.max(1, ...h.counts);
      const bar = width / h.counts.length;
      ctx.fillStyle = colour;
      h.counts.forEach((c, i) => {
        const tall = (c / most) * (height - 2);
        ctx.fillRect(i * bar, height - tall, Math.max(1, bar - 1), tall);
      });
    },
    [h, colour, scheme],
  );
  return <canvas ref={ref} width={180} height={60} className="inspect-histogram" aria-hidden="true" />;
}

/** A layer's histogram in words: its range and the share of weights in the bins around 0. */
function describeHistogram(h: HealthCheckpoint['histograms'][number]): string {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const width = (h.max - h.min) / h.counts.length;
  const zeroBin = width > 0 ? Math.min(h.counts.length - 1, Math.max(0, Math.floor((0 - h.min) / width))) : 0;
  const near = h.counts[zeroBin] / Math.max(1, total);
  return `${h.layer}: ${total} weights from ${h.min.toFixed(3)} to ${h.max.toFixed(3)}, ${(100 * near).toFixed(0)} % in the bin holding 0`;
}

function Histograms({ checkpoints, layers }: { checkpoints: HealthCheckpoint[]; layers: string[] }) {
  const [chosen, setChosen] = useState<number | null>(null);
  if (checkpoints.length === 0) return null;
  const index = chosen !== null && chosen < checkpoints.length ? chosen : checkpoints.length - 1;
  const cp = checkpoints[index];
  return (
    <figure data-testid="inspect-histograms">
      <label className="field">
        <span>Weight histograms at</span>
        <select data-testid="inspect-histogram-checkpoint" value={index} onChange={(e) => setChosen(Number(e.target.value))}>
          {checkpoints.map((c, i) => (
            <option key={`${c.label}-${i}`} value={i}>
              {c.label} (step {c.step})
            </option>
          ))}
        </select>
      </label>
      <ul className="inspect-histogram-list">
        {cp.histograms.map((h) => (
          <li key={h.layer}>
            <HistogramCanvas h={h} colour={colourOf(Math.max(0, layers.indexOf(h.layer)))} />
            <span>{describeHistogram(h)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Training health of the family's last run: norms and update ratios over steps, weight histograms at checkpoints. */
export function HealthInspect({ which, open }: { which: Which; open: boolean }) {
  const [view, setView] = useState<TrainingHealthView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const chart = useRef<HTMLCanvasElement>(null);
  const refresh = useCallback(
    (snapshot = false) =>
      inspectHealth(which, snapshot).then(
        (v) => (setView(v), setError(null)),
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      ),
    [which],
  );
  // Live while open: one small read every 2 s (the worker records the numbers during training, throttled)
  useEffect(() => {
    if (!open) return;
    void refresh();
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [open, refresh]);
  const scheme = useColourScheme();
  usePaint(chart, (canvas) => view && drawChart(canvas, view), [view, scheme]);
  const n = view?.steps.length ?? 0;
  const l = view?.layers.length ?? 0;
  return (
    <section className="inspect-health" data-testid={`inspect-health-${which}`} aria-label="Training health">
      <h3>Training health</h3>
      <button type="button" data-testid="inspect-histogram-now" onClick={() => void refresh(true)}>
        Take a weight histogram now
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view && n === 0 && <p>No steps recorded yet: start a run; one step in ten (fewer in long runs) is measured.</p>}
      {view && n > 0 && (
        <figure>
          <canvas
            ref={chart}
            width={480}
            height={180}
            className="inspect-health-chart"
            data-testid="inspect-health-chart"
            role="img"
            aria-label={`Weight norm (solid) and update/weight ratio (dashed) of ${l} layers over ${n} measured steps, log scale; the latest values are listed below.`}
          />
          <figcaption>
            Per layer over steps, log scale: weight norm ||W|| (solid) and update/weight ratio ||ΔW||/||W|| of one step (dashed; about 1e-3 is
            healthy).
          </figcaption>
          <ul data-testid="inspect-health-latest">
            {view.layers.map((layer, i) => (
              <li key={layer}>
                <span className="inspect-swatch" style={{ background: colourOf(i) }} aria-hidden="true" />{' '}
                {describeRatio(layer, view.updateRatios[(n - 1) * l + i])}; weight norm {view.weightNorms[(n - 1) * l + i].toFixed(3)} (step{' '}
                {view.steps[n - 1]})
              </li>
            ))}
          </ul>
        </figure>
      )}
      {view && <Histograms checkpoints={view.checkpoints} layers={view.layers} />}
    </section>
  );
}
