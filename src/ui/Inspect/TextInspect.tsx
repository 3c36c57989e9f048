import { useRef, useState } from 'react';
import { NO_CELLS_TRANSFORMER, type TextSurpriseView } from '../../engine/config/inspect';
import { inspectText } from '../store/inspectActions';
import { useStore } from '../store/store';
import { canvasTheme, useColourScheme, usePaint } from '../common/paint';
import { HealthInspect } from './HealthInspect';
import { useDrawerShown } from '../common/Drawers';
import { CellInspect } from './CellInspect';

const DEFAULT_PASSAGE = 'The state of our union is strong.\nAnd we say: "Let us begin."';

/** Top-k next characters at one position, as text for the title and screen readers. */
function topText(view: TextSurpriseView, i: number): string {
  const parts = [];
  for (let j = 0; j < view.k; j++) parts.push(`"${view.top[i * view.k + j]}" ${(100 * view.topProb[i * view.k + j]).toFixed(0)} %`);
  return `${view.nats[i].toFixed(2)} nats; expected ${parts.join(', ')}`;
}

/** Printable name of a vocabulary entry on the plot. */
const glyph = (ch: string): string => (ch === ' ' ? '␣' : ch === '\n' ? '↵' : ch === '\t' ? '⇥' : ch);

/** The character embeddings projected on their first two principal components, each drawn as its character. */
function EmbeddingPlot({ embedding }: { embedding: TextSurpriseView['embedding'] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { points, labels } = embedding;
  const scheme = useColourScheme();
  usePaint(
    ref,
    (canvas) => {
      const ctx = canvas.getContext('2d');
      if (!ctx || labels.length === 0) return;
      const { width, height } = ctx.canvas;
      let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
      for (let i = 0; i < labels.length; i++) {
        x0 = Math.min(x0, points[2 * i]);
        x1 = Math.max(x1, points[2 * i]);
        y0 = Math.min(y0, points[2 * i + 1]);
        y1 = Math.max(y1, points[2 * i + 1]);
      }
      const pad = 16;
      const sx = (width - 2 * pad) / (x1 - x0 || 1);
      const sy = (height - 2 * pad) / (y1 - y0 || 1);
      const theme = canvasTheme(canvas);
      ctx.fillStyle = theme.surface;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = theme.fg;
      ctx.font = '12px monospace';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (let i = 0; i < labels.length; i++) {
        ctx.fillText(glyph(labels[i]), pad + (points[2 * i] - x0) * sx, height - pad - (points[2 * i + 1] - y0) * sy);
      }
    },
    [points, labels, scheme],
  );
  if (labels.length === 0) return null;
  return (
    <figure>
      <canvas
        ref={ref}
        width={480}
        height={320}
        className="inspect-pca"
        data-testid="inspect-pca"
        role="img"
        aria-label={`The ${labels.length} characters' embeddings on their first two principal components: characters drawn close together are used alike by the model.`}
      />
      <figcaption>Character embeddings, first two principal components (PCA)</figcaption>
    </figure>
  );
}

/** How a fixed-context model (the Transformer) read the passage: one pass, or windows sliding over it. */
function windowText({ context, stride, windows }: NonNullable<TextSurpriseView['window']>): string {
  if (windows === 1) return `The model sees ${context} characters at once; the passage fits, so it is read in one pass.`;
  return `The model sees ${context} characters at once, so the passage is read in ${windows} windows of ${context} sliding by ${stride}: each character after the first ${context} is predicted from the ${context - stride + 1} to ${context} characters before it.`;
}

/** Inside the text model: a passage coloured by surprise per character (nats), top-5 on hover or focus. */
export function TextInspect() {
  const [passage, setPassage] = useState(DEFAULT_PASSAGE);
  const [view, setView] = useState<TextSurpriseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setOpen] = useState(false);
  // live only while this view is shown and expanded: a hidden view stays mounted but does not poll the worker
  const shown = useDrawerShown();
  const open = expanded && shown;
  const transformer = useStore((s) => s.text.ready?.config.kind === 'charTransformer');
  const run = () => {
    inspectText(passage).then(
      (v) => (setView(v), setError(null)),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <details className="panel" data-testid="inspect-text" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Inspect the model</summary>
      <label className="field">
        <span>Passage</span>
        <textarea value={passage} rows={3} onChange={(e) => setPassage(e.target.value)} />
      </label>
      <button type="button" data-testid="inspect-text-run" onClick={run}>
        Colour by surprise
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <>
          <p data-testid="inspect-text-mean">Mean surprise {view.meanNats.toFixed(3)} nats per character</p>
          {view.window && (
            <p className="muted" data-testid="inspect-text-window">
              {windowText(view.window)}
            </p>
          )}
          <p className="inspect-passage" data-testid="inspect-passage">
            {view.chars.slice(1).map((ch, i) => (
              <span
                key={i}
                tabIndex={0}
                title={topText(view, i)}
                aria-label={`${ch === ' ' ? 'space' : ch}: ${topText(view, i)}`}
                style={{ background: `rgba(220, 40, 40, ${Math.min(1, view.nats[i] / 5).toFixed(2)})` }}
              >
                {ch}
              </span>
            ))}
          </p>
          <EmbeddingPlot embedding={view.embedding} />
        </>
      )}
      {transformer ? (
        <p className="muted" data-testid="inspect-cells-none">
          {NO_CELLS_TRANSFORMER}
        </p>
      ) : (
        <CellInspect passage={passage} />
      )}
      <HealthInspect which="text" open={open} />
    </details>
  );
}
