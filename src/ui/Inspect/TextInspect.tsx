import { useState } from 'react';
import type { TextSurpriseView } from '../../engine/config/inspect';
import { inspectText } from '../store/inspectActions';

const DEFAULT_PASSAGE = 'The state of our union is strong.';

/** Top-k next characters at one position, as text for the title and screen readers. */
function topText(view: TextSurpriseView, i: number): string {
  const parts = [];
  for (let j = 0; j < view.k; j++) parts.push(`"${view.top[i * view.k + j]}" ${(100 * view.topProb[i * view.k + j]).toFixed(0)} %`);
  return `${view.nats[i].toFixed(2)} nats; expected ${parts.join(', ')}`;
}

/** Inside the text model: a passage coloured by surprise per character (nats), top-5 on hover or focus. */
export function TextInspect() {
  const [passage, setPassage] = useState(DEFAULT_PASSAGE);
  const [view, setView] = useState<TextSurpriseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    inspectText(passage).then(
      (v) => (setView(v), setError(null)),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <details className="panel" data-testid="inspect-text">
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
        </>
      )}
    </details>
  );
}
