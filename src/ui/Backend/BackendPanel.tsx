import { BACKEND_ORDER, BackendName } from '../../engine/config/backends';
import { forgetFastest, setAutoBackend, switchBackend } from '../store/backendActions';
import { useStore } from '../store/store';
import { ErrorText, SelectField } from '../common/Field';
import { chooseIsolation, isolationOffered } from '../../sw/isolation';

/**
 * Threaded WebAssembly needs a cross-origin isolated page. Hosts that send COOP/COEP give it at once; elsewhere
 * (GitHub Pages) the service worker can add those headers to our own responses: the page reloads once to get them.
 */
function ThreadsToggle() {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  if (!isolated && !isolationOffered()) return null;
  return (
    <label
      className="field checkbox"
      title="WASM on all cores needs a cross-origin isolated page; turning this on or off reloads the page once (stored runs are kept)."
    >
      <input type="checkbox" checked={isolated} data-testid="wasm-threads-toggle" onChange={(e) => void chooseIsolation(e.target.checked)} />
      <span data-testid="wasm-threads">WASM threads: {isolated ? cores : 1}</span>
    </label>
  );
}

/** The active backend is always visible; the user can switch while no training runs. */
export function BackendPanel() {
  const backend = useStore((s) => s.backend);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const failures = Object.entries(backend.failures);
  const fastest = Object.entries(backend.fastest);
  return (
    <div className="backend">
      <span>
        Backend: <strong data-testid="active-backend">{backend.active ?? 'starting…'}</strong>
      </span>
      {backend.guess && (
        <span className="muted" data-testid="backend-guess">
          best guess: {backend.guess}
        </span>
      )}
      {backend.active && (
        <SelectField<BackendName>
          label="Switch to"
          value={backend.active}
          options={BACKEND_ORDER}
          disabled={busy || backend.switching}
          testId="backend-select"
          onChange={(b) => void switchBackend(b)}
        />
      )}
      {backend.active && (
        <label
          className="field checkbox"
          title="Training starts at once on the best guess; when the page is idle, the other backends are timed for the model on screen, and a later run moves to one only if it is clearly faster. Picking a backend turns this off."
        >
          <input type="checkbox" checked={backend.auto} data-testid="backend-auto" onChange={(e) => setAutoBackend(e.target.checked)} />
          <span>Fastest per model</span>
        </label>
      )}
      {backend.measuring && (
        <span className="state" role="status" data-testid="backend-measuring">
          timing the other backends for the {backend.measuring === 'charLstm' ? 'char-LSTM' : backend.measuring.toUpperCase()} while idle (Start
          interrupts it)…
        </span>
      )}
      {fastest.length > 0 && (
        <details className="muted" data-testid="backend-fastest">
          <summary>
            fastest here: {fastest.map(([kind, f]) => `${kind === 'charLstm' ? 'char-LSTM' : kind.toUpperCase()} ${f!.backend}`).join(', ')}
          </summary>
          <ul>
            {fastest.map(([kind, f]) => (
              <li key={kind} data-testid={`fastest-${kind}`} data-backend={f!.backend}>
                {kind}:{' '}
                {f!.timings
                  .map((t) =>
                    t.itemsPerSec !== undefined ? `${t.backend} ${Math.round(t.itemsPerSec).toLocaleString('en-US')}/s` : `${t.backend} failed`,
                  )
                  .join(', ')}{' '}
                ({f!.date.slice(0, 10)})
              </li>
            ))}
          </ul>
          <button type="button" onClick={forgetFastest}>
            Measure again
          </button>
        </details>
      )}
      {failures.length > 0 && (
        <details className="muted">
          <summary>{failures.length} backend(s) unavailable</summary>
          <ul data-testid="backend-failures">
            {failures.map(([name, why]) => (
              <li key={name}>
                {name}: {why}
              </li>
            ))}
          </ul>
        </details>
      )}
      <ThreadsToggle />
      <ErrorText text={backend.error} testId="backend-error" />
    </div>
  );
}
