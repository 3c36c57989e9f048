import { useState } from 'react';
import { CELL_FEATURES, type CellChoice, type CellFeature, type CellView } from '../../engine/config/inspect';
import { inspectCells } from '../store/inspectActions';

/** tanh(c) on a diverging map: -1 blue, 0 white, +1 red (as in the char-RNN visualisations). */
function cellColour(c: number): string {
  const v = Math.tanh(c);
  return v >= 0 ? `rgba(220, 40, 40, ${v.toFixed(2)})` : `rgba(40, 90, 220, ${(-v).toFixed(2)})`;
}

const charName = (ch: string) => (ch === ' ' ? 'space' : ch === '\n' ? 'newline' : ch);

/** One LSTM cell's state along the passage: picked by index or as the one most correlated with a text feature. */
export function CellInspect({ passage }: { passage: string }) {
  const [mode, setMode] = useState<'unit' | CellFeature>('quote');
  const [unit, setUnit] = useState(0);
  const [view, setView] = useState<CellView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = () => {
    const choice: CellChoice = mode === 'unit' ? { unit } : { feature: mode };
    inspectCells(passage, choice).then(
      (v) => (setView(v), setError(null)),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  const featureLabel = view?.feature ? CELL_FEATURES.find((f) => f.id === view.feature!.id)?.label : null;
  return (
    <section className="inspect-cells" data-testid="inspect-cells" aria-label="One LSTM cell along the passage">
      <h3>An LSTM cell along the passage</h3>
      <div className="inspect-cell-controls">
        <label className="field">
          <span>Cell</span>
          <select data-testid="inspect-cell-mode" value={mode} onChange={(e) => setMode(e.target.value as 'unit' | CellFeature)}>
            {CELL_FEATURES.map((f) => (
              <option key={f.id} value={f.id}>
                most correlated with {f.label}
              </option>
            ))}
            <option value="unit">by number</option>
          </select>
        </label>
        {mode === 'unit' && (
          <label className="field">
            <span>Cell number</span>
            <input type="number" min={0} step={1} data-testid="inspect-cell-unit" value={unit} onChange={(e) => setUnit(Number(e.target.value))} />
          </label>
        )}
        <button type="button" data-testid="inspect-cell-run" onClick={show}>
          Show the cell
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {view && (
        <>
          <p data-testid="inspect-cell-caption">
            Layer {view.layer + 1} of {view.layers}, cell <strong data-testid="inspect-cell-unit-shown">{view.unit}</strong> of {view.units}
            {view.feature && featureLabel
              ? `: the most correlated with ${featureLabel} (r = ${view.feature.correlations[view.unit].toFixed(2)})`
              : ''}
            . Colour: tanh of its state c after each character, blue -1, white 0, red +1.
          </p>
          <p className="inspect-passage" data-testid="inspect-cell-passage">
            {view.chars.map((ch, t) => (
              <span
                key={t}
                tabIndex={0}
                title={`c = ${view.values[t].toFixed(3)}`}
                aria-label={`${charName(ch)}: c = ${view.values[t].toFixed(2)}`}
                style={{ background: cellColour(view.values[t]) }}
              >
                {ch}
              </span>
            ))}
          </p>
        </>
      )}
    </section>
  );
}
