import { useCallback, useEffect, useRef, useState } from 'react';
import { usePaint } from '../common/paint';
import { describeUnit, type ConvFilters, type ImageWeightsView } from '../../engine/config/inspect';
import { inspectImageWeights } from '../store/inspectActions';
import { HealthInspect } from './HealthInspect';
import { useDrawerShown } from '../common/Drawers';

/** Diverging colour map: -scale blue, 0 white, +scale red. */
function drawUnit(canvas: HTMLCanvasElement, values: Float32Array, offset: number, scale: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(28, 28);
  const d = img.data;
  for (let p = 0; p < 784; p++) {
    const v = Math.max(-1, Math.min(1, values[offset + p] / (scale || 1)));
    const fade = Math.round(255 * (1 - Math.abs(v)));
    d[4 * p] = v >= 0 ? 255 : fade;
    d[4 * p + 1] = fade;
    d[4 * p + 2] = v >= 0 ? fade : 255;
    d[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function UnitCanvas({ view, unit, className }: { view: ImageWeightsView; unit: number; className: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  usePaint(ref, (canvas) => view.units && drawUnit(canvas, view.units.values, unit * view.units.pixels, view.units.scale), [view, unit]);
  return <canvas ref={ref} width={28} height={28} className={className} aria-hidden="true" />;
}

/** One conv filter: its input channels side by side (kh x kw each, one column apart), on the layer's scale. */
function FilterCanvas({ f, filter }: { f: ConvFilters; filter: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const width = f.inputs * (f.kw + 1) - 1;
  let min = Infinity;
  let max = -Infinity;
  for (let i = filter; i < f.values.length; i += f.filters) {
    min = Math.min(min, f.values[i]);
    max = Math.max(max, f.values[i]);
  }
  usePaint(
    ref,
    (canvas) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(width, f.kh);
      img.data.fill(255);
      for (let y = 0; y < f.kh; y++) {
        for (let x = 0; x < f.kw; x++) {
          for (let i = 0; i < f.inputs; i++) {
            const v = Math.max(-1, Math.min(1, f.values[((y * f.kw + x) * f.inputs + i) * f.filters + filter] / (f.scale || 1)));
            const fade = Math.round(255 * (1 - Math.abs(v)));
            img.data.set(v >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], (y * width + i * (f.kw + 1) + x) * 4);
          }
        }
      }
      ctx.putImageData(img, 0, 0);
    },
    [f, filter, width],
  );
  return (
    <canvas
      ref={ref}
      width={width}
      height={f.kh}
      className="inspect-filter"
      style={{ width: width * 8, height: f.kh * 8 }}
      role="img"
      aria-label={`${f.layer}, filter ${filter}: ${f.kh}x${f.kw} weights over ${f.inputs} input map${f.inputs > 1 ? 's' : ''}, from ${min.toFixed(3)} to ${max.toFixed(3)}`}
    />
  );
}

/** Every conv layer's filters as images (blue negative, red positive, one scale per layer). */
function ConvFilterImages({ filters }: { filters: ConvFilters[] }) {
  return (
    <>
      {filters.map((f) => (
        <figure key={f.layer} data-testid="inspect-filters">
          <figcaption>
            {f.layer}: {f.filters} filters of {f.kh}x{f.kw} over {f.inputs} input map{f.inputs > 1 ? 's (side by side)' : ''}; scale ±
            {f.scale.toFixed(3)}
          </figcaption>
          <div className="inspect-units">
            {Array.from({ length: f.filters }, (_, i) => (
              <FilterCanvas key={i} f={f} filter={i} />
            ))}
          </div>
        </figure>
      ))}
    </>
  );
}

/** Where a unit's output goes: the next layer's weights from it, strongest first (to classes for the output layer). */
function Outgoing({ view, unit }: { view: ImageWeightsView; unit: number }) {
  const out = view.outgoing;
  if (!out || unit >= out.units) return null;
  const row = Array.from(out.values.subarray(unit * out.next, (unit + 1) * out.next), (w, to) => ({ w, to }));
  row.sort((a, b) => b.w - a.w);
  const shown = out.toClasses ? row : [...row.slice(0, 5), ...row.slice(-5)];
  const name = (to: number) => (out.toClasses ? `class ${to}` : `unit ${to}`);
  return (
    <div data-testid="inspect-unit-outgoing">
      <p>Outgoing weights, strongest first ({out.toClasses ? 'to each class' : `the 5 highest and lowest of the next layer's ${out.next} units`}):</p>
      <ol className="inspect-outgoing">
        {shown.map(({ w, to }) => (
          <li key={to}>
            {name(to)}: {w >= 0 ? '+' : ''}
            {w.toFixed(3)}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** One unit up close: its weights 8x larger, the text alternative and the range of its weights. */
function UnitDetail({ view, unit }: { view: ImageWeightsView; unit: number }) {
  const units = view.units!;
  const row = units.values.subarray(unit * units.pixels, (unit + 1) * units.pixels);
  let min = Infinity;
  let max = -Infinity;
  for (const v of row) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return (
    <figure className="inspect-detail" data-testid="inspect-unit-detail">
      <UnitCanvas view={view} unit={unit} className="inspect-unit-large" />
      <figcaption>
        <span data-testid="inspect-unit-text">{describeUnit(unit, units.values, unit * units.pixels, 28)}</span>. Weights from {min.toFixed(3)} (blue)
        to {max.toFixed(3)} (red); the colour scale spans ±{units.scale.toFixed(3)} for every unit.
        <Outgoing view={view} unit={unit} />
      </figcaption>
    </figure>
  );
}

/** Inside the image model: first-layer weights as 28x28 images and per-layer weight norms. */
export function ImagesInspect() {
  const [view, setView] = useState<ImageWeightsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    inspectImageWeights().then(
      (v) => (setView(v), setError(null)),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  const [expanded, setOpen] = useState(false);
  // live only while this view is shown and expanded: a hidden view stays mounted but does not poll the worker
  const shown = useDrawerShown();
  const open = expanded && shown;
  const [selected, setSelected] = useState<number | null>(null);
  // Live while open: one refresh every 2 s, a modest rate that keeps the worker's training loop in front
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(refresh, 2000);
    return () => clearInterval(timer);
  }, [open, refresh]);
  return (
    <details className="panel" data-testid="inspect-images" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Inspect the model</summary>
      <button type="button" data-testid="inspect-images-refresh" onClick={refresh}>
        Show the current weights
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view?.units && view.units.pixels === 784 && (
        <div className="inspect-units" data-testid="inspect-units">
          {Array.from({ length: view.units.units }, (_, u) => (
            <button
              key={u}
              type="button"
              className="inspect-unit-button"
              aria-pressed={selected === u}
              aria-label={describeUnit(u, view.units!.values, u * view.units!.pixels, 28)}
              onClick={() => setSelected(u)}
            >
              <UnitCanvas view={view} unit={u} className="inspect-unit" />
            </button>
          ))}
        </div>
      )}
      {view?.units && view.units.pixels === 784 && selected !== null && selected < view.units.units && <UnitDetail view={view} unit={selected} />}
      {view && view.filters.length > 0 && <ConvFilterImages filters={view.filters} />}
      {view && (
        <table data-testid="inspect-norms">
          <caption>Weight norm per layer (L2)</caption>
          <tbody>
            {view.norms.map((n) => (
              <tr key={n.layer}>
                <th scope="row">{n.layer}</th>
                <td>{n.norm.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <HealthInspect which="images" open={open} />
    </details>
  );
}
