import { useRef, useState, type KeyboardEvent } from 'react';
import { drawingToMnist } from '../../engine/config/drawing';
import { predictDrawing } from '../store/imagesActions';
import { DigitInspect } from '../Inspect/DigitInspect';
import { useStore } from '../store/store';
import { ErrorText } from '../common/Field';

const SIDE = 280;
/** Keyboard pen: arrow keys move it this far (Shift: a quarter of it), in canvas pixels. */
const KEY_STEP = 14;

/** The canvas and its pen: pointer strokes, the keyboard pen, clearing, and classifying on release. */
function useDrawing() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  // the keyboard's pen: where it is and whether it is down (shown as a ring while the pad has focus)
  const [pen, setPen] = useState({ x: SIDE / 2, y: SIDE / 4, down: false });

  const point = (e: React.PointerEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return [((e.clientX - r.left) * SIDE) / r.width, ((e.clientY - r.top) * SIDE) / r.height];
  };
  const ctx = () => canvas.current!.getContext('2d', { willReadFrequently: true })!;
  const classify = () => {
    const rgba = ctx().getImageData(0, 0, SIDE, SIDE).data;
    const ink = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
    void predictDrawing(drawingToMnist(ink, SIDE));
  };
  const clear = () => ctx().clearRect(0, 0, SIDE, SIDE);
  const startStroke = (x: number, y: number) => {
    const c = ctx();
    c.lineWidth = 22;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.strokeStyle = '#000';
    c.beginPath();
    c.moveTo(x, y);
    c.lineTo(x + 0.1, y);
    c.stroke();
  };
  const onKey = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const step = e.shiftKey ? KEY_STEP / 4 : KEY_STEP;
    const move = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] }[e.key];
    if (move) {
      const x = Math.min(SIDE, Math.max(0, pen.x + move[0]));
      const y = Math.min(SIDE, Math.max(0, pen.y + move[1]));
      if (pen.down) {
        ctx().lineTo(x, y);
        ctx().stroke();
      }
      setPen({ ...pen, x, y });
    } else if (e.key === ' ' || e.key === 'Enter') {
      if (pen.down) classify();
      else startStroke(pen.x, pen.y);
      setPen({ ...pen, down: !pen.down });
    } else if (e.key === 'Escape') {
      clear();
      setPen({ ...pen, down: false });
    } else return;
    e.preventDefault(); // arrows and Space would scroll the page
  };
  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    drawing.current = true;
    canvas.current!.setPointerCapture(e.pointerId);
    const [x, y] = point(e);
    startStroke(x, y);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const [x, y] = point(e);
    ctx().lineTo(x, y);
    ctx().stroke();
  };
  const onPointerUp = () => {
    drawing.current = false;
    classify();
  };
  return { canvas, pen, clear, onKey, onPointerDown, onPointerMove, onPointerUp };
}

/** Draw a digit with mouse, pen, finger or keyboard; on release it is centred like MNIST and classified. */
export function DrawPad() {
  const { canvas, pen, clear, onKey, onPointerDown, onPointerMove, onPointerUp } = useDrawing();
  const { probabilities, error } = useStore((s) => s.draw);
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;

  return (
    <div className="draw">
      <h3>Draw a digit</h3>
      <div className="row wrap">
        <div className="pad-wrap">
          <canvas
            ref={canvas}
            tabIndex={0}
            onKeyDown={onKey}
            width={SIDE}
            height={SIDE}
            className="pad"
            data-testid="draw-pad"
            aria-label="Drawing area: draw a digit with the mouse, a pen or a finger, or with the keyboard"
            aria-describedby="draw-keys"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
          />
          <span
            className={pen.down ? 'pen down' : 'pen'}
            style={{ left: `${(pen.x / SIDE) * 100}%`, top: `${(pen.y / SIDE) * 100}%` }}
            aria-hidden="true"
          />
        </div>
        <div className="probs" data-testid="draw-probabilities">
          {(probabilities ?? new Array(10).fill(0)).map((p, c) => (
            <div key={c} className={c === best ? 'prob best' : 'prob'}>
              <span>{c}</span>
              <meter min={0} max={1} value={p} aria-label={`probability of ${c}`} />
              <span className="num">{(p * 100).toFixed(1)}%</span>
            </div>
          ))}
          {best >= 0 && (
            <p>
              Guess: <strong data-testid="draw-guess">{best}</strong>
            </p>
          )}
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
      </div>
      <p className="help muted" id="draw-keys">
        Keyboard: arrow keys move the pen (Shift for small steps), Space puts it down or lifts it (lifting classifies), Escape clears.
      </p>
      <ErrorText text={error} />
      <DigitInspect />
    </div>
  );
}
