import { useEffect, useRef, useState } from 'react';
import { describeSaliency, SALIENCY_METHODS, type DigitView as EngineDigitView, type SaliencyMethod } from '../../engine/config/inspect';
import { useStore } from '../store/store';
import { usePaint } from '../common/paint';
import { inspectDigit } from '../store/inspectActions';

/** The worker's view with the pixels it was computed for (the store may hold newer ones by the time it comes). */
type DigitView = EngineDigitView & { pixels: Float32Array };

/** Feature maps shown per convolution layer: the first few channels keep the view small. */
const MAX_CHANNELS = 8;

/** The drawing in grey with the saliency's magnitude over it in red (normalised to its own maximum). */
function drawSaliency(canvas: HTMLCanvasElement, pixels: Float32Array, saliency: Float32Array): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  let max = 0;
  for (const s of saliency) max = Math.max(max, Math.abs(s));
  const img = ctx.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const grey = Math.round(255 * (1 - 0.6 * Math.min(1, Math.max(0, pixels[p]))));
    const heat = max > 0 ? Math.abs(saliency[p]) / max : 0;
    img.data[4 * p] = Math.round(grey + (255 - grey) * heat);
    img.data[4 * p + 1] = img.data[4 * p + 2] = Math.round(grey * (1 - heat));
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** One channel of a [h, w, c] map in grey (white 0, black the layer's maximum). */
function drawChannel(canvas: HTMLCanvasElement, map: DigitView['maps'][number], channel: number, max: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const [h, w, c] = map.shape;
  const img = ctx.createImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const v = Math.round(255 * (1 - Math.max(0, Math.min(1, map.values[p * c + channel] / (max || 1)))));
    img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = v;
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function ChannelCanvas({ map, channel, max }: { map: DigitView['maps'][number]; channel: number; max: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  usePaint(ref, (canvas) => drawChannel(canvas, map, channel, max), [map, channel, max]);
  return (
    <canvas
      ref={ref}
      width={map.shape[1]}
      height={map.shape[0]}
      className="inspect-map"
      role="img"
      aria-label={`${map.layer}, filter ${channel}: its response to the drawing`}
    />
  );
}

/**
 * Asks the worker for the view of `pixels` while `open`: one request at a time, the latest pixels next (strokes
 * classify many times a second; SmoothGrad is 12 gradients).
 */
function useDigitView(pixels: Float32Array | null, method: SaliencyMethod, open: boolean) {
  const [view, setView] = useState<DigitView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const next = useRef<{ pixels: Float32Array; method: SaliencyMethod } | null>(null);
  useEffect(() => {
    if (!open || !pixels) return;
    next.current = { pixels, method };
    const pump = () => {
      const job = next.current;
      if (busy.current || !job) return;
      busy.current = true;
      next.current = null;
      inspectDigit(job.pixels, job.method)
        .then(
          (v) => (setView({ ...v, pixels: job.pixels }), setError(null)),
          (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
        )
        .finally(() => {
          busy.current = false;
          pump();
        });
    };
    pump();
  }, [pixels, method, open]);
  return { view, error };
}

/** For the drawn digit (or a picked test digit): where the guess looks (saliency) and, for a CNN, what its filters see. */
export function DigitInspect() {
  const { pixels, source } = useStore((s) => s.draw);
  const [open, setOpen] = useState(false);
  const [method, setMethod] = useState<SaliencyMethod>('smoothgrad');
  const { view, error } = useDigitView(pixels, method, open);
  const details = useRef<HTMLDetailsElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  // a test digit picked in the gallery above opens this view and brings it into sight
  useEffect(() => {
    if (!source.startsWith('test digit') || !details.current) return;
    details.current.open = true;
    details.current.scrollIntoView?.({ block: 'nearest' });
  }, [source]);
  usePaint(overlay, (canvas) => view && drawSaliency(canvas, view.pixels, view.saliency), [view]);
  if (!pixels) return null;
  const methodLabel = SALIENCY_METHODS.find((m) => m.id === (view?.method ?? method))?.label;
  return (
    <details className="panel" data-testid="inspect-digit" ref={details} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Inside the model for this digit</summary>
      <label className="field">
        <span>Saliency by</span>
        <select data-testid="inspect-saliency-method" value={method} onChange={(e) => setMethod(e.target.value as SaliencyMethod)}>
          {SALIENCY_METHODS.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <>
          <figure className="inspect-detail">
            <canvas
              ref={overlay}
              width={28}
              height={28}
              className="inspect-unit-large"
              data-testid="inspect-saliency"
              role="img"
              aria-label={`Saliency for the guess ${view.classIndex} on ${source}: ${describeSaliency(view.classIndex, view.saliency, 28)}`}
            />
            <figcaption>
              <span data-testid="inspect-digit-source">{source[0].toUpperCase() + source.slice(1)}</span>: the model guesses{' '}
              <strong data-testid="inspect-saliency-class">{view.classIndex}</strong> with probability{' '}
              <span data-testid="inspect-digit-probability">{(100 * view.probability).toFixed(1)} %</span>. Saliency ({methodLabel}): the redder a
              pixel, the more ink there moves the score of {view.classIndex}:{' '}
              <span data-testid="inspect-saliency-text">{describeSaliency(view.classIndex, view.saliency, 28)}</span>.
            </figcaption>
          </figure>
          {view.maps.map((map) => {
            let max = 0;
            for (const v of map.values) max = Math.max(max, v);
            return (
              <figure key={map.layer} data-testid="inspect-feature-maps">
                <figcaption>
                  {map.layer}: {map.shape[2]} feature maps of {map.shape[0]}x{map.shape[1]}
                  {map.shape[2] > MAX_CHANNELS ? `, the first ${MAX_CHANNELS} shown` : ''}
                </figcaption>
                <div className="inspect-units">
                  {Array.from({ length: Math.min(MAX_CHANNELS, map.shape[2]) }, (_, c) => (
                    <ChannelCanvas key={c} map={map} channel={c} max={max} />
                  ))}
                </div>
              </figure>
            );
          })}
        </>
      )}
    </details>
  );
}
