import { useEffect, useRef, useState } from 'react';
import type { DigitView } from '../../engine/config/inspect';
import { useStore } from '../store/store';
import { inspectDigit } from '../store/inspectActions';

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
    img.data.set([Math.round(grey + (255 - grey) * heat), Math.round(grey * (1 - heat)), Math.round(grey * (1 - heat)), 255], p * 4);
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
    img.data.set([v, v, v, 255], p * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function ChannelCanvas({ map, channel, max }: { map: DigitView['maps'][number]; channel: number; max: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) drawChannel(ref.current, map, channel, max);
  }, [map, channel, max]);
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

/** For the drawn digit: where the guess looks (SmoothGrad saliency) and, for a CNN, what its filters respond to. */
export function DigitInspect() {
  const pixels = useStore((s) => s.draw.pixels);
  const [view, setView] = useState<DigitView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!pixels) return;
    let live = true;
    inspectDigit(pixels).then(
      (v) => {
        if (!live) return;
        setView(v);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [pixels]);
  useEffect(() => {
    if (overlay.current && view && pixels) drawSaliency(overlay.current, pixels, view.saliency);
  }, [view, pixels]);
  if (!pixels) return null;
  return (
    <details className="panel" data-testid="inspect-digit">
      <summary>Inside the model for this drawing</summary>
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
              aria-label={`Saliency for the guess ${view.classIndex}: the red pixels change its score the most`}
            />
            <figcaption>
              Saliency (SmoothGrad) of the guess <strong data-testid="inspect-saliency-class">{view.classIndex}</strong>: the redder a pixel, the more
              ink there moves the score of {view.classIndex}.
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
