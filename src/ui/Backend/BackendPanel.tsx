import { BACKEND_ORDER, BackendName } from '../../engine/backend/names';
import { switchBackend } from '../store/actions';
import { useStore } from '../store/store';
import { ErrorText, SelectField } from '../common/Field';

/** The active backend is always visible; the user can switch while no training runs. */
export function BackendPanel() {
  const backend = useStore((s) => s.backend);
  const busy = useStore((s) => s.train.state === 'running' || s.train.state === 'paused');
  const failures = Object.entries(backend.failures);
  return (
    <div className="backend">
      <span>
        Backend: <strong data-testid="active-backend">{backend.active ?? 'starting…'}</strong>
      </span>
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
      <ErrorText text={backend.error} testId="backend-error" />
    </div>
  );
}
