import { useRef } from 'react';
import { drawingToMnist } from '../../engine/data/drawing';
import { predictDrawing } from '../store/actions';
import { useStore } from '../store/store';
import { ErrorText } from '../common/Field';

const SIDE = 280;

/** Draw a digit with mouse, pen or finger; on release it is centred like MNIST and classified. */
export function DrawPad() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const { probabilities, error } = useStore((s) => s.draw);
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;

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

  return (
    <div className="draw">
      <h3>Draw a digit</h3>
      <div className="row wrap">
        <canvas
          ref={canvas}
          width={SIDE}
          height={SIDE}
          className="pad"
          data-testid="draw-pad"
          aria-label="Drawing area: draw a digit with the mouse, a pen or a finger"
          onPointerDown={(e) => {
            drawing.current = true;
            canvas.current!.setPointerCapture(e.pointerId);
            const c = ctx();
            const [x, y] = point(e);
            c.lineWidth = 22;
            c.lineCap = 'round';
            c.lineJoin = 'round';
            c.strokeStyle = '#000';
            c.beginPath();
            c.moveTo(x, y);
            c.lineTo(x + 0.1, y);
            c.stroke();
          }}
          onPointerMove={(e) => {
            if (!drawing.current) return;
            const [x, y] = point(e);
            ctx().lineTo(x, y);
            ctx().stroke();
          }}
          onPointerUp={() => {
            drawing.current = false;
            classify();
          }}
        />
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
      <ErrorText text={error} />
    </div>
  );
}
