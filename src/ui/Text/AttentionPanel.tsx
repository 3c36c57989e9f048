import { type MouseEvent, useRef } from 'react';
import type { AttentionView } from '../../engine/config/charTransformer';
import { showAttention } from '../store/textActions';
import { useStore } from '../store/store';
import { ErrorText, Panel } from '../common/Field';
import { canvasTheme, useColourScheme, usePaint } from '../common/paint';

const CELL = 12;
const LABEL = 44;

/**
 * Draws one row per head (attention weight as the theme's accent, opacity = weight) and one row of per-character
 * loss (the theme's danger colour, opacity = loss / largest loss), over the passage's characters, on the theme's
 * surface: the same picture in light and dark.
 */
function draw(canvas: HTMLCanvasElement, view: AttentionView): void {
  const rows = view.weights.flatMap((layer, l) => layer.map((row, h) => ({ label: `L${l} H${h}`, values: row, max: 1, loss: false })));
  const maxLoss = Math.max(1e-9, ...view.losses);
  rows.push({ label: 'loss', values: view.losses, max: maxLoss, loss: true });
  const n = view.chars.length;
  canvas.width = LABEL + n * CELL;
  canvas.height = (rows.length + 1) * CELL + 4;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const theme = canvasTheme(canvas);
  const style = getComputedStyle(canvas);
  const accent = style.getPropertyValue('--accent').trim() || '#1d4ed8';
  const danger = style.getPropertyValue('--danger').trim() || '#b91c1c';
  ctx.fillStyle = theme.surface;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '10px monospace';
  ctx.textBaseline = 'middle';
  rows.forEach((r, y) => {
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.fg;
    ctx.fillText(r.label, 2, y * CELL + CELL / 2);
    ctx.fillStyle = r.loss ? danger : accent;
    r.values.forEach((v, x) => {
      ctx.globalAlpha = Math.max(0, Math.min(1, v / r.max));
      ctx.fillRect(LABEL + x * CELL, y * CELL, CELL - 1, CELL - 1);
    });
  });
  ctx.globalAlpha = 1;
  const y = rows.length * CELL + CELL / 2 + 2;
  view.chars.forEach((ch, x) => {
    ctx.fillStyle = x === view.position ? danger : theme.fg;
    ctx.fillText(ch === '\n' ? '↵' : ch, LABEL + x * CELL + 2, y);
  });
}

/**
 * The char-Transformer's attention for one position of a passage (the generated text, else the start of the
 * validation text): which earlier characters each head looks at, and the model's loss on each character.
 * Clicking a character picks that position.
 */
export function AttentionPanel() {
  const text = useStore((s) => s.text);
  const scheme = useColourScheme();
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = text.attention;
  // drawn in a short task after the render, again only when the numbers or the page's colours change
  usePaint(canvas, (c) => view && draw(c, view), [view, scheme]);
  if (text.ready?.config.kind !== 'charTransformer') return null;
  const pick = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const x = Math.floor((e.clientX - box.left - LABEL) / CELL);
    if (x >= 0) void showAttention(x);
  };
  return (
    <Panel title="5. Attention" testId="attention-panel">
      <p className="muted">
        Each row is one head (L layer, H head): how much the chosen character (red) attends to each earlier one. The last row is the model&apos;s loss
        on each next character. Click a character to choose it.
      </p>
      <div className="row buttons">
        <button type="button" data-testid="show-attention" disabled={text.generating} onClick={() => void showAttention(view?.position ?? 40)}>
          Show attention
        </button>
      </div>
      {view && (
        <div style={{ overflowX: 'auto' }}>
          <canvas ref={canvas} data-testid="attention-canvas" data-position={view.position} data-heads={view.weights.flat().length} onClick={pick} />
        </div>
      )}
      <ErrorText text={text.attentionError} testId="attention-error" />
    </Panel>
  );
}
