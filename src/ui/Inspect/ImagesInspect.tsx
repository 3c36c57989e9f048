import { useCallback, useEffect, useRef, useState } from 'react';
import { describeUnit, type ImageWeightsView } from '../../engine/config/inspect';
import { inspectImageWeights } from '../store/inspectActions';

/** Diverging colour map: -scale blue, 0 white, +scale red. */
function drawUnit(canvas: HTMLCanvasElement, values: Float32Array, offset: number, scale: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = Math.max(-1, Math.min(1, values[offset + p] / (scale || 1)));
    const fade = Math.round(255 * (1 - Math.abs(v)));
    img.data.set(v >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], p * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function UnitCanvas({ view, unit, className }: { view: ImageWeightsView; unit: number; className: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current && view.units) drawUnit(ref.current, view.units.values, unit * view.units.pixels, view.units.scale);
  }, [view, unit]);
  return <canvas ref={ref} width={28} height={28} className={className} aria-hidden="true" />;
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
  const [open, setOpen] = useState(false);
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
    </details>
  );
}
